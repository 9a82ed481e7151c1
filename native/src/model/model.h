// The loaded GIT model: hyper-parameters and weights, read-only after load_model().
#pragma once

#include "kernels/attention_op.h"
#include "gitcap.h"
#include "gitcap_image.h"
#include "kernels/int8_gemm_op.h"
#include "kernels/thread_budget.h"
#include "gitcap_tokenizer.h"

#include "ggml.h"
#include "ggml-backend.h"
#include "gguf.h"

#include <string>
#include <vector>

namespace gitcap {

struct vision_hparams {
    int image_size = 224, patch_size = 16, num_channels = 3;
    int n_embd = 768, n_layer = 12, n_head = 12, n_ff = 3072;
    float eps = 1e-5f;
    int num_frames = 0; // 0 = single-image model (no temporal embeddings)

    int patches_per_side() const { return image_size / patch_size; }
    int tokens_per_image() const { return patches_per_side() * patches_per_side() + 1; }
    int frames() const { return num_frames > 0 ? num_frames : 1; }
};

struct text_hparams {
    int n_vocab = 30522, n_embd = 768, n_layer = 6, n_head = 12, n_ff = 3072, n_ctx = 1024;
    float eps = 1e-12f;
};

struct vision_layer {
    ggml_tensor * ln1_w = nullptr, * ln1_b = nullptr;   // layer_norm1
    ggml_tensor * q_w = nullptr, * q_b = nullptr;       // self_attn.q_proj
    ggml_tensor * k_w = nullptr, * k_b = nullptr;       // self_attn.k_proj
    ggml_tensor * v_w = nullptr, * v_b = nullptr;       // self_attn.v_proj
    ggml_tensor * o_w = nullptr, * o_b = nullptr;       // self_attn.out_proj
    ggml_tensor * ln2_w = nullptr, * ln2_b = nullptr;   // layer_norm2
    ggml_tensor * up_w = nullptr, * up_b = nullptr;     // mlp.fc1
    ggml_tensor * down_w = nullptr, * down_b = nullptr; // mlp.fc2
};

struct text_layer {
    ggml_tensor * q_w = nullptr, * q_b = nullptr;             // attention.self.query
    ggml_tensor * k_w = nullptr, * k_b = nullptr;             // attention.self.key
    ggml_tensor * v_w = nullptr, * v_b = nullptr;             // attention.self.value
    ggml_tensor * o_w = nullptr, * o_b = nullptr;             // attention.output.dense
    ggml_tensor * o_norm_w = nullptr, * o_norm_b = nullptr;   // attention.output.LayerNorm
    ggml_tensor * up_w = nullptr, * up_b = nullptr;           // intermediate.dense
    ggml_tensor * down_w = nullptr, * down_b = nullptr;       // output.dense
    ggml_tensor * out_norm_w = nullptr, * out_norm_b = nullptr; // output.LayerNorm
};

struct vision_weights {
    ggml_tensor * patch_embd = nullptr;               // [p, p, C, Dv] (ggml order), no bias
    ggml_tensor * class_embd = nullptr;               // [Dv]
    ggml_tensor * pos_embd = nullptr;                 // [Dv, 1+P]
    ggml_tensor * pre_ln_w = nullptr, * pre_ln_b = nullptr;
    std::vector<vision_layer> layers;
    ggml_tensor * post_ln_w = nullptr, * post_ln_b = nullptr;
    std::vector<ggml_tensor *> temporal;              // num_frames x [Dv, 1, 1]
    ggml_tensor * proj_w = nullptr, * proj_b = nullptr; // visual_projection.0 [Dv -> D]
    ggml_tensor * proj_norm_w = nullptr, * proj_norm_b = nullptr; // visual_projection.1 (vision eps)
};

struct text_weights {
    ggml_tensor * token_embd = nullptr;               // [D, V]
    ggml_tensor * pos_embd = nullptr;                 // [D, n_ctx]
    ggml_tensor * embd_norm_w = nullptr, * embd_norm_b = nullptr;
    std::vector<text_layer> layers;
    ggml_tensor * output_w = nullptr, * output_b = nullptr; // LM head [D -> V]
};

class model {
public:
    ~model();

    vision_hparams vhp;
    text_hparams thp;
    vision_weights vision;
    text_weights text;
    preprocess_params preprocess;
    std::unique_ptr<Tokenizer> tok;
    model_info info;

    // backends: [chosen device (if any), CPU]; weights live on devices[0]
    std::vector<ggml_backend_t> backends;
    ggml_backend_t cpu_backend = nullptr;
    ggml_context * ctx_weights = nullptr;       // tensor metadata of the weights
    std::vector<ggml_backend_buffer_t> buffers; // weight storage (host-ptr buffer over the mapping, or device)
    struct mapping;
    std::unique_ptr<mapping> map;
    // q8_0 / q4_0 linear weights repacked for the int8 kernels (CPU with the mapped file, x86 AVX-512 VNNI)
    std::unique_ptr<packed_weights> packed;
    // gitcap's attention kernel for graphs on the CPU (chosen at load: GITCAP_ATTENTION is checked then)
    attention_kind attention = attention_kind::none;
    // Whether graphs on the CPU use gitcap's AVX-512 operations: LayerNorm as one operation
    // (layer_norm_op.h), the decode steps' products over the cached image keys (image_attention_op.h)
    bool cpu_fused_ops = false;
    // CPU threads chosen per graph from the load on the machine; null when the caller set a count
    std::unique_ptr<thread_budget> threads;
};

} // namespace gitcap
