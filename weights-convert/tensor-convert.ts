// Converts one tensor a chunk of rows at a time: read from the checkpoint, decode to float32
// when needed, encode to the output type. Only one chunk is ever in memory.

import { GitcapError } from '../core/errors.js';
import { bfloat16ToFloat32, countNonFinite, float32ToHalf, halfToFloat32 } from './half.js';
import type { PlannedTensor } from './plan.js';
import { isBlockQuantized } from './quant-types.js';
import type { Quantizer } from './quantizer.js';
import { DTYPE_SIZE } from './tensor-source.js';

/** About 16 MiB of float32 per chunk. */
export const CHUNK_ELEMENTS = 1 << 22;

export interface ConvertedChunk {
  /** the converted bytes, valid until the next chunk is requested */
  bytes: Uint8Array;
  /** checkpoint bytes this chunk was made from */
  sourceBytes: number;
  /** NaN and infinite values in it */
  nonFinite: number;
}

function countNonFiniteHalf(bits: Uint16Array): number {
  let n = 0;
  for (let i = 0; i < bits.length; i++) if ((bits[i]! & 0x7c00) === 0x7c00) n++;
  return n;
}

function zeroNonFinite(values: Float32Array): void {
  for (let i = 0; i < values.length; i++) if (!Number.isFinite(values[i]!)) values[i] = 0;
}

export async function* convertTensor(t: PlannedTensor, quantizer: Quantizer | undefined): AsyncGenerator<ConvertedChunk> {
  const { source, nRows, nPerRow, type } = t;
  const srcSize = DTYPE_SIZE[source.dtype]!;
  const rowsPerChunk = Math.max(1, Math.floor(CHUNK_ELEMENTS / nPerRow));
  const maxElements = Math.min(rowsPerChunk, nRows) * nPerRow;
  const raw = new Uint8Array(maxElements * srcSize);
  const floats = source.dtype === 'F32' ? new Float32Array(raw.buffer) : new Float32Array(maxElements);
  const halves = type === 'f16' && source.dtype !== 'F16' ? new Uint16Array(maxElements) : undefined;

  for (let row = 0; row < nRows; row += rowsPerChunk) {
    const rows = Math.min(rowsPerChunk, nRows - row);
    const count = rows * nPerRow;
    await source.read(row * nPerRow, count, raw);
    const sourceBytes = count * srcSize;

    if (source.dtype === 'F16' && type === 'f16') {
      const bits = new Uint16Array(raw.buffer, 0, count);
      yield { bytes: raw.subarray(0, sourceBytes), sourceBytes, nonFinite: countNonFiniteHalf(bits) };
      continue;
    }
    const values = floats.subarray(0, count);
    if (source.dtype === 'F16') halfToFloat32(new Uint16Array(raw.buffer, 0, count), values);
    if (source.dtype === 'BF16') bfloat16ToFloat32(new Uint16Array(raw.buffer, 0, count), values);
    const nonFinite = countNonFinite(values);

    let bytes: Uint8Array;
    if (type === 'f32') {
      bytes = new Uint8Array(values.buffer, 0, count * 4);
    } else if (type === 'f16') {
      const out = halves!.subarray(0, count);
      float32ToHalf(values, out);
      bytes = new Uint8Array(out.buffer, 0, count * 2);
    } else if (isBlockQuantized(type) && quantizer) {
      // One NaN or infinity would spoil its whole block's scale (and trips ggml's asserts in
      // debug builds): quantize them as 0.
      if (nonFinite > 0) zeroNonFinite(values);
      bytes = quantizer.quantize(type, values, rows, nPerRow);
    } else {
      throw new GitcapError('E_NATIVE', `${t.ggufName}: no quantizer is loaded for ${type}`);
    }
    yield { bytes, sourceBytes, nonFinite };
  }
}
