// Reads the header of a GGUF file: metadata and tensor infos, never the tensor data.

import type { FileHandle } from 'node:fs/promises';
import { GitcapError } from '../lib/errors.js';
import { openForReading } from './files.js';
import { GGUF_ALIGNMENT, GGUF_KEY_ALIGNMENT, GGUF_MAGIC, GgufType, alignUp, type GgufKv, type GgufScalar } from './gguf-format.js';
import { GGML_TYPE_NAMES, TYPE_INFO } from './quant-types.js';

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

/** Block layout by ggml type, for the types a GGUF reader may meet here. */
const BLOCKS: Record<number, [number, number]> = {
  ...Object.fromEntries(Object.values(TYPE_INFO).map((t) => [t.ggmlType, [t.blockSize, t.typeSize]])),
  24: [1, 1], 25: [1, 2], 26: [1, 4], 27: [1, 8], 28: [1, 8], 30: [1, 2],
};

class Cursor {
  private buf = Buffer.alloc(0);
  private bufStart = 0;
  pos = 0;

  constructor(private fh: FileHandle, private file: string, readonly size: number) {}

  fail(problem: string): GitcapError {
    return new GitcapError('E_MODEL_FORMAT', `${this.file}: ${problem}`);
  }

  private async ensure(n: number): Promise<void> {
    if (this.pos + n > this.size) throw this.fail('file ends inside the GGUF header');
    if (this.pos + n <= this.bufStart + this.buf.length) return;
    const want = Math.min(this.size - this.pos, Math.max(n, CHUNK));
    const buf = Buffer.alloc(want);
    const { bytesRead } = await this.fh.read(buf, 0, want, this.pos);
    if (bytesRead < n) throw this.fail('file ends inside the GGUF header');
    this.buf = buf.subarray(0, bytesRead);
    this.bufStart = this.pos;
  }

  private async at(n: number): Promise<number> {
    await this.ensure(n);
    const offset = this.pos - this.bufStart;
    this.pos += n;
    return offset;
  }

  /** Reads `n` bytes with `get` (the buffer may be replaced while waiting, so it is read after). */
  private async read<T>(n: number, get: (buf: Buffer, offset: number) => T): Promise<T> {
    const offset = await this.at(n);
    return get(this.buf, offset);
  }

  u8() { return this.read(1, (b, o) => b.readUInt8(o)); }
  i8() { return this.read(1, (b, o) => b.readInt8(o)); }
  u16() { return this.read(2, (b, o) => b.readUInt16LE(o)); }
  i16() { return this.read(2, (b, o) => b.readInt16LE(o)); }
  u32() { return this.read(4, (b, o) => b.readUInt32LE(o)); }
  i32() { return this.read(4, (b, o) => b.readInt32LE(o)); }
  f32() { return this.read(4, (b, o) => b.readFloatLE(o)); }
  f64() { return this.read(8, (b, o) => b.readDoubleLE(o)); }
  u64big() { return this.read(8, (b, o) => b.readBigUInt64LE(o)); }
  i64big() { return this.read(8, (b, o) => b.readBigInt64LE(o)); }

  /** A u64 that must fit a JS number and `limit`. */
  async count(what: string, limit: number): Promise<number> {
    const v = await this.u64big();
    if (v > BigInt(limit)) throw this.fail(`${what} ${v} is beyond what the file can hold`);
    return Number(v);
  }

  async string(): Promise<string> {
    const n = await this.count('string length', this.size - this.pos - 8);
    return this.read(n, (b, o) => b.toString('utf8', o, o + n));
  }
}

async function readScalar(c: Cursor, type: number): Promise<GgufScalar> {
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
    case GgufType.BOOL: return (await c.u8()) !== 0;
    case GgufType.STRING: return c.string();
    default: throw c.fail(`metadata value type ${type} is unknown`);
  }
}

async function readKv(c: Cursor): Promise<GgufKv> {
  const key = await c.string();
  const type = await c.u32();
  if (type !== GgufType.ARRAY) return { key, type, value: await readScalar(c, type) } as GgufKv;
  const itemType = await c.u32();
  if (itemType === GgufType.ARRAY) throw c.fail(`metadata ${key} is a nested array`);
  const n = await c.count(`array length of ${key}`, c.size - c.pos);
  const value: GgufScalar[] = [];
  for (let i = 0; i < n; i++) value.push(await readScalar(c, itemType));
  return { key, type, itemType, value } as GgufKv;
}

async function readTensorInfo(c: Cursor): Promise<GgufTensor> {
  const name = await c.string();
  const nDims = await c.u32();
  if (nDims < 1 || nDims > 4) throw c.fail(`tensor ${name} has ${nDims} dimensions`);
  const ne: number[] = [];
  for (let d = 0; d < nDims; d++) ne.push(await c.count(`dimension of ${name}`, Number.MAX_SAFE_INTEGER));
  const ggmlType = await c.u32();
  const offset = await c.count(`offset of ${name}`, c.size);
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

export async function readGgufMetadata(path: string): Promise<GgufMetadata> {
  const { fh, size } = await openForReading(path);
  try {
    const c = new Cursor(fh, path, size);
    if (size < 4 || (await c.u32()) !== GGUF_MAGIC) throw c.fail('not a GGUF file (bad magic)');
    const version = await c.u32();
    if (version !== 2 && version !== 3) throw new GitcapError('E_UNSUPPORTED', `${path}: GGUF version ${version} is not supported`);
    const nTensors = await c.count('tensor count', MAX_COUNT);
    const nKv = await c.count('metadata count', MAX_COUNT);
    const kv = new Map<string, GgufKv>();
    for (let i = 0; i < nKv; i++) {
      const entry = await readKv(c);
      if (kv.has(entry.key)) throw c.fail(`metadata key ${entry.key} appears twice`);
      kv.set(entry.key, entry);
    }
    const tensors: GgufTensor[] = [];
    for (let i = 0; i < nTensors; i++) tensors.push(await readTensorInfo(c));
    const alignEntry = kv.get(GGUF_KEY_ALIGNMENT);
    const alignment = alignEntry && alignEntry.type === GgufType.UINT32 ? (alignEntry.value as number) : GGUF_ALIGNMENT;
    if (alignment === 0 || (alignment & (alignment - 1)) !== 0) throw c.fail(`alignment ${alignment} is not a power of two`);
    const dataOffset = alignUp(c.pos, alignment);
    const names = new Set<string>();
    for (const t of tensors) {
      if (names.has(t.name)) throw c.fail(`tensor ${t.name} appears twice`);
      names.add(t.name);
      if (t.fileOffset % alignment !== 0) throw c.fail(`tensor ${t.name} is not aligned to ${alignment} bytes`);
      t.fileOffset += dataOffset;
      if (t.byteSize !== undefined && t.fileOffset + t.byteSize > size) {
        throw c.fail(`tensor ${t.name} reaches past the end of the file`);
      }
    }
    return { version, alignment, dataOffset, kv, tensors };
  } finally {
    await fh.close();
  }
}
