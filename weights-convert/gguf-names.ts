// Every GGUF key and tensor name of the "git" architecture.
// Mirrors native/src/model/git_arch.h one to one; keep the two in step.

export const KEY = {
  // general
  ARCH: 'general.architecture',
  NAME: 'general.name',
  FILE_TYPE: 'general.file_type',
  QUANT_VERSION: 'general.quantization_version',

  // text decoder (GitConfig)
  CONTEXT_LENGTH: 'git.context_length',
  EMBD: 'git.embedding_length',
  BLOCK_COUNT: 'git.block_count',
  FFN: 'git.feed_forward_length',
  HEAD_COUNT: 'git.attention.head_count',
  LN_EPS: 'git.attention.layer_norm_epsilon',
  VOCAB_SIZE: 'git.vocab_size',
  HIDDEN_ACT: 'git.hidden_act',

  // vision tower (GitVisionConfig)
  V_IMAGE_SIZE: 'git.vision.image_size',
  V_PATCH_SIZE: 'git.vision.patch_size',
  V_NUM_CHANNELS: 'git.vision.num_channels',
  V_EMBD: 'git.vision.embedding_length',
  V_BLOCK_COUNT: 'git.vision.block_count',
  V_FFN: 'git.vision.feed_forward_length',
  V_HEAD_COUNT: 'git.vision.attention.head_count',
  V_LN_EPS: 'git.vision.attention.layer_norm_epsilon',
  V_HIDDEN_ACT: 'git.vision.hidden_act',
  V_NUM_FRAMES: 'git.vision.num_frames',

  // preprocessing (preprocessor_config.json)
  IMG_PROCESSOR: 'git.image.processor',
  IMG_DO_RESIZE: 'git.image.do_resize',
  IMG_SHORTEST_EDGE: 'git.image.shortest_edge',
  IMG_RESIZE_HEIGHT: 'git.image.resize_height',
  IMG_RESIZE_WIDTH: 'git.image.resize_width',
  IMG_RESAMPLE: 'git.image.resample',
  IMG_DO_CENTER_CROP: 'git.image.do_center_crop',
  IMG_CROP_HEIGHT: 'git.image.crop_height',
  IMG_CROP_WIDTH: 'git.image.crop_width',
  IMG_DO_RESCALE: 'git.image.do_rescale',
  IMG_RESCALE_FACTOR: 'git.image.rescale_factor',
  IMG_DO_NORMALIZE: 'git.image.do_normalize',
  IMG_MEAN: 'git.image.mean',
  IMG_STD: 'git.image.std',
  IMG_DO_CONVERT_RGB: 'git.image.do_convert_rgb',

  // tokenizer
  TOK_MODEL: 'tokenizer.ggml.model',
  TOK_TOKENS: 'tokenizer.ggml.tokens',
  TOK_BOS_ID: 'tokenizer.ggml.bos_token_id',
  TOK_EOS_ID: 'tokenizer.ggml.eos_token_id',
  TOK_PAD_ID: 'tokenizer.ggml.padding_token_id',
  TOK_UNK_ID: 'tokenizer.ggml.unknown_token_id',
  TOK_SEP_ID: 'tokenizer.ggml.seperator_token_id', // gguf-py spelling
  TOK_CLS_ID: 'tokenizer.ggml.cls_token_id',
  TOK_MASK_ID: 'tokenizer.ggml.mask_token_id',
  TOK_LOWER: 'tokenizer.ggml.do_lower_case',
  TOK_STRIP_ACCENTS: 'tokenizer.ggml.strip_accents',
  TOK_CHINESE_CHARS: 'tokenizer.ggml.tokenize_chinese_chars',
  TOK_MAX_WORD_CHARS: 'tokenizer.ggml.max_input_chars_per_word',

  // generation defaults (generation_config.json)
  GEN_MAX_LENGTH: 'git.generation.max_length',
} as const;

/** Tensor names; `suffix` is "weight" or "bias", `il` a layer or frame index. */
export const TN = {
  V_PATCH_EMBD: 'v.patch_embd.weight',
  V_CLASS_EMBD: 'v.class_embd',
  V_POS_EMBD: 'v.pos_embd.weight',
  vPreLn: (suffix: string) => `v.pre_ln.${suffix}`,
  vLn1: (il: number, suffix: string) => `v.blk.${il}.ln1.${suffix}`,
  vAttnQ: (il: number, suffix: string) => `v.blk.${il}.attn_q.${suffix}`,
  vAttnK: (il: number, suffix: string) => `v.blk.${il}.attn_k.${suffix}`,
  vAttnV: (il: number, suffix: string) => `v.blk.${il}.attn_v.${suffix}`,
  vAttnOut: (il: number, suffix: string) => `v.blk.${il}.attn_out.${suffix}`,
  vLn2: (il: number, suffix: string) => `v.blk.${il}.ln2.${suffix}`,
  vFfnUp: (il: number, suffix: string) => `v.blk.${il}.ffn_up.${suffix}`,
  vFfnDown: (il: number, suffix: string) => `v.blk.${il}.ffn_down.${suffix}`,
  vPostLn: (suffix: string) => `v.post_ln.${suffix}`,
  vTemporal: (frame: number) => `v.temporal_embd.${frame}`,
  mmProj: (suffix: string) => `mm.proj.${suffix}`,
  mmNorm: (suffix: string) => `mm.norm.${suffix}`,
  TOKEN_EMBD: 'token_embd.weight',
  POS_EMBD: 'pos_embd.weight',
  tokenEmbdNorm: (suffix: string) => `token_embd_norm.${suffix}`,
  attnQ: (il: number, suffix: string) => `blk.${il}.attn_q.${suffix}`,
  attnK: (il: number, suffix: string) => `blk.${il}.attn_k.${suffix}`,
  attnV: (il: number, suffix: string) => `blk.${il}.attn_v.${suffix}`,
  attnOut: (il: number, suffix: string) => `blk.${il}.attn_out.${suffix}`,
  attnOutNorm: (il: number, suffix: string) => `blk.${il}.attn_out_norm.${suffix}`,
  ffnUp: (il: number, suffix: string) => `blk.${il}.ffn_up.${suffix}`,
  ffnDown: (il: number, suffix: string) => `blk.${il}.ffn_down.${suffix}`,
  ffnOutNorm: (il: number, suffix: string) => `blk.${il}.ffn_out_norm.${suffix}`,
  output: (suffix: string) => `output.${suffix}`,
} as const;
