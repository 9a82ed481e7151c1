#include "kernels/attention_op.h"

#include "kernels/attention_amx.h"
#include "kernels/attention_kernel_avx2.h"
#include "kernels/attention_kernel.h"
#include "gitcap.h"

#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <string>
#include <initializer_list>

namespace gitcap {

namespace {

attention_kernel::view view_of(const ggml_tensor * t) {
    return {static_cast<const uint8_t *>(t->data), t->nb[1], t->nb[2], t->nb[3]};
}

template <attention_kind K>
void attention_op(ggml_tensor * dst, int ith, int nth, void * userdata) {
    const ggml_tensor * q = dst->src[0];
    float scale;
    const uint32_t scale_bits = uint32_t(reinterpret_cast<uintptr_t>(userdata));
    std::memcpy(&scale, &scale_bits, sizeof(scale));
    const auto run = K == attention_kind::amx      ? attention_amx::run
                     : K == attention_kind::avx512 ? attention_kernel::run
                                                   : attention_kernel_avx2::run;
    run(view_of(q), view_of(dst->src[1]), view_of(dst->src[2]), static_cast<float *>(dst->data), dst->nb[1], q->ne[1], q->ne[2],
        q->ne[3], int(q->ne[0]), scale, ith, nth);
}

} // namespace

attention_kind chosen_attention_kernel(bool f32_weights) {
    const char * env = std::getenv("GITCAP_ATTENTION");
    const std::string forced = env ? env : "";
    const struct {
        const char * name;
        attention_kind kind;
        bool runs;
    } kernels[] = {{"amx", attention_kind::amx, attention_amx::available()},
                   {"avx512", attention_kind::avx512, attention_kernel::available()},
                   {"avx2", attention_kind::avx2, attention_kernel_avx2::available()}};
    for (const auto & k : kernels) {
        if (forced != k.name) continue;
        if (!k.runs) throw error(error_code::invalid_argument, "GITCAP_ATTENTION=" + forced + ": this CPU lacks the instructions of that kernel");
        return k.kind;
    }
    if (!forced.empty() && forced != "matmul" && forced != "ggml") {
        throw error(error_code::invalid_argument, "GITCAP_ATTENTION=" + forced + ": expected amx, avx512, avx2, ggml or matmul");
    }
    if (!forced.empty()) return attention_kind::none;
    if (!f32_weights && attention_amx::available()) return attention_kind::amx;
    if (attention_kernel::available()) return attention_kind::avx512;
    if (attention_kernel_avx2::available()) return attention_kind::avx2;
    return attention_kind::none;
}

ggml_tensor * cpu_attention(ggml_context * ctx, attention_kind kind, ggml_tensor * q, ggml_tensor * k, ggml_tensor * v, float scale) {
    if (kind == attention_kind::none) return nullptr;
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
    return ggml_custom_4d(ctx, GGML_TYPE_F32, hd * q->ne[2], q->ne[1] * q->ne[3], 1, 1, args, 3,
                          kind == attention_kind::amx      ? attention_op<attention_kind::amx>
                          : kind == attention_kind::avx512 ? attention_op<attention_kind::avx512>
                                                           : attention_op<attention_kind::avx2>,
                          GGML_N_TASKS_MAX,
                          reinterpret_cast<void *>(uintptr_t(scale_bits)));
}

} // namespace gitcap
