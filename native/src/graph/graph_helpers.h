// Small graph-building helpers shared by the vision and text graphs.
#pragma once

#include "kernels/attention_op.h"
#include "graph/graph_context.h"
#include "kernels/int8_gemm_op.h"
#include "kernels/layer_norm_op.h"

#include "ggml.h"

namespace gitcap {

// LayerNorm over the first dimension of x (+ residual): (v - mean) / sqrt(var + eps) * w + b. One
// operation on CPUs that run the fused one, else ggml's norm, mul and add.
inline ggml_tensor * layer_norm(graph_context & g, ggml_tensor * x, ggml_tensor * w, ggml_tensor * b, float eps,
                                ggml_tensor * residual = nullptr) {
    ggml_context * ctx = g.ctx();
    if (g.cpu_fused_ops) {
        if (ggml_tensor * y = fused_layer_norm(ctx, x, residual, w, b, eps)) return y;
    }
    if (residual) x = ggml_add(ctx, x, residual);
    x = ggml_norm(ctx, x, eps);
    return ggml_add(ctx, ggml_mul(ctx, x, w), b);
}

// W repacked for the int8 kernel in this graph, or null (ggml's kernels multiply it).
inline const packed_weight * packed_of(const graph_context & g, const ggml_tensor * w) {
    return g.packed ? g.packed->find(w) : nullptr;
}

// act(x @ W^T + b) on the int8 kernel, x: [in, n...] -> [out, n...]. x is quantized once per
// graph, whichever packed weights read it.
inline ggml_tensor * packed_linear(graph_context & g, ggml_tensor * x, const packed_weight & w, ggml_tensor * b,
                                   int8_gemm::epilogue act = int8_gemm::epilogue::none, ggml_tensor * residual = nullptr) {
    ggml_tensor *& xq = g.int8_inputs[x];
    if (!xq) xq = quantize_activations(g.ctx(), x, w.kernel);
    const bool flat = x->ne[2] * x->ne[3] == 1;
    ggml_tensor * y = packed_product(g.ctx(), xq, w, b, act, flat ? residual : nullptr);
    if (!flat) y = ggml_reshape_4d(g.ctx(), y, w.n, x->ne[1], x->ne[2], x->ne[3]);
    return residual && !flat ? ggml_add(g.ctx(), residual, y) : y;
}

// x @ W^T + b (+ residual), PyTorch's nn.Linear; x: [in, n] -> [out, n]. On the int8 kernel when W
// is packed (which adds the residual as it stores its results, where it can).
inline ggml_tensor * linear(graph_context & g, ggml_tensor * x, ggml_tensor * w, ggml_tensor * b, ggml_tensor * residual = nullptr) {
    if (const packed_weight * pw = packed_of(g, w)) return packed_linear(g, x, *pw, b, int8_gemm::epilogue::none, residual);
    x = ggml_mul_mat(g.ctx(), w, x);
    if (b) x = ggml_add(g.ctx(), x, b);
    return residual ? ggml_add(g.ctx(), residual, x) : x;
}

// down(act(up(x))) (+ residual) with both weights packed, x: [in, n]: up's result reaches down in
// the form down reads (on AMX straight from the tiles as bf16, never stored as f32).
inline ggml_tensor * packed_mlp(graph_context & g, ggml_tensor * x, const packed_weight & up, ggml_tensor * up_b, int8_gemm::epilogue act,
                                const packed_weight & down, ggml_tensor * down_b, ggml_tensor * residual) {
    ggml_tensor *& xq = g.int8_inputs[x];
    if (!xq) xq = quantize_activations(g.ctx(), x, up.kernel);
    ggml_tensor * hq = packed_product_for_next(g.ctx(), xq, up, up_b, act, down.kernel);
    return packed_product(g.ctx(), hq, down, down_b, int8_gemm::epilogue::none, residual);
}

// BERT's feed-forward block, down(gelu_erf(up(x))); the GELU fused into the product on the int8 kernel.
inline ggml_tensor * gelu_erf_mlp(graph_context & g, ggml_tensor * x, ggml_tensor * up_w, ggml_tensor * up_b, ggml_tensor * down_w,
                                  ggml_tensor * down_b) {
    const packed_weight * up = packed_of(g, up_w);
    const packed_weight * down = packed_of(g, down_w);
    if (up && down && x->ne[2] * x->ne[3] == 1) return packed_mlp(g, x, *up, up_b, int8_gemm::epilogue::gelu_erf, *down, down_b, nullptr);
    ggml_tensor * h = up ? packed_linear(g, x, *up, up_b, int8_gemm::epilogue::gelu_erf) : ggml_gelu_erf(g.ctx(), linear(g, x, up_w, up_b));
    return linear(g, h, down_w, down_b);
}

// residual + CLIP's MLP fc2(quick_gelu(fc1(x))), quick_gelu(x) = x * sigmoid(1.702 x). On the int8 kernel
// fc1 applies it as it stores its results. Elsewhere, as silu(1.702 x) / 1.702 in f32 (ggml's
// gelu_quick uses an f16 table), with the 1/1.702 applied after fc2, on the 4x narrower output,
// where it costs a quarter of the memory traffic.
inline ggml_tensor * quick_gelu_mlp(graph_context & g, ggml_tensor * x, ggml_tensor * up_w, ggml_tensor * up_b,
                                    ggml_tensor * down_w, ggml_tensor * down_b, ggml_tensor * residual) {
    ggml_context * ctx = g.ctx();
    const packed_weight * up = packed_of(g, up_w);
    const packed_weight * down = packed_of(g, down_w);
    if (up && down && x->ne[2] * x->ne[3] == 1) return packed_mlp(g, x, *up, up_b, int8_gemm::epilogue::quick_gelu, *down, down_b, residual);
    if (up && down) return linear(g, packed_linear(g, x, *up, up_b, int8_gemm::epilogue::quick_gelu), down_w, down_b, residual);
    ggml_tensor * h = ggml_silu(ctx, ggml_scale(ctx, linear(g, x, up_w, up_b), 1.702f));
    return ggml_add(ctx, residual, ggml_add(ctx, ggml_scale(ctx, linear(g, h, down_w, nullptr), 1.0f / 1.702f), down_b));
}

// [hd*H, n, b] -> [hd, n, H, b]: the layout ggml_mul_mat wants for per-head scores
inline ggml_tensor * split_heads(ggml_context * ctx, ggml_tensor * x, int n_head, int64_t n, int64_t batch) {
    x = ggml_reshape_4d(ctx, x, x->ne[0] / n_head, n_head, n, batch);
    return ggml_permute(ctx, x, 0, 2, 1, 3);
}

// [hd*H, n, b] -> [n, hd, H, b]: values transposed, so that scores @ V is one ggml_mul_mat
inline ggml_tensor * split_heads_transposed(ggml_context * ctx, ggml_tensor * x, int n_head, int64_t n, int64_t batch) {
    x = ggml_reshape_4d(ctx, x, x->ne[0] / n_head, n_head, n, batch);
    return ggml_permute(ctx, x, 1, 2, 0, 3);
}

// [hd, n, H, b] -> [hd*H, n*b]
inline ggml_tensor * merge_heads(ggml_context * ctx, ggml_tensor * x) {
    const int64_t hd = x->ne[0], n = x->ne[1], H = x->ne[2], b = x->ne[3];
    x = ggml_cont(ctx, ggml_permute(ctx, x, 0, 2, 1, 3));
    return ggml_reshape_2d(ctx, x, hd * H, n * b);
}

// softmax(q k^T * scale) v for each head; q, k, v: [hd, n, H, b] (views are fine) -> [hd*H, n*b].
// On x86 CPUs with AVX-512 gitcap's own kernel (on AMX-BF16 tiles where the CPU has them); else
// fused (ggml's flash attention, f32 accumulation, no n x n scores in memory) where the backend
// has it; else as two matmuls around a softmax.
inline ggml_tensor * attention(graph_context & g, ggml_tensor * q, ggml_tensor * k, ggml_tensor * v, float scale) {
    ggml_context * ctx = g.ctx();
    if (g.cpu_attention != attention_kind::none) {
        if (ggml_tensor * o = cpu_attention(ctx, g.cpu_attention, q, k, v, scale)) return o;
    }
    if (g.fused_attention) {
        ggml_tensor * o = ggml_flash_attn_ext(ctx, q, k, v, nullptr, scale, 0.0f, 0.0f); // [hd, H, n, b]
        ggml_flash_attn_ext_set_prec(o, GGML_PREC_F32);
        return ggml_reshape_2d(ctx, o, o->ne[0] * o->ne[1], o->ne[2] * o->ne[3]);
    }
    ggml_tensor * kq = ggml_soft_max_ext(ctx, ggml_mul_mat(ctx, k, q), nullptr, scale, 0.0f); // [n_k, n_q, H, b]
    ggml_tensor * v_t = ggml_cont(ctx, ggml_permute(ctx, v, 1, 0, 2, 3));                      // [n, hd, H, b]
    return merge_heads(ctx, ggml_mul_mat(ctx, v_t, kq));
}

} // namespace gitcap
