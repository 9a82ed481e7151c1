// The GGUF tensor types the converter writes, with ggml's numbering and block layout.
// Row sizes are computed here (not asked of the addon) so that the GGUF header, which holds
// every tensor's offset, can be written before any tensor is converted.

export type QuantType = 'f32' | 'f16' | 'q8_0' | 'q5_0' | 'q5_1' | 'q4_0' | 'q4_1' | 'q6_K' | 'q5_K' | 'q4_K';

export interface TypeInfo {
  /** ggml_type enum value */
  ggmlType: number;
  /** elements per block */
  blockSize: number;
  /** bytes per block */
  typeSize: number;
  /** llama.cpp `general.file_type` of a file whose matmul weights have this type */
  fileType: number;
  /** what `general.file_type` means, for logs and the result */
  fileTypeName: string;
  /** the type used when a row length is not a multiple of `blockSize` (llama.cpp's choice) */
  fallback?: QuantType;
}

export const TYPE_INFO: Readonly<Record<QuantType, TypeInfo>> = {
  f32: { ggmlType: 0, blockSize: 1, typeSize: 4, fileType: 0, fileTypeName: 'ALL_F32' },
  f16: { ggmlType: 1, blockSize: 1, typeSize: 2, fileType: 1, fileTypeName: 'MOSTLY_F16' },
  q4_0: { ggmlType: 2, blockSize: 32, typeSize: 18, fileType: 2, fileTypeName: 'MOSTLY_Q4_0', fallback: 'f16' },
  q4_1: { ggmlType: 3, blockSize: 32, typeSize: 20, fileType: 3, fileTypeName: 'MOSTLY_Q4_1', fallback: 'f16' },
  q5_0: { ggmlType: 6, blockSize: 32, typeSize: 22, fileType: 8, fileTypeName: 'MOSTLY_Q5_0', fallback: 'f16' },
  q5_1: { ggmlType: 7, blockSize: 32, typeSize: 24, fileType: 9, fileTypeName: 'MOSTLY_Q5_1', fallback: 'f16' },
  q8_0: { ggmlType: 8, blockSize: 32, typeSize: 34, fileType: 7, fileTypeName: 'MOSTLY_Q8_0', fallback: 'f16' },
  q4_K: { ggmlType: 12, blockSize: 256, typeSize: 144, fileType: 14, fileTypeName: 'MOSTLY_Q4_K_S', fallback: 'q5_0' },
  q5_K: { ggmlType: 13, blockSize: 256, typeSize: 176, fileType: 16, fileTypeName: 'MOSTLY_Q5_K_S', fallback: 'q5_1' },
  q6_K: { ggmlType: 14, blockSize: 256, typeSize: 210, fileType: 18, fileTypeName: 'MOSTLY_Q6_K', fallback: 'q8_0' },
};

export const QUANT_TYPES = Object.keys(TYPE_INFO) as QuantType[];

/** ggml type names as `ggml_type_name` prints them, by enum value (for the GGUF reader). */
export const GGML_TYPE_NAMES: Readonly<Record<number, string>> = {
  0: 'f32', 1: 'f16', 2: 'q4_0', 3: 'q4_1', 6: 'q5_0', 7: 'q5_1', 8: 'q8_0', 9: 'q8_1',
  10: 'q2_K', 11: 'q3_K', 12: 'q4_K', 13: 'q5_K', 14: 'q6_K', 15: 'q8_K', 24: 'i8', 25: 'i16',
  26: 'i32', 27: 'i64', 28: 'f64', 30: 'bf16',
};

export function isQuantType(value: unknown): value is QuantType {
  return typeof value === 'string' && Object.hasOwn(TYPE_INFO, value);
}

export function isBlockQuantized(type: QuantType): boolean {
  return TYPE_INFO[type].blockSize > 1;
}

/** Bytes of one row of `nPerRow` elements; `nPerRow` must be a multiple of the block size. */
export function rowSize(type: QuantType, nPerRow: number): number {
  const { blockSize, typeSize } = TYPE_INFO[type];
  return (nPerRow / blockSize) * typeSize;
}

/**
 * The type a tensor with rows of `nPerRow` elements really gets when `wanted` is asked for:
 * `wanted` itself, or the first type down its fallback chain whose block divides the row.
 */
export function resolveRowType(wanted: QuantType, nPerRow: number): QuantType {
  let type = wanted;
  while (nPerRow % TYPE_INFO[type].blockSize !== 0) {
    type = TYPE_INFO[type].fallback ?? 'f16';
  }
  return type;
}
