// The GGUF metadata of a converted GIT model, key by key (names in gguf-names.ts).

import { GgufType, type GgufKv } from './gguf-format.js';
import { KEY } from './gguf-names.js';
import type { GenerationDefaults } from './generation.js';
import type { GitHparams } from './hparams.js';
import type { Preprocessing } from './preprocessor.js';
import type { TokenizerInfo } from './tokenizer.js';

export interface ModelDescription {
  name: string;
  /** llama.cpp `general.file_type` */
  fileType: number;
  hparams: GitHparams;
  preprocessing: Preprocessing;
  tokenizer: TokenizerInfo;
  generation: GenerationDefaults;
}

const QUANTIZATION_VERSION = 2; // ggml's block layouts since 2023 (GGML_QNT_VERSION)

export function buildMetadata(m: ModelDescription): GgufKv[] {
  const kvs: GgufKv[] = [];
  const u32 = (key: string, value: number) => kvs.push({ key, type: GgufType.UINT32, value });
  const f32 = (key: string, value: number) => kvs.push({ key, type: GgufType.FLOAT32, value });
  const f64 = (key: string, value: number) => kvs.push({ key, type: GgufType.FLOAT64, value });
  const bool = (key: string, value: boolean) => kvs.push({ key, type: GgufType.BOOL, value });
  const str = (key: string, value: string) => kvs.push({ key, type: GgufType.STRING, value });
  const f32s = (key: string, value: number[]) => kvs.push({ key, type: GgufType.ARRAY, itemType: GgufType.FLOAT32, value });
  const strs = (key: string, value: string[]) => kvs.push({ key, type: GgufType.ARRAY, itemType: GgufType.STRING, value });

  str(KEY.ARCH, 'git');
  str(KEY.NAME, m.name);
  u32(KEY.FILE_TYPE, m.fileType);
  u32(KEY.QUANT_VERSION, QUANTIZATION_VERSION);

  const t = m.hparams.text;
  u32(KEY.CONTEXT_LENGTH, t.maxPositions);
  u32(KEY.EMBD, t.hidden);
  u32(KEY.BLOCK_COUNT, t.layers);
  u32(KEY.FFN, t.ffn);
  u32(KEY.HEAD_COUNT, t.heads);
  f32(KEY.LN_EPS, t.eps);
  u32(KEY.VOCAB_SIZE, t.vocabSize);
  str(KEY.HIDDEN_ACT, t.act);

  const v = m.hparams.vision;
  u32(KEY.V_IMAGE_SIZE, v.imageSize);
  u32(KEY.V_PATCH_SIZE, v.patchSize);
  u32(KEY.V_NUM_CHANNELS, v.channels);
  u32(KEY.V_EMBD, v.hidden);
  u32(KEY.V_BLOCK_COUNT, v.layers);
  u32(KEY.V_FFN, v.ffn);
  u32(KEY.V_HEAD_COUNT, v.heads);
  f32(KEY.V_LN_EPS, v.eps);
  str(KEY.V_HIDDEN_ACT, v.act);
  u32(KEY.V_NUM_FRAMES, m.hparams.numFrames);

  const p = m.preprocessing;
  str(KEY.IMG_PROCESSOR, p.processor);
  bool(KEY.IMG_DO_RESIZE, p.doResize);
  u32(KEY.IMG_SHORTEST_EDGE, p.shortestEdge);
  u32(KEY.IMG_RESIZE_HEIGHT, p.resizeHeight);
  u32(KEY.IMG_RESIZE_WIDTH, p.resizeWidth);
  u32(KEY.IMG_RESAMPLE, p.resample);
  bool(KEY.IMG_DO_CENTER_CROP, p.doCenterCrop);
  u32(KEY.IMG_CROP_HEIGHT, p.cropHeight);
  u32(KEY.IMG_CROP_WIDTH, p.cropWidth);
  bool(KEY.IMG_DO_RESCALE, p.doRescale);
  f64(KEY.IMG_RESCALE_FACTOR, p.rescaleFactor);
  bool(KEY.IMG_DO_NORMALIZE, p.doNormalize);
  f32s(KEY.IMG_MEAN, p.mean);
  f32s(KEY.IMG_STD, p.std);
  bool(KEY.IMG_DO_CONVERT_RGB, p.doConvertRgb);

  const k = m.tokenizer;
  const g = m.generation;
  str(KEY.TOK_MODEL, 'bert');
  strs(KEY.TOK_TOKENS, k.tokens);
  u32(KEY.TOK_BOS_ID, g.bosId);
  u32(KEY.TOK_EOS_ID, g.eosId);
  u32(KEY.TOK_PAD_ID, g.padId);
  u32(KEY.TOK_UNK_ID, k.unkId);
  u32(KEY.TOK_SEP_ID, k.sepId);
  u32(KEY.TOK_CLS_ID, k.clsId);
  u32(KEY.TOK_MASK_ID, k.maskId);
  bool(KEY.TOK_LOWER, k.doLowerCase);
  bool(KEY.TOK_STRIP_ACCENTS, k.stripAccents);
  bool(KEY.TOK_CHINESE_CHARS, k.tokenizeChineseChars);
  u32(KEY.TOK_MAX_WORD_CHARS, k.maxInputCharsPerWord);

  u32(KEY.GEN_MAX_LENGTH, g.maxLength);
  return kvs;
}
