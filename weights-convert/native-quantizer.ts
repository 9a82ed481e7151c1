// The addon's quantizer (native/addon/quantize.cpp), loaded on first use.

import { callNative, getAddon } from '../lib/native/binding.js';
import type { AddonQuantizePart } from '../lib/native/quantize-types.js';
import type { Quantizer } from './quantizer.js';

/** The addon's quantize part; throws E_NATIVE (with every place tried) when it cannot load. */
export function loadQuantizeAddon(): AddonQuantizePart {
  return getAddon();
}

export async function nativeQuantizer(): Promise<Quantizer> {
  loadQuantizeAddon();
  return {
    quantize: (type, src, nRows, nPerRow) => callNative((a) => a.quantize(type, src, nRows, nPerRow)),
    dequantize: (type, src, nRows, nPerRow) => callNative((a) => a.dequantize(type, src, nRows, nPerRow)),
  };
}
