// IEEE half and bfloat16 <-> float32 conversions over whole arrays.
// float32 -> half rounds to nearest, ties to even (what PyTorch, numpy and F16C do).

const f32Scratch = new Float32Array(1);
const u32Scratch = new Uint32Array(f32Scratch.buffer);

/** Every half value as float32, indexed by its 16 bits; built on first use, not at import. */
let halfToFloat: Float32Array | undefined;

function halfBitsToFloat(h: number): number {
  const sign = h & 0x8000 ? -1 : 1;
  const exp = (h >> 10) & 0x1f;
  const mant = h & 0x3ff;
  if (exp === 0) return sign * mant * 2 ** -24;
  if (exp === 0x1f) return mant ? NaN : sign * Infinity;
  return sign * (1 + mant / 1024) * 2 ** (exp - 15);
}

function buildHalfTable(): Float32Array {
  const table = new Float32Array(65536);
  for (let h = 0; h < 65536; h++) table[h] = halfBitsToFloat(h);
  // Keep NaN payloads' sign and quiet bit as a hardware conversion would.
  for (let h = 0; h < 65536; h++) {
    if ((h & 0x7c00) === 0x7c00 && (h & 0x3ff) !== 0) {
      u32Scratch[0] = ((h & 0x8000) << 16) | 0x7f800000 | ((h & 0x3ff) << 13);
      table[h] = f32Scratch[0]!;
    }
  }
  return table;
}

// float32 -> half with round-to-nearest-even in integer arithmetic (F. Giesen's
// float_to_half_fast3_rtne): normal results round by adding 0xfff plus the lowest kept bit;
// subnormal results let the FPU round, by adding a magic number that aligns the bits.
const DENORM_MAGIC_BITS = (127 - 15 + (23 - 10) + 1) << 23;
const DENORM_MAGIC = (() => {
  u32Scratch[0] = DENORM_MAGIC_BITS;
  return f32Scratch[0]!;
})();

/** Half bits of one float32 given as its 32 bits. */
export function floatBitsToHalf(x: number): number {
  const sign = (x >>> 16) & 0x8000;
  const f = x & 0x7fffffff;
  if (f >= 0x47800000) return sign | (f > 0x7f800000 ? 0x7e00 : 0x7c00); // NaN stays NaN; >= 65520 -> inf
  if (f < 0x38800000) {
    u32Scratch[0] = f;
    f32Scratch[0] = f32Scratch[0]! + DENORM_MAGIC;
    return sign | (u32Scratch[0]! - DENORM_MAGIC_BITS);
  }
  // Rebias the exponent (127 -> 15) and round; a carry out of the mantissa bumps the exponent.
  return sign | ((f + 0xc8000fff + ((f >>> 13) & 1)) >>> 13);
}

export function halfToFloat32(src: Uint16Array, dst: Float32Array): void {
  const table = (halfToFloat ??= buildHalfTable());
  for (let i = 0; i < src.length; i++) dst[i] = table[src[i]!]!;
}

export function bfloat16ToFloat32(src: Uint16Array, dst: Float32Array): void {
  const out = new Uint32Array(dst.buffer, dst.byteOffset, dst.length);
  for (let i = 0; i < src.length; i++) out[i] = src[i]! << 16;
}

export function float32ToHalf(src: Float32Array, dst: Uint16Array): void {
  const bits = new Uint32Array(src.buffer, src.byteOffset, src.length);
  for (let i = 0; i < bits.length; i++) dst[i] = floatBitsToHalf(bits[i]!);
}

/** Count of NaN and infinite values. */
export function countNonFinite(values: Float32Array): number {
  let n = 0;
  for (let i = 0; i < values.length; i++) {
    const v = values[i]!;
    if (v - v !== 0) n++; // NaN - NaN and Inf - Inf are NaN
  }
  return n;
}
