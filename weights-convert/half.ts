// IEEE half and bfloat16 <-> float32 conversions over whole arrays.
// float32 -> half rounds to nearest, ties to even (what PyTorch, numpy and F16C do).

const f32Scratch = new Float32Array(1);
const u32Scratch = new Uint32Array(f32Scratch.buffer);

/** Every half value as float32, indexed by its 16 bits. */
const HALF_TO_FLOAT = buildHalfTable();

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

/** Half bits of one float32 given as its 32 bits. */
export function floatBitsToHalf(x: number): number {
  const sign = (x >>> 16) & 0x8000;
  const exp = (x >>> 23) & 0xff;
  const mant = x & 0x7fffff;
  if (exp === 0xff) return sign | 0x7c00 | (mant ? 0x200 | (mant >>> 13) : 0);
  const e = exp - 112; // rebias 127 -> 15
  if (e >= 0x1f) return sign | 0x7c00;
  if (e <= 0) {
    // Result is subnormal (or zero): shift the full significand into the 10-bit field.
    if (e < -10) return sign;
    const full = mant | 0x800000;
    const shift = 14 - e;
    const half = full >>> shift;
    const rem = full & ((1 << shift) - 1);
    const midpoint = 1 << (shift - 1);
    const roundUp = rem > midpoint || (rem === midpoint && (half & 1) === 1);
    return sign | (half + (roundUp ? 1 : 0));
  }
  const half = (e << 10) | (mant >>> 13);
  const rem = mant & 0x1fff;
  // A carry out of the mantissa correctly bumps the exponent (up to infinity).
  const roundUp = rem > 0x1000 || (rem === 0x1000 && (half & 1) === 1);
  return sign | (half + (roundUp ? 1 : 0));
}

export function halfToFloat32(src: Uint16Array, dst: Float32Array): void {
  for (let i = 0; i < src.length; i++) dst[i] = HALF_TO_FLOAT[src[i]!]!;
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
