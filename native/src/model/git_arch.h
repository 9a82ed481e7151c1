// Every GGUF key and tensor name of the "git" architecture, in one place.
// weights-convert/gguf-names.ts writes exactly these; keep the two in step.
#pragma once

// --- general ---------------------------------------------------------------
#define KEY_ARCH                 "general.architecture"       // string "git"
#define KEY_NAME                 "general.name"               // string
#define KEY_FILE_TYPE            "general.file_type"          // u32 (llama.cpp ftype numbering)
#define KEY_QUANT_VERSION        "general.quantization_version" // u32 (2)

// --- text decoder (GitConfig) -----------------------------------------------
#define KEY_CONTEXT_LENGTH       "git.context_length"         // u32 max_position_embeddings
#define KEY_EMBD                 "git.embedding_length"       // u32 hidden_size
#define KEY_BLOCK_COUNT          "git.block_count"            // u32 num_hidden_layers
#define KEY_FFN                  "git.feed_forward_length"    // u32 intermediate_size
#define KEY_HEAD_COUNT           "git.attention.head_count"   // u32 num_attention_heads
#define KEY_LN_EPS               "git.attention.layer_norm_epsilon" // f32 layer_norm_eps
#define KEY_VOCAB_SIZE           "git.vocab_size"             // u32
#define KEY_HIDDEN_ACT           "git.hidden_act"             // string ("gelu")

// --- vision tower (GitVisionConfig) -------------------------------------------
#define KEY_V_IMAGE_SIZE         "git.vision.image_size"      // u32
#define KEY_V_PATCH_SIZE         "git.vision.patch_size"      // u32
#define KEY_V_NUM_CHANNELS       "git.vision.num_channels"    // u32 (3)
#define KEY_V_EMBD               "git.vision.embedding_length" // u32
#define KEY_V_BLOCK_COUNT        "git.vision.block_count"     // u32
#define KEY_V_FFN                "git.vision.feed_forward_length" // u32
#define KEY_V_HEAD_COUNT         "git.vision.attention.head_count" // u32
#define KEY_V_LN_EPS             "git.vision.attention.layer_norm_epsilon" // f32 (also the eps of mm.norm)
#define KEY_V_HIDDEN_ACT         "git.vision.hidden_act"      // string ("quick_gelu")
#define KEY_V_NUM_FRAMES         "git.vision.num_frames"      // u32 num_image_with_embedding (0 = single image)

// --- preprocessing (preprocessor_config.json) -----------------------------------
#define KEY_IMG_PROCESSOR        "git.image.processor"        // string image_processor_type
#define KEY_IMG_DO_RESIZE        "git.image.do_resize"        // bool
#define KEY_IMG_SHORTEST_EDGE    "git.image.shortest_edge"    // u32 (0 when size is height/width)
#define KEY_IMG_RESIZE_HEIGHT    "git.image.resize_height"    // u32 (0 unless size is height/width)
#define KEY_IMG_RESIZE_WIDTH     "git.image.resize_width"     // u32
#define KEY_IMG_RESAMPLE         "git.image.resample"         // u32 PIL code: 0 nearest, 1 lanczos, 2 bilinear, 3 bicubic, 4 box, 5 hamming
#define KEY_IMG_DO_CENTER_CROP   "git.image.do_center_crop"   // bool
#define KEY_IMG_CROP_HEIGHT      "git.image.crop_height"      // u32
#define KEY_IMG_CROP_WIDTH       "git.image.crop_width"       // u32
#define KEY_IMG_DO_RESCALE       "git.image.do_rescale"       // bool
#define KEY_IMG_RESCALE_FACTOR   "git.image.rescale_factor"   // f64
#define KEY_IMG_DO_NORMALIZE     "git.image.do_normalize"     // bool
#define KEY_IMG_MEAN             "git.image.mean"             // f32[num_channels]
#define KEY_IMG_STD              "git.image.std"              // f32[num_channels]
#define KEY_IMG_DO_CONVERT_RGB   "git.image.do_convert_rgb"   // bool

// --- tokenizer -------------------------------------------------------------------
#define KEY_TOK_MODEL            "tokenizer.ggml.model"       // string "bert"
#define KEY_TOK_TOKENS           "tokenizer.ggml.tokens"      // string[vocab]
#define KEY_TOK_BOS_ID           "tokenizer.ggml.bos_token_id"       // u32 (101: generation starts here)
#define KEY_TOK_EOS_ID           "tokenizer.ggml.eos_token_id"       // u32 (102)
#define KEY_TOK_PAD_ID           "tokenizer.ggml.padding_token_id"   // u32 (0)
#define KEY_TOK_UNK_ID           "tokenizer.ggml.unknown_token_id"   // u32 (100)
#define KEY_TOK_SEP_ID           "tokenizer.ggml.seperator_token_id" // u32 (102; gguf-py spelling)
#define KEY_TOK_CLS_ID           "tokenizer.ggml.cls_token_id"       // u32 (101)
#define KEY_TOK_MASK_ID          "tokenizer.ggml.mask_token_id"      // u32 (103)
#define KEY_TOK_LOWER            "tokenizer.ggml.do_lower_case"      // bool
#define KEY_TOK_STRIP_ACCENTS    "tokenizer.ggml.strip_accents"      // bool (resolved: null -> do_lower_case)
#define KEY_TOK_CHINESE_CHARS    "tokenizer.ggml.tokenize_chinese_chars" // bool
#define KEY_TOK_MAX_WORD_CHARS   "tokenizer.ggml.max_input_chars_per_word" // u32 (100)

// --- generation defaults (generation_config.json) ---------------------------------
#define KEY_GEN_MAX_LENGTH       "git.generation.max_length"  // u32 (20; counts the prompt)

// --- tensors (PyTorch names in comments; ggml shapes are reversed) -----------------
// vision: git.image_encoder.vision_model.*
#define TN_V_PATCH_EMBD   "v.patch_embd.weight"    // embeddings.patch_embedding.weight [Dv,C,p,p], no bias
#define TN_V_CLASS_EMBD   "v.class_embd"           // embeddings.class_embedding [Dv]
#define TN_V_POS_EMBD     "v.pos_embd.weight"      // embeddings.position_embedding.weight [1+P,Dv]
#define TN_V_PRE_LN       "v.pre_ln.%s"            // pre_layrnorm.{weight,bias}
#define TN_V_LN1          "v.blk.%d.ln1.%s"        // encoder.layers.N.layer_norm1
#define TN_V_ATTN_Q       "v.blk.%d.attn_q.%s"     // encoder.layers.N.self_attn.q_proj
#define TN_V_ATTN_K       "v.blk.%d.attn_k.%s"     // encoder.layers.N.self_attn.k_proj
#define TN_V_ATTN_V       "v.blk.%d.attn_v.%s"     // encoder.layers.N.self_attn.v_proj
#define TN_V_ATTN_OUT     "v.blk.%d.attn_out.%s"   // encoder.layers.N.self_attn.out_proj
#define TN_V_LN2          "v.blk.%d.ln2.%s"        // encoder.layers.N.layer_norm2
#define TN_V_FFN_UP       "v.blk.%d.ffn_up.%s"     // encoder.layers.N.mlp.fc1
#define TN_V_FFN_DOWN     "v.blk.%d.ffn_down.%s"   // encoder.layers.N.mlp.fc2
#define TN_V_POST_LN      "v.post_ln.%s"           // post_layernorm
#define TN_V_TEMPORAL     "v.temporal_embd.%d"     // git.img_temperal_embedding.N [1,1,Dv]
// projection: git.visual_projection.visual_projection.{0,1}
#define TN_MM_PROJ        "mm.proj.%s"             // .0 Linear [D,Dv]
#define TN_MM_NORM        "mm.norm.%s"             // .1 LayerNorm [D] (vision eps)
// text: git.embeddings.*, git.encoder.layer.N.*, output
#define TN_TOKEN_EMBD      "token_embd.weight"     // embeddings.word_embeddings.weight [V,D]
#define TN_POS_EMBD        "pos_embd.weight"       // embeddings.position_embeddings.weight [maxpos,D]
#define TN_TOKEN_EMBD_NORM "token_embd_norm.%s"    // embeddings.LayerNorm
#define TN_ATTN_Q          "blk.%d.attn_q.%s"      // attention.self.query
#define TN_ATTN_K          "blk.%d.attn_k.%s"      // attention.self.key
#define TN_ATTN_V          "blk.%d.attn_v.%s"      // attention.self.value
#define TN_ATTN_OUT        "blk.%d.attn_out.%s"    // attention.output.dense
#define TN_ATTN_OUT_NORM   "blk.%d.attn_out_norm.%s" // attention.output.LayerNorm
#define TN_FFN_UP          "blk.%d.ffn_up.%s"      // intermediate.dense
#define TN_FFN_DOWN        "blk.%d.ffn_down.%s"    // output.dense
#define TN_FFN_OUT_NORM    "blk.%d.ffn_out_norm.%s" // output.LayerNorm
#define TN_OUTPUT          "output.%s"             // output (LM head, with bias, not tied)
