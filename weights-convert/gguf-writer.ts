// Serializes a GGUF v3 header (metadata + tensor infos + padding up to the data section).
// Tensor data is streamed after it by the converter, at the offsets given here.

import { GGUF_ALIGNMENT, GGUF_MAGIC, GGUF_VERSION, GgufType, alignUp, type GgufKv, type GgufScalar, type GgufTensorInfo } from './gguf-format.js';

class ByteWriter {
  private buf = Buffer.alloc(1 << 16);
  length = 0;

  private reserve(n: number): void {
    if (this.length + n <= this.buf.length) return;
    const bigger = Buffer.alloc(Math.max(this.buf.length * 2, this.length + n));
    this.buf.copy(bigger, 0, 0, this.length);
    this.buf = bigger;
  }

  u8(v: number) { this.reserve(1); this.buf.writeUInt8(v, this.length); this.length += 1; }
  i8(v: number) { this.reserve(1); this.buf.writeInt8(v, this.length); this.length += 1; }
  u16(v: number) { this.reserve(2); this.buf.writeUInt16LE(v, this.length); this.length += 2; }
  i16(v: number) { this.reserve(2); this.buf.writeInt16LE(v, this.length); this.length += 2; }
  u32(v: number) { this.reserve(4); this.buf.writeUInt32LE(v, this.length); this.length += 4; }
  i32(v: number) { this.reserve(4); this.buf.writeInt32LE(v, this.length); this.length += 4; }
  f32(v: number) { this.reserve(4); this.buf.writeFloatLE(v, this.length); this.length += 4; }
  f64(v: number) { this.reserve(8); this.buf.writeDoubleLE(v, this.length); this.length += 8; }
  u64(v: number | bigint) { this.reserve(8); this.buf.writeBigUInt64LE(BigInt(v), this.length); this.length += 8; }
  i64(v: number | bigint) { this.reserve(8); this.buf.writeBigInt64LE(BigInt(v), this.length); this.length += 8; }

  string(s: string) {
    const bytes = Buffer.from(s, 'utf8');
    this.u64(bytes.length);
    this.reserve(bytes.length);
    bytes.copy(this.buf, this.length);
    this.length += bytes.length;
  }

  padTo(alignment: number) {
    const n = alignUp(this.length, alignment) - this.length;
    this.reserve(n);
    this.buf.fill(0, this.length, this.length + n);
    this.length += n;
  }

  bytes(): Buffer {
    return this.buf.subarray(0, this.length);
  }
}

function writeScalar(w: ByteWriter, type: GgufType, v: GgufScalar): void {
  switch (type) {
    case GgufType.UINT8: return w.u8(v as number);
    case GgufType.INT8: return w.i8(v as number);
    case GgufType.UINT16: return w.u16(v as number);
    case GgufType.INT16: return w.i16(v as number);
    case GgufType.UINT32: return w.u32(v as number);
    case GgufType.INT32: return w.i32(v as number);
    case GgufType.FLOAT32: return w.f32(v as number);
    case GgufType.FLOAT64: return w.f64(v as number);
    case GgufType.UINT64: return w.u64(v as number | bigint);
    case GgufType.INT64: return w.i64(v as number | bigint);
    case GgufType.BOOL: return w.u8(v ? 1 : 0);
    case GgufType.STRING: return w.string(v as string);
    default: throw new Error(`GGUF value type ${type} cannot be written as a scalar`);
  }
}

/** The header bytes, padded so that the data section starts aligned right after it. */
export function serializeGgufHeader(kvs: readonly GgufKv[], tensors: readonly GgufTensorInfo[]): Buffer {
  const w = new ByteWriter();
  w.u32(GGUF_MAGIC);
  w.u32(GGUF_VERSION);
  w.u64(tensors.length);
  w.u64(kvs.length);
  for (const kv of kvs) {
    w.string(kv.key);
    w.u32(kv.type);
    if (kv.type === GgufType.ARRAY) {
      w.u32(kv.itemType);
      w.u64(kv.value.length);
      for (const item of kv.value) writeScalar(w, kv.itemType, item);
    } else {
      writeScalar(w, kv.type, kv.value);
    }
  }
  for (const t of tensors) {
    w.string(t.name);
    w.u32(t.ne.length);
    for (const n of t.ne) w.u64(n);
    w.u32(t.ggmlType);
    w.u64(t.offset);
  }
  w.padTo(GGUF_ALIGNMENT);
  return w.bytes();
}
