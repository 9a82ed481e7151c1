// The quantizer the converter uses: ggml's, through the addon (native/addon/quantize.cpp).

import type { QuantType } from './quant-types.js';

export interface Quantizer {
  /** nRows rows of nPerRow floats -> nRows * rowSize(type, nPerRow) bytes */
  quantize(type: QuantType, src: Float32Array, nRows: number, nPerRow: number): Uint8Array;
  /** the inverse */
  dequantize(type: QuantType, src: Uint8Array, nRows: number, nPerRow: number): Float32Array;
}
