// Hugging Face GIT checkpoint -> GGUF converter (see README "Converting models").
//
//   import { convertCheckpoint } from 'gitcap/weights-convert';
//   await convertCheckpoint('git-base-vatex/', 'git-base-vatex-q8_0.gguf', { type: 'q8_0' });

import { convert, type ConvertOptions, type ConvertResult } from './convert.js';
import { nativeQuantizer } from './native-quantizer.js';

export type { ConvertOptions, ConvertProgress, ConvertResult } from './convert.js';
export { DEFAULT_TYPE } from './convert.js';
export { QUANT_TYPES, isQuantType, type QuantType } from './quant-types.js';
export { readGgufMetadata, type GgufMetadata, type GgufTensor } from './gguf-reader.js';
export { GgufType, type GgufKv } from './gguf-format.js';
export { WEIGHTS_FILES } from './checkpoint.js';

/**
 * Converts the Hugging Face GIT checkpoint in `srcDir` (config.json, preprocessor_config.json,
 * tokenizer files, and model.safetensors / a sharded index / pytorch_model.bin) into one GGUF
 * file at `outPath`. The file appears only when complete.
 */
export function convertCheckpoint(srcDir: string, outPath: string, opts: ConvertOptions = {}): Promise<ConvertResult> {
  return convert(srcDir, outPath, opts, nativeQuantizer);
}
