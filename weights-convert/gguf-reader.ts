// Reads the header of a GGUF file: metadata and tensor infos, never the tensor data.

import { GitcapError } from '../core/errors.js';
import { printable } from '../core/printable.js';
import { openForReading } from './files.js';
import { GGUF_ALIGNMENT, GGUF_KEY_ALIGNMENT, GGUF_MAGIC, GgufType, alignUp, type GgufKv, type GgufScalar } from './gguf-format.js';
import { GGML_TYPE_NAMES, TYPE_INFO } from './quant-types.js';
import { readExactly } from './tensor-source.js';

export interface GgufTensor {
  name: string;
  /** ggml order: ne[0] is the innermost (row) dimension */
  ne: number[];
  ggmlType: number;
  /** ggml type name (f32, q8_0, ...), or `type<N>` for a type this reader does not know */
  typeName: string;
  /** absolute file offset of the data */
  fileOffset: number;
  /** bytes of data; undefined for an unknown type */
  byteSize?: number;
}

export interface GgufMetadata {
  version: number;
  alignment: number;
  /** absolute file offset of the data section */
  dataOffset: number;
  kv: Map<string, GgufKv>;
  tensors: GgufTensor[];
}

const MAX_COUNT = 1_000_000;
const CHUNK = 1 << 20;
const MAX_HEADER_BYTES = 256 * CHUNK;

/** Block layout by ggml type, for the types a GGUF reader may meet here. */
const BLOCKS: Record<number, [number, number]> = {
  ...Object.fromEntries(Object.values(TYPE_INFO).map((t) => [t.ggmlType, [t.blockSize, t.typeSize]])),
  24: [1, 1], 25: [1, 2], 26: [1, 4], 27: [1, 8], 28: [1, 8], 30: [1, 2],
};

/** Thrown when the bytes read so far end inside the header: read more and parse again. */
class NeedMoreBytes extends Error {}

/** Synchronous little-endian reads over the first `buf.length` bytes of a file of `size` bytes. */
class Cursor {
  pos = 0;

  constructor(private buf: Buffer, private file: string, readonly size: number) {}

  fail(problem: string): GitcapError {
    return new GitcapError('E_MODEL_FORMAT', `${this.file}: ${problem}`);
  }

  private at(n: number): number {
    if (this.pos + n > this.size) throw this.fail('file ends inside the GGUF header');
    if (this.pos + n > this.buf.length) throw new NeedMoreBytes();
    this.pos += n;
    return this.pos - n;
  }

  u8() { return this.buf.readUInt8(this.at(1)); }
  i8() { return this.buf.readInt8(this.at(1)); }
  u16() { return this.buf.readUInt16LE(this.at(2)); }
  i16() { return this.buf.readInt16LE(this.at(2)); }
  u32() { return this.buf.readUInt32LE(this.at(4)); }
  i32() { return this.buf.readInt32LE(this.at(4)); }
  f32() { return this.buf.readFloatLE(this.at(4)); }
  f64() { return this.buf.readDoubleLE(this.at(8)); }
  u64big() { return this.buf.readBigUInt64LE(this.at(8)); }
  i64big() { return this.buf.readBigInt64LE(this.at(8)); }

  /** A u64 that must fit a JS number and `limit`. */
  count(what: string, limit: number): number {
    const v = this.u64big();
    if (v > BigInt(limit)) throw this.fail(`${what} ${v} is beyond what the file can hold`);
    return Number(v);
  }

  string(): string {
    const n = this.count('string length', this.size - this.pos - 8);
    const o = this.at(n);
    return this.buf.toString('utf8', o, o + n);
  }
}

function readScalar(c: Cursor, type: number): GgufScalar {
  switch (type) {
    case GgufType.UINT8: return c.u8();
    case GgufType.INT8: return c.i8();
    case GgufType.UINT16: return c.u16();
    case GgufType.INT16: return c.i16();
    case GgufType.UINT32: return c.u32();
    case GgufType.INT32: return c.i32();
    case GgufType.FLOAT32: return c.f32();
    case GgufType.FLOAT64: return c.f64();
    case GgufType.UINT64: return c.u64big();
    case GgufType.INT64: return c.i64big();
    case GgufType.BOOL: return c.u8() !== 0;
    case GgufType.STRING: return c.string();
    default: throw c.fail(`metadata value type ${type} is unknown`);
  }
}

function readKv(c: Cursor): GgufKv {
  const key = c.string();
  const type = c.u32();
  if (type !== GgufType.ARRAY) return { key, type, value: readScalar(c, type) } as GgufKv;
  const itemType = c.u32();
  if (itemType === GgufType.ARRAY) throw c.fail(`metadata ${printable(key)} is a nested array`);
  const n = c.count(`array length of ${printable(key)}`, c.size - c.pos);
  const value: GgufScalar[] = [];
  for (let i = 0; i < n; i++) value.push(readScalar(c, itemType));
  return { key, type, itemType, value } as GgufKv;
}

function readTensorInfo(c: Cursor): GgufTensor {
  const name = c.string();
  const nDims = c.u32();
  if (nDims < 1 || nDims > 4) throw c.fail(`tensor ${printable(name)} has ${nDims} dimensions`);
  const ne: number[] = [];
  for (let d = 0; d < nDims; d++) ne.push(c.count(`dimension of ${printable(name)}`, Number.MAX_SAFE_INTEGER));
  const ggmlType = c.u32();
  const offset = c.count(`offset of ${printable(name)}`, c.size);
  const block = BLOCKS[ggmlType];
  const n = ne.reduce((a, b) => a * b, 1);
  return {
    name,
    ne,
    ggmlType,
    typeName: GGML_TYPE_NAMES[ggmlType] ?? `type${ggmlType}`,
    fileOffset: offset, // relative until the data section is known
    byteSize: block ? (n / block[0]) * block[1] : undefined,
  };
}

function parseHeader(c: Cursor, path: string): GgufMetadata {
  if (c.size < 4 || c.u32() !== GGUF_MAGIC) throw c.fail('not a GGUF file (bad magic)');
  const version = c.u32();
  if (version !== 2 && version !== 3) throw new GitcapError('E_UNSUPPORTED', `${path}: GGUF version ${version} is not supported`);
  const nTensors = c.count('tensor count', MAX_COUNT);
  const nKv = c.count('metadata count', MAX_COUNT);
  const kv = new Map<string, GgufKv>();
  for (let i = 0; i < nKv; i++) {
    const entry = readKv(c);
    if (kv.has(entry.key)) throw c.fail(`metadata key ${entry.key} appears twice`);
    kv.set(entry.key, entry);
  }
  const tensors: GgufTensor[] = [];
  for (let i = 0; i < nTensors; i++) tensors.push(readTensorInfo(c));
  const alignEntry = kv.get(GGUF_KEY_ALIGNMENT);
  const alignment = alignEntry && alignEntry.type === GgufType.UINT32 ? (alignEntry.value as number) : GGUF_ALIGNMENT;
  if (alignment === 0 || (alignment & (alignment - 1)) !== 0) throw c.fail(`alignment ${alignment} is not a power of two`);
  const dataOffset = alignUp(c.pos, alignment);
  const names = new Set<string>();
  for (const t of tensors) {
    if (names.has(t.name)) throw c.fail(`tensor ${printable(t.name)} appears twice`);
    names.add(t.name);
    if (t.fileOffset % alignment !== 0) throw c.fail(`tensor ${printable(t.name)} is not aligned to ${alignment} bytes`);
    t.fileOffset += dataOffset;
    if (t.byteSize !== undefined && t.fileOffset + t.byteSize > c.size) {
      throw c.fail(`tensor ${printable(t.name)} reaches past the end of the file`);
    }
  }
  return { version, alignment, dataOffset, kv, tensors };
}

export async function readGgufMetadata(path: string): Promise<GgufMetadata> {
  const { fh, size } = await openForReading(path);
  try {
    // Parse what has been read; when the header goes on past it, read twice as much and retry.
    for (let length = Math.min(size, CHUNK); ; length = Math.min(size, length * 2)) {
      const buf = Buffer.alloc(length);
      await readExactly(fh, path, buf, length, 0);
      try {
        return parseHeader(new Cursor(buf, path, size), path);
      } catch (err) {
        if (!(err instanceof NeedMoreBytes)) throw err;
        if (length >= MAX_HEADER_BYTES) {
          throw new GitcapError('E_MODEL_FORMAT', `${path}: GGUF header is larger than ${MAX_HEADER_BYTES} bytes`);
        }
      }
    }
  } finally {
    await fh.close();
  }
}
