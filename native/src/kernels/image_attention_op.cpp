#include "kernels/image_attention_op.h"

#include "kernels/image_attention.h"

namespace gitcap {

namespace {

template <typename T>
image_attention::rows<T> rows_of(const ggml_tensor * t) {
    return {static_cast<T *>(t->data), t->nb[1], t->nb[2]};
}

void scores_op(ggml_tensor * dst, int ith, int nth, void *) {
    const ggml_tensor * k = dst->src[0];
    const ggml_tensor * q = dst->src[1];
    image_attention::scores(rows_of<const uint16_t>(k), rows_of<const float>(q), rows_of<float>(dst), k->ne[0], k->ne[1], q->ne[1], q->ne[2],
                            ith, nth);
}

void values_op(ggml_tensor * dst, int ith, int nth, void *) {
    const ggml_tensor * v = dst->src[0];
    const ggml_tensor * p = dst->src[1];
    image_attention::values(rows_of<const uint16_t>(v), rows_of<const float>(p), rows_of<float>(dst), v->ne[0], v->ne[1], p->ne[1], p->ne[2],
                            ith, nth);
}

bool f32_rows(const ggml_tensor * t) { return t->type == GGML_TYPE_F32 && t->nb[0] == sizeof(float) && t->ne[3] == 1; }
bool f16_rows(const ggml_tensor * t) { return t->type == GGML_TYPE_F16 && t->nb[0] == sizeof(ggml_fp16_t) && t->ne[3] == 1; }

} // namespace

ggml_tensor * image_scores(ggml_context * ctx, ggml_tensor * k, ggml_tensor * q) {
    if (!image_attention::available() || !f16_rows(k) || !f32_rows(q) || k->ne[0] != q->ne[0] || k->ne[2] != q->ne[2] ||
        k->ne[0] % 16 != 0) {
        return nullptr;
    }
    ggml_tensor * args[2] = {k, q};
    return ggml_custom_4d(ctx, GGML_TYPE_F32, k->ne[1], q->ne[1], q->ne[2], 1, args, 2, scores_op, GGML_N_TASKS_MAX, nullptr);
}

bool image_values_take_rows(int64_t hd) { return image_attention::available() && hd % 16 == 0 && hd <= image_attention::max_head_dim; }

ggml_tensor * image_values(ggml_context * ctx, ggml_tensor * v, ggml_tensor * p) {
    if (!image_values_take_rows(v->ne[0]) || !f16_rows(v) || !f32_rows(p) || v->ne[1] != p->ne[0] || v->ne[2] != p->ne[2]) return nullptr;
    ggml_tensor * args[2] = {v, p};
    return ggml_custom_4d(ctx, GGML_TYPE_F32, v->ne[0], p->ne[1], p->ne[2], 1, args, 2, values_op, GGML_N_TASKS_MAX, nullptr);
}

} // namespace gitcap
