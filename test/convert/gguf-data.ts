// Reads tensor data back out of a converted GGUF and states how far each type may be from
// its float32 source.

import { open } from 'node:fs/promises';
import type { GgufTensor } from '../../weights-convert/gguf-reader.js';
import { halfToFloat32 } from '../../weights-convert/half.js';
import type { QuantType } from '../../weights-convert/quant-types.js';
import { loadQuantizeAddon } from '../../weights-convert/native-quantizer.js';

export async function tensorBytes(file: string, t: GgufTensor): Promise<Uint8Array> {
  const fh = await open(file, 'r');
  try {
    const out = new Uint8Array(t.byteSize!);
    const { bytesRead } = await fh.read(out, 0, out.length, t.fileOffset);
    if (bytesRead !== out.length) throw new Error(`short read of ${t.name}`);
    return out;
  } finally {
    await fh.close();
  }
}

/** A GGUF tensor as float32 values (f32 copied, f16 widened, block types dequantized by ggml). */
export async function tensorValues(file: string, t: GgufTensor): Promise<Float32Array> {
  const bytes = await tensorBytes(file, t);
  if (t.typeName === 'f32') return new Float32Array(bytes.buffer);
  const n = t.ne.reduce((a, b) => a * b, 1);
  if (t.typeName === 'f16') {
    const out = new Float32Array(n);
    halfToFloat32(new Uint16Array(bytes.buffer), out);
    return out;
  }
  return loadQuantizeAddon().dequantize(t.typeName, bytes, n / t.ne[0]!, t.ne[0]!);
}

/**
 * Largest error allowed for one element of a block of `type`, given the block's largest
 * magnitude. Legacy types follow from their rounding (d = amax/127 for q8_0 rounds to d/2;
 * q4_0/q5_0 clamp the top code, so up to d; q4_1/q5_1 round to half of range/15 or range/31)
 * plus the f16 storage of the scales. K-quants search their scales, so no closed form: these
 * are the largest errors measured on Gaussian weights (0.016, 0.048, 0.087 x amax) with ~25% margin.
 */
export function blockErrorBound(type: Exclude<QuantType, 'f32' | 'f16'>, amax: number): number {
  const f16Scale = 2 ** -11;
  switch (type) {
    case 'q8_0': return amax * (1 / 254 + 2 * f16Scale);
    case 'q5_0': return amax * (1 / 16 + 2 * f16Scale);
    case 'q4_0': return amax * (1 / 8 + 4 * f16Scale);
    case 'q5_1': return amax * (1 / 31 + 3 * f16Scale);
    case 'q4_1': return amax * (1 / 15 + 3 * f16Scale);
    case 'q6_K': return amax * 0.02;
    case 'q5_K': return amax * 0.06;
    case 'q4_K': return amax * 0.11;
  }
}

export const BLOCK_ELEMENTS: Record<string, number> = {
  q8_0: 32, q5_0: 32, q5_1: 32, q4_0: 32, q4_1: 32, q6_K: 256, q5_K: 256, q4_K: 256,
};

/** The worst error of `got` against `want` as a fraction of what `type` allows (≤ 1 passes). */
export function worstBlockError(type: Exclude<QuantType, 'f32' | 'f16'>, want: Float32Array, got: Float32Array): number {
  const block = BLOCK_ELEMENTS[type]!;
  let worst = 0;
  for (let b = 0; b < want.length; b += block) {
    let amax = 0;
    for (let i = b; i < b + block; i++) amax = Math.max(amax, Math.abs(want[i]!));
    const bound = blockErrorBound(type, amax) + 1e-30;
    for (let i = b; i < b + block; i++) worst = Math.max(worst, Math.abs(got[i]! - want[i]!) / bound);
  }
  return worst;
}
