// Exact types of the addon's functions that only the tests call (native/addon/testing_hooks.cpp);
// its quantRowSize() and quantTypeInfo() are typed with the quantizer (quantize-types.ts).
import type { RawPixels, RawPreprocessParams } from './image-types.js';

/** native/addon/testing_hooks.cpp. All synchronous. */
export interface AddonTestingPart {
  /**
   * One ggml graph on the CPU backend: out[i][j] = sum_k a[i][k] * b[j][k] + bias[j], row-major,
   * `a` aRows x aCols, `b` bRows x aCols, `bias` bRows (optional); returns aRows x bRows.
   * Synchronous. Throws E_INVALID_ARG for shapes that do not match, E_BACKEND if ggml fails.
   */
  computeMatMul(
    a: Float32Array,
    aRows: number,
    aCols: number,
    b: Float32Array,
    bRows: number,
    threads: number,
    bias?: Float32Array,
  ): Float32Array;
  /** The image after RGB conversion, resize and center crop, before rescaling (uint8 RGB). */
  preprocessDebug(image: RawPixels, params: RawPreprocessParams): RawPixels;
}
