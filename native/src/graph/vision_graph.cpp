#include "graph/vision_graph.h"

#include "graph/graph_helpers.h"

#include <cmath>

namespace gitcap {

// One pre-LN CLIP encoder layer over every frame at once; attention stays within each frame.
static ggml_tensor * vision_block(graph_context & g, const vision_layer & L, const vision_hparams & hp, ggml_tensor * x,
                                  int64_t n_tok, int64_t n_frames) {
    ggml_context * ctx = g.ctx();
    const int H = hp.n_head;
    const float scale = 1.0f / std::sqrt(float(hp.n_embd / H));

    ggml_tensor * h = layer_norm(g, x, L.ln1_w, L.ln1_b, hp.eps);                          // [Dv, n_tok*F]
    ggml_tensor * q = split_heads(ctx, linear(g, h, L.q_w, L.q_b), H, n_tok, n_frames);      // [hd, n_tok, H, F]
    ggml_tensor * k = split_heads(ctx, linear(g, h, L.k_w, L.k_b), H, n_tok, n_frames);
    ggml_tensor * v = split_heads(ctx, linear(g, h, L.v_w, L.v_b), H, n_tok, n_frames);
    ggml_tensor * attn = attention(g, q, k, v, scale);                                // [Dv, n_tok*F]
    x = linear(g, attn, L.o_w, L.o_b, x);                                                   // x + attention

    h = layer_norm(g, x, L.ln2_w, L.ln2_b, hp.eps);
    return quick_gelu_mlp(g, h, L.up_w, L.up_b, L.down_w, L.down_b, x);                       // [Dv, n_tok*F]
}

ggml_tensor * build_vision_graph(graph_context & g, const model & m, int n_frames, bool video) {
    ggml_context * ctx = g.ctx();
    const auto & hp = m.vhp;
    const auto & w = m.vision;
    const int64_t Dv = hp.n_embd, side = hp.patches_per_side(), n_patch = side * side, n_tok = n_patch + 1;

    ggml_tensor * pixels = g.input("pixels", GGML_TYPE_F32, hp.image_size, hp.image_size, hp.num_channels, n_frames);

    // patch embedding: a stride-p convolution without bias, as im2col + one matmul. (ggml_conv_2d
    // would round the pixels to f16 in its im2col.)
    ggml_tensor * cols = ggml_im2col(ctx, w.patch_embd, pixels, hp.patch_size, hp.patch_size, 0, 0, 1, 1, true,
                                     GGML_TYPE_F32);                                          // [C*p*p, side, side, F]
    const int64_t K = cols->ne[0];
    ggml_tensor * x = ggml_mul_mat(ctx, ggml_reshape_2d(ctx, w.patch_embd, K, Dv),
                                   ggml_reshape_2d(ctx, cols, K, n_patch * n_frames));        // [Dv, P*F]
    x = ggml_reshape_3d(ctx, x, Dv, n_patch, n_frames);

    ggml_tensor * cls = ggml_repeat(ctx, ggml_reshape_3d(ctx, w.class_embd, Dv, 1, 1),
                                    ggml_new_tensor_3d(ctx, GGML_TYPE_F32, Dv, 1, n_frames)); // [Dv, 1, F]
    x = ggml_concat(ctx, cls, x, 1);                                                         // [Dv, 1+P, F]
    x = ggml_add(ctx, x, w.pos_embd);
    x = ggml_reshape_2d(ctx, x, Dv, n_tok * n_frames);
    x = layer_norm(g, x, w.pre_ln_w, w.pre_ln_b, hp.eps);

    for (const auto & layer : w.layers) x = vision_block(g, layer, hp, x, n_tok, n_frames);

    x = layer_norm(g, x, w.post_ln_w, w.post_ln_b, hp.eps);                                // [Dv, n_tok*F]
    g.named(ggml_view_2d(ctx, x, Dv, n_tok, x->nb[1], 0), "vision.frame0");

    if (video) {
        // each frame gets its own temporal embedding, added after post_layernorm
        ggml_tensor * temporal = w.temporal[0];
        for (int f = 1; f < n_frames; f++) temporal = ggml_concat(ctx, temporal, w.temporal[f], 2); // [Dv, 1, F]
        x = ggml_add(ctx, ggml_reshape_3d(ctx, x, Dv, n_tok, n_frames), temporal);
        x = ggml_reshape_2d(ctx, x, Dv, n_tok * n_frames);
    }
    g.named(x, "vision.temporal");

    x = linear(g, x, w.proj_w, w.proj_b);                                                  // [D, n_tok*F]
    x = layer_norm(g, x, w.proj_norm_w, w.proj_norm_b, hp.eps);                            // vision eps, as in HF
    g.named(x, "vision.projected");
    g.output(x, "image_features");
    return x;
}

} // namespace gitcap
