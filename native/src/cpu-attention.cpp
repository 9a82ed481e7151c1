#include "cpu-attention.h"

#include "attention-kernel.h"

#include <cstdint>
#include <cstring>
#include <initializer_list>

namespace gitcap {

namespace {

attention_kernel::view view_of(const ggml_tensor * t) {
    return {static_cast<const uint8_t *>(t->data), t->nb[1], t->nb[2], t->nb[3]};
}

void attention_op(ggml_tensor * dst, int ith, int nth, void * userdata) {
    const ggml_tensor * q = dst->src[0];
    float scale;
    const uint32_t scale_bits = uint32_t(reinterpret_cast<uintptr_t>(userdata));
    std::memcpy(&scale, &scale_bits, sizeof(scale));
    attention_kernel::run(view_of(q), view_of(dst->src[1]), view_of(dst->src[2]), static_cast<float *>(dst->data), dst->nb[1],
                          q->ne[1], q->ne[2], q->ne[3], int(q->ne[0]), scale, ith, nth);
}

} // namespace

bool cpu_attention_available() { return attention_kernel::available(); }

ggml_tensor * cpu_attention(ggml_context * ctx, ggml_tensor * q, ggml_tensor * k, ggml_tensor * v, float scale) {
    const int64_t hd = q->ne[0];
    for (const ggml_tensor * t : {q, k, v}) {
        if (t->type != GGML_TYPE_F32 || t->nb[0] != sizeof(float) || t->ne[0] != hd || t->ne[1] != q->ne[1] ||
            t->ne[2] != q->ne[2] || t->ne[3] != q->ne[3]) {
            return nullptr;
        }
    }
    if (hd % 16 != 0 || hd > attention_kernel::max_head_dim) return nullptr;
    ggml_tensor * args[3] = {q, k, v};
    // the scale travels as the bits of the userdata pointer (nothing to keep alive)
    uint32_t scale_bits;
    std::memcpy(&scale_bits, &scale, sizeof(scale));
    return ggml_custom_4d(ctx, GGML_TYPE_F32, hd * q->ne[2], q->ne[1] * q->ne[3], 1, 1, args, 3, attention_op, GGML_N_TASKS_MAX,
                          reinterpret_cast<void *>(uintptr_t(scale_bits)));
}

} // namespace gitcap
