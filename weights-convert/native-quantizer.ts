// The addon's quantizer (native/addon/quantize.cpp), loaded on first use.

import { loadAddon, withNativeErrors } from '../core/addon-loader.js';
import type { AddonQuantizePart } from '../core/quantize-types.js';
import type { Quantizer } from './quantizer.js';

/** The addon's quantize part; throws E_NATIVE (with every place tried) when it cannot load. */
export function loadQuantizeAddon(): AddonQuantizePart {
  return loadAddon().addon as AddonQuantizePart;
}

export async function nativeQuantizer(): Promise<Quantizer> {
  const addon = loadQuantizeAddon();
  return {
    quantize: (type, src, nRows, nPerRow) => withNativeErrors(() => addon.quantize(type, src, nRows, nPerRow)),
    dequantize: (type, src, nRows, nPerRow) => withNativeErrors(() => addon.dequantize(type, src, nRows, nPerRow)),
  };
}
