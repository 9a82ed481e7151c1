#include "kernels/layer_norm_op.h"

#include <cmath>
#include <cstdint>
#include <cstring>

#if defined(__x86_64__) && (defined(__GNUC__) || defined(__clang__))
#define GITCAP_LAYER_NORM_KERNEL 1
#include <immintrin.h>
#endif

namespace gitcap {

#ifdef GITCAP_LAYER_NORM_KERNEL

namespace {

#define GITCAP_TARGET __attribute__((target("avx512f,fma")))

// eps and whether a residual is added travel as the bits of the userdata pointer (nothing to keep
// alive): eps's 32 bits shifted left by one, the residual flag in bit 0.
uintptr_t pack_params(float eps, bool residual) {
    uint32_t bits;
    std::memcpy(&bits, &eps, sizeof(bits));
    return (uintptr_t(bits) << 1) | uintptr_t(residual);
}

// One row of n floats (n a multiple of 16): y = (v - mean) / sqrt(var + eps) * w + b, v = x (+ r).
// The row is summed as it is written to y, then the centred squares from y (in L1), then y is
// rewritten: two passes over the memory of the row instead of ggml's six.
GITCAP_TARGET void norm_row(const float * x, const float * r, const float * w, const float * b, float * y, int64_t n, float eps) {
    __m512 sum = _mm512_setzero_ps();
    for (int64_t i = 0; i < n; i += 16) {
        __m512 v = _mm512_loadu_ps(x + i);
        if (r) v = _mm512_add_ps(v, _mm512_loadu_ps(r + i));
        _mm512_storeu_ps(y + i, v);
        sum = _mm512_add_ps(sum, v);
    }
    const float mean = _mm512_reduce_add_ps(sum) / float(n);
    const __m512 m = _mm512_set1_ps(mean);
    __m512 sq = _mm512_setzero_ps();
    for (int64_t i = 0; i < n; i += 16) {
        const __m512 d = _mm512_sub_ps(_mm512_loadu_ps(y + i), m);
        sq = _mm512_fmadd_ps(d, d, sq);
    }
    const float var = _mm512_reduce_add_ps(sq) / float(n);
    const __m512 scale = _mm512_set1_ps(1.0f / std::sqrt(var + eps));
    for (int64_t i = 0; i < n; i += 16) {
        const __m512 d = _mm512_mul_ps(_mm512_sub_ps(_mm512_loadu_ps(y + i), m), scale);
        _mm512_storeu_ps(y + i, _mm512_fmadd_ps(d, _mm512_loadu_ps(w + i), _mm512_loadu_ps(b + i)));
    }
}

void layer_norm_op(ggml_tensor * dst, int ith, int nth, void * userdata) {
    const auto packed = reinterpret_cast<uintptr_t>(userdata);
    const auto eps_bits = uint32_t(packed >> 1);
    float eps;
    std::memcpy(&eps, &eps_bits, sizeof(eps));
    const ggml_tensor * x = dst->src[0];
    const ggml_tensor * r = (packed & 1) ? dst->src[3] : nullptr;
    const auto * w = static_cast<const float *>(dst->src[1]->data);
    const auto * b = static_cast<const float *>(dst->src[2]->data);
    const int64_t n = x->ne[0], rows = ggml_nrows(x);
    for (int64_t i = rows * ith / nth; i < rows * (ith + 1) / nth; i++) {
        const int64_t i1 = i % x->ne[1], i2 = i / x->ne[1] % x->ne[2], i3 = i / (x->ne[1] * x->ne[2]);
        auto offset = [&](const ggml_tensor * t) { return i1 * t->nb[1] + i2 * t->nb[2] + i3 * t->nb[3]; };
        auto in = [&](const ggml_tensor * t) { return reinterpret_cast<const float *>(static_cast<const char *>(t->data) + offset(t)); };
        norm_row(in(x), r ? in(r) : nullptr, w, b, reinterpret_cast<float *>(static_cast<char *>(dst->data) + offset(dst)), n, eps);
    }
}

bool contiguous_rows(const ggml_tensor * t) { return t->type == GGML_TYPE_F32 && t->nb[0] == sizeof(float); }

} // namespace

bool fused_layer_norm_available() {
    __builtin_cpu_init();
    return __builtin_cpu_supports("avx512f") && __builtin_cpu_supports("fma");
}

ggml_tensor * fused_layer_norm(ggml_context * ctx, ggml_tensor * x, ggml_tensor * residual, ggml_tensor * w, ggml_tensor * b, float eps) {
    const int64_t n = x->ne[0];
    if (n % 16 != 0 || !contiguous_rows(x) || !w || !b || !ggml_is_contiguous(w) || !ggml_is_contiguous(b) ||
        w->type != GGML_TYPE_F32 || b->type != GGML_TYPE_F32 || ggml_nelements(w) != n || ggml_nelements(b) != n) {
        return nullptr;
    }
    if (residual && (!contiguous_rows(residual) || !ggml_are_same_shape(x, residual))) return nullptr;
    ggml_tensor * args[4] = {x, w, b, residual};
    return ggml_custom_4d(ctx, GGML_TYPE_F32, x->ne[0], x->ne[1], x->ne[2], x->ne[3], args, residual ? 4 : 3, layer_norm_op,
                          GGML_N_TASKS_MAX, reinterpret_cast<void *>(pack_params(eps, residual != nullptr)));
}

#else

bool fused_layer_norm_available() { return false; }
ggml_tensor * fused_layer_norm(ggml_context *, ggml_tensor *, ggml_tensor *, ggml_tensor *, ggml_tensor *, float) { return nullptr; }

#endif

} // namespace gitcap
