// config.json -> hyper-parameters, with transformers' GitConfig / GitVisionConfig defaults
// for every omitted key (the Hub's configs omit many).

import { GitcapError } from '../core/errors.js';
import * as cv from './config-values.js';

/** The activations the engine implements (transformers' ACT2FN names): every GIT model's. */
export const TEXT_ACTIVATIONS = ['gelu'];
export const VISION_ACTIVATIONS = ['quick_gelu'];

export interface VisionHparams {
  hidden: number;
  ffn: number;
  layers: number;
  heads: number;
  channels: number;
  imageSize: number;
  patchSize: number;
  act: string;
  eps: number;
  /** patches per image side: imageSize / patchSize */
  patchesPerSide: number;
}

export interface TextHparams {
  vocabSize: number;
  hidden: number;
  layers: number;
  heads: number;
  ffn: number;
  act: string;
  maxPositions: number;
  eps: number;
}

export interface GitHparams {
  text: TextHparams;
  vision: VisionHparams;
  /** num_image_with_embedding: frames with a temporal embedding; 0 for single-image models */
  numFrames: number;
  tieWordEmbeddings: boolean;
  bosId: number;
  eosId: number;
  padId: number;
}

function activation(file: string, obj: cv.Json, key: string, supported: string[]): string {
  const act = cv.string(file, obj, key, supported[0]!);
  if (!supported.includes(act)) {
    throw new GitcapError('E_UNSUPPORTED', `${file}: ${key} "${act}" is not supported (supported: ${supported.join(', ')})`);
  }
  return act;
}

function checkHeads(file: string, prefix: string, hidden: number, heads: number): void {
  if (hidden % heads !== 0) {
    throw new GitcapError('E_MODEL_FORMAT', `${file}: ${prefix}hidden_size ${hidden} is not a multiple of num_attention_heads ${heads}`);
  }
}

function visionHparams(file: string, config: cv.Json): VisionHparams {
  const v = cv.object(file, config, 'vision_config');
  const hidden = cv.positiveInt(file, v, 'hidden_size', 768);
  const heads = cv.positiveInt(file, v, 'num_attention_heads', 12);
  checkHeads(file, 'vision_config.', hidden, heads);
  const imageSize = cv.positiveInt(file, v, 'image_size', 224);
  const patchSize = cv.positiveInt(file, v, 'patch_size', 16);
  if (imageSize % patchSize !== 0) {
    throw new GitcapError('E_UNSUPPORTED', `${file}: image_size ${imageSize} is not a multiple of patch_size ${patchSize}`);
  }
  const channels = cv.positiveInt(file, v, 'num_channels', 3);
  if (channels !== 3) throw new GitcapError('E_UNSUPPORTED', `${file}: num_channels ${channels} is not supported (expected 3)`);
  return {
    hidden,
    ffn: cv.positiveInt(file, v, 'intermediate_size', 3072),
    layers: cv.positiveInt(file, v, 'num_hidden_layers', 12),
    heads,
    channels,
    imageSize,
    patchSize,
    act: activation(file, v, 'hidden_act', VISION_ACTIVATIONS),
    eps: cv.positiveNumber(file, v, 'layer_norm_eps', 1e-5),
    patchesPerSide: imageSize / patchSize,
  };
}

/** Hyper-parameters from a parsed config.json; `file` names it in messages. */
export function parseHparams(file: string, config: cv.Json): GitHparams {
  const modelType = config.model_type;
  if (modelType !== 'git') {
    throw new GitcapError('E_UNSUPPORTED', `${file}: model_type ${JSON.stringify(modelType ?? null)} is not supported (expected "git")`);
  }
  const positionType = cv.string(file, config, 'position_embedding_type', 'absolute');
  if (positionType !== 'absolute') {
    throw new GitcapError('E_UNSUPPORTED', `${file}: position_embedding_type "${positionType}" is not supported (expected "absolute")`);
  }
  const hidden = cv.positiveInt(file, config, 'hidden_size', 768);
  const heads = cv.positiveInt(file, config, 'num_attention_heads', 12);
  checkHeads(file, '', hidden, heads);
  return {
    text: {
      vocabSize: cv.positiveInt(file, config, 'vocab_size', 30522),
      hidden,
      layers: cv.positiveInt(file, config, 'num_hidden_layers', 6),
      heads,
      ffn: cv.positiveInt(file, config, 'intermediate_size', 3072),
      act: activation(file, config, 'hidden_act', TEXT_ACTIVATIONS),
      maxPositions: cv.positiveInt(file, config, 'max_position_embeddings', 1024),
      eps: cv.positiveNumber(file, config, 'layer_norm_eps', 1e-12),
    },
    vision: visionHparams(file, config),
    // null means "single image"; 0 would be meaningless, so it is rejected like other bad counts.
    numFrames: config.num_image_with_embedding == null ? 0 : cv.positiveInt(file, config, 'num_image_with_embedding', 0),
    tieWordEmbeddings: cv.boolean(file, config, 'tie_word_embeddings', false),
    bosId: cv.nonNegativeInt(file, config, 'bos_token_id', 101),
    eosId: cv.nonNegativeInt(file, config, 'eos_token_id', 102),
    padId: cv.nonNegativeInt(file, config, 'pad_token_id', 0),
  };
}
