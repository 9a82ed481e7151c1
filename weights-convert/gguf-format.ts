// GGUF v3 constants and value types shared by the writer and the reader.

export const GGUF_MAGIC = 0x46554747; // "GGUF" read as a little-endian u32
export const GGUF_VERSION = 3;
export const GGUF_ALIGNMENT = 32;
export const GGUF_KEY_ALIGNMENT = 'general.alignment';

export enum GgufType {
  UINT8 = 0,
  INT8 = 1,
  UINT16 = 2,
  INT16 = 3,
  UINT32 = 4,
  INT32 = 5,
  FLOAT32 = 6,
  BOOL = 7,
  STRING = 8,
  ARRAY = 9,
  UINT64 = 10,
  INT64 = 11,
  FLOAT64 = 12,
}

export type GgufScalar = number | bigint | boolean | string;

/** One metadata entry. Arrays carry their element type; 64-bit integers are bigint. */
export type GgufKv =
  | { key: string; type: Exclude<GgufType, GgufType.ARRAY>; value: GgufScalar }
  | { key: string; type: GgufType.ARRAY; itemType: Exclude<GgufType, GgufType.ARRAY>; value: GgufScalar[] };

export interface GgufTensorInfo {
  name: string;
  /** ggml order: ne[0] is the innermost (row) dimension */
  ne: number[];
  /** ggml_type enum value */
  ggmlType: number;
  /** offset inside the data section */
  offset: number;
}

export function alignUp(n: number, alignment: number): number {
  return Math.ceil(n / alignment) * alignment;
}
