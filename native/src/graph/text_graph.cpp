#include "graph/text_graph.h"

#include "graph/graph_helpers.h"
#include "kernels/image_attention_op.h"

#include <cmath>
#include <limits>
#include <string>

namespace gitcap {

// K [hd, n, H] and V^T [n, hd, H] views of a cache, starting at position `first`
static ggml_tensor * k_view(ggml_context * ctx, ggml_tensor * k, int64_t first, int64_t n) {
    return ggml_view_3d(ctx, k, k->ne[0], n, k->ne[2], k->nb[1], k->nb[2], first * k->nb[1]);
}

static ggml_tensor * v_view(ggml_context * ctx, ggml_tensor * v, int64_t first, int64_t n) {
    return ggml_view_3d(ctx, v, n, v->ne[1], v->ne[2], v->nb[1], v->nb[2], first * v->nb[0]);
}

// The BERT post-LN tail of a layer: attention output projection, residual, LN, FFN, residual, LN.
static ggml_tensor * layer_tail(graph_context & g, const text_layer & L, float eps, ggml_tensor * x, ggml_tensor * attn) {
    ggml_tensor * h = layer_norm(g, linear(g, attn, L.o_w, L.o_b), L.o_norm_w, L.o_norm_b, eps, x);
    ggml_tensor * f = gelu_erf_mlp(g, h, L.up_w, L.up_b, L.down_w, L.down_b);
    return layer_norm(g, f, L.out_norm_w, L.out_norm_b, eps, h);
}

void build_prefix_graph(graph_context & g, const model & m, const image_kv & kv) {
    ggml_context * ctx = g.ctx();
    ggml_cgraph * gf = g.graph();
    const auto & hp = m.thp;
    const int H = hp.n_head;
    const int64_t n = kv.n_img;
    const float scale = 1.0f / std::sqrt(float(hp.n_embd / H));

    ggml_tensor * x = g.input("image_features", GGML_TYPE_F32, hp.n_embd, n);                 // [D, n]
    for (int il = 0; il < hp.n_layer; il++) {
        const auto & L = m.text.layers[il];
        ggml_tensor * k = split_heads(ctx, linear(g, x, L.k_w, L.k_b), H, n, 1);              // [hd, n, H]
        ggml_tensor * v = split_heads(ctx, linear(g, x, L.v_w, L.v_b), H, n, 1);              // [hd, n, H]
        // the text steps read these: K as is, V transposed [n, hd, H] (or as rows, like K: kv.v_rows)
        ggml_build_forward_expand(gf, ggml_cpy(ctx, k, k_view(ctx, kv.store.k[il], 0, n)));
        ggml_build_forward_expand(gf, kv.v_rows ? ggml_cpy(ctx, v, k_view(ctx, kv.store.v[il], 0, n))
                                                : ggml_cpy(ctx, ggml_permute(ctx, v, 1, 0, 2, 3), v_view(ctx, kv.store.v[il], 0, n)));
        if (il == hp.n_layer - 1) break; // the text only needs this layer's K/V

        ggml_tensor * q = split_heads(ctx, linear(g, x, L.q_w, L.q_b), H, n, 1);              // [hd, n, H]
        ggml_tensor * attn = attention(g, q, k, v, scale);                 // [D, n]
        x = layer_tail(g, L, hp.eps, x, attn);
    }
}

std::vector<float> decode_mask(const decode_item & item) {
    const int n_img = item.image->n_img, past = item.text->n_past, n = item.n_new;
    const int n_kv = n_img + past + n;
    std::vector<float> mask((size_t) n_kv * n, 0.0f);
    for (int i = 0; i < n; i++) {
        for (int j = past + i + 1; j < past + n; j++) mask[(size_t) i * n_kv + n_img + j] = -INFINITY;
    }
    return mask;
}

ggml_tensor * build_decode_graph(graph_context & g, const model & m, const std::vector<decode_item> & items) {
    ggml_context * ctx = g.ctx();
    ggml_cgraph * gf = g.graph();
    const auto & hp = m.thp;
    const auto & w = m.text;
    const int H = hp.n_head;
    const float scale = 1.0f / std::sqrt(float(hp.n_embd / H));

    int64_t n_tokens = 0, n_out = 0;
    for (const auto & it : items) {
        n_tokens += it.n_new;
        n_out += it.all_logits ? it.n_new : 1;
    }
    ggml_tensor * tokens = g.input("tokens", GGML_TYPE_I32, n_tokens);
    ggml_tensor * positions = g.input("positions", GGML_TYPE_I32, n_tokens);
    ggml_tensor * out_rows = g.input("out_rows", GGML_TYPE_I32, n_out);
    std::vector<ggml_tensor *> masks(items.size(), nullptr);
    for (size_t i = 0; i < items.size(); i++) {
        const auto & it = items[i];
        if (it.n_new > 1) {
            const std::string name = "mask." + std::to_string(i);
            masks[i] = g.input(name.c_str(), GGML_TYPE_F32, it.image->n_img + it.text->n_past + it.n_new, it.n_new);
        }
    }

    ggml_tensor * x = ggml_add(ctx, ggml_get_rows(ctx, w.token_embd, tokens), ggml_get_rows(ctx, w.pos_embd, positions));
    x = layer_norm(g, x, w.embd_norm_w, w.embd_norm_b, hp.eps);                              // [D, T]

    for (int il = 0; il < hp.n_layer; il++) {
        const auto & L = w.layers[il];
        // projections for every sequence at once: the weights are read once per step
        ggml_tensor * q_all = linear(g, x, L.q_w, L.q_b);                                    // [D, T]
        ggml_tensor * k_all = linear(g, x, L.k_w, L.k_b);
        ggml_tensor * v_all = linear(g, x, L.v_w, L.v_b);

        ggml_tensor * attn = nullptr;
        int64_t col = 0;
        for (size_t i = 0; i < items.size(); i++) {
            const auto & it = items[i];
            const int64_t n = it.n_new, past = it.text->n_past, n_img = it.image->n_img;
            auto cols = [&](ggml_tensor * t) { return ggml_view_2d(ctx, t, t->ne[0], n, t->nb[1], col * t->nb[1]); };
            ggml_tensor * q = split_heads(ctx, cols(q_all), H, n, 1);                          // [hd, n, H]
            ggml_tensor * k = split_heads(ctx, cols(k_all), H, n, 1);
            ggml_tensor * v = split_heads_transposed(ctx, cols(v_all), H, n, 1);               // [n, hd, H]
            ggml_tensor * k_txt = it.text->store.k[il];
            ggml_tensor * v_txt = it.text->store.v[il];
            ggml_build_forward_expand(gf, ggml_cpy(ctx, k, k_view(ctx, k_txt, past, n)));
            ggml_build_forward_expand(gf, ggml_cpy(ctx, v, v_view(ctx, v_txt, past, n)));

            // scores over [image keys ; text keys], one softmax across both. The small operands
            // are made contiguous: GPU matrix-vector kernels do not take every stride.
            q = ggml_cont(ctx, q);
            ggml_tensor * kq_img = g.cpu_fused_ops ? image_scores(ctx, it.image->store.k[il], q) : nullptr;
            if (!kq_img) kq_img = ggml_mul_mat(ctx, it.image->store.k[il], q);                 // [n_img, n, H]
            ggml_tensor * kq_txt = ggml_mul_mat(ctx, ggml_cont(ctx, k_view(ctx, k_txt, 0, past + n)), q); // [past+n, n, H]
            ggml_tensor * kq = ggml_soft_max_ext(ctx, ggml_concat(ctx, kq_img, kq_txt, 0), masks[i], scale, 0.0f);
            ggml_tensor * p_img = ggml_cont(ctx, ggml_view_3d(ctx, kq, n_img, n, H, kq->nb[1], kq->nb[2], 0));
            ggml_tensor * p_txt =
                ggml_cont(ctx, ggml_view_3d(ctx, kq, past + n, n, H, kq->nb[1], kq->nb[2], n_img * kq->nb[0]));
            ggml_tensor * v_img = it.image->store.v[il];
            ggml_tensor * o_img = it.image->v_rows ? image_values(ctx, v_img, p_img) : nullptr;
            if (!o_img && it.image->v_rows) v_img = ggml_cont(ctx, ggml_transpose(ctx, v_img)); // not reached: the same test chose the layout
            if (!o_img) o_img = ggml_mul_mat(ctx, v_img, p_img);                                // [hd, n, H]
            ggml_tensor * o = ggml_add(ctx, o_img,
                                       ggml_mul_mat(ctx, ggml_cont(ctx, v_view(ctx, v_txt, 0, past + n)), p_txt)); // [hd, n, H]
            o = merge_heads(ctx, o);                                                           // [D, n]
            attn = attn ? ggml_concat(ctx, attn, o, 1) : o;
            col += n;
        }
        x = layer_tail(g, L, hp.eps, x, attn);
    }
    x = ggml_get_rows(ctx, x, out_rows);                                                       // [D, n_out]
    ggml_tensor * logits = linear(g, x, w.output_w, w.output_b);                             // [V, n_out]
    g.output(logits, "logits");
    return logits;
}

} // namespace gitcap
