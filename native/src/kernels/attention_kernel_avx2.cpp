#include "kernels/attention_kernel_avx2.h"

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <cstring>

#if (defined(__x86_64__) || defined(__i386__)) && (defined(__GNUC__) || defined(__clang__))
#define GITCAP_ATTENTION_KERNEL_AVX2 1
#include <immintrin.h>

#include "kernels/simd_math_avx2.h"
#endif

namespace gitcap::attention_kernel_avx2 {

#ifdef GITCAP_ATTENTION_KERNEL_AVX2

using attention_kernel::max_head_dim;
using attention_kernel::view;

#define GITCAP_TARGET __attribute__((target("avx2,fma")))

bool available() {
    __builtin_cpu_init();
    return __builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma");
}

namespace {

constexpr int lanes = 8;   // queries per tile, one per vector lane
constexpr int key_tile = 8; // keys per step of the online softmax

// Scores of `nk` keys (nk = key_tile, or 1 for the last few) against the 8 queries of `qt`
// ([hd][8], already scaled): s[j] lane i = q_i . k_j.
template <int NK>
GITCAP_TARGET inline void scores(const float * qt, const view & k, int64_t j0, int64_t h, int64_t b, int hd, __m256 * s) {
    const float * kr[NK];
    for (int j = 0; j < NK; j++) {
        kr[j] = k.row(j0 + j, h, b);
        s[j] = _mm256_setzero_ps();
    }
    for (int d = 0; d < hd; d++) {
        const __m256 qv = _mm256_loadu_ps(qt + d * lanes);
        #pragma GCC unroll 8
        for (int j = 0; j < NK; j++) s[j] = _mm256_fmadd_ps(qv, _mm256_set1_ps(kr[j][d]), s[j]);
    }
}

// The memory of one tile of 8 queries: the queries and the output accumulator, both
// transposed ([d][query]), and the current keys' weights.
// Unaligned loads and stores throughout: not every compiler aligns stack objects to 64 bytes.
struct tile_state {
    float qt[max_head_dim * lanes]; // queries, scaled: [d][query]
    float ot[max_head_dim * lanes]; // sum of weights times values: [d][query]
    float pt[key_tile * lanes];     // weights of the current keys: [key][query]
};

// Takes in `nk` keys' scores: new running max, what was summed so far rescaled to it, then
// ot[d] += p_j v_j[d] for each key j, 8 dimensions at a time.
GITCAP_TARGET void absorb(tile_state & st, __m256 & m, __m256 & l, const __m256 * s, int nk, const view & v, int64_t j0,
                          int64_t h, int64_t b, int hd) {
    __m256 m_new = m;
    for (int j = 0; j < nk; j++) m_new = _mm256_max_ps(m_new, s[j]);
    const __m256 alpha = simd_avx2::exp_ps(_mm256_sub_ps(m, m_new));
    m = m_new;
    __m256 sum = _mm256_setzero_ps();
    for (int j = 0; j < nk; j++) {
        const __m256 p = simd_avx2::exp_ps(_mm256_sub_ps(s[j], m_new));
        _mm256_storeu_ps(st.pt + j * lanes, p);
        sum = _mm256_add_ps(sum, p);
    }
    l = _mm256_fmadd_ps(l, alpha, sum);
    const float * vr[key_tile];
    for (int j = 0; j < nk; j++) vr[j] = v.row(j0 + j, h, b);
    for (int d0 = 0; d0 < hd; d0 += 8) {
        __m256 acc[8];
        #pragma GCC unroll 8
        for (int d = 0; d < 8; d++) acc[d] = _mm256_mul_ps(_mm256_loadu_ps(st.ot + (d0 + d) * lanes), alpha);
        for (int j = 0; j < nk; j++) {
            const __m256 p = _mm256_loadu_ps(st.pt + j * lanes);
            #pragma GCC unroll 8
            for (int d = 0; d < 8; d++) acc[d] = _mm256_fmadd_ps(p, _mm256_set1_ps(vr[j][d0 + d]), acc[d]);
        }
        #pragma GCC unroll 8
        for (int d = 0; d < 8; d++) _mm256_storeu_ps(st.ot + (d0 + d) * lanes, acc[d]);
    }
}

// Queries [q0, q0 + n_q) (n_q <= 8) of head h in batch b, against all n keys.
GITCAP_TARGET void query_tile(tile_state & st, const view & q, const view & k, const view & v, float * out, size_t out_nb1,
                              int64_t n, int64_t q0, int64_t n_q, int64_t h, int64_t b, int hd, float scale) {
    for (int64_t i = 0; i < lanes; i++) {
        const float * qr = i < n_q ? q.row(q0 + i, h, b) : nullptr;
        for (int d = 0; d < hd; d++) st.qt[d * lanes + i] = qr ? qr[d] * scale : 0.0f;
    }
    std::memset(st.ot, 0, sizeof(float) * hd * lanes);
    __m256 m = _mm256_set1_ps(-INFINITY), l = _mm256_setzero_ps(); // running max and sum per query

    __m256 s[key_tile];
    int64_t j0 = 0;
    for (; j0 + key_tile <= n; j0 += key_tile) {
        scores<key_tile>(st.qt, k, j0, h, b, hd, s);
        absorb(st, m, l, s, key_tile, v, j0, h, b, hd);
    }
    for (; j0 < n; j0++) {
        scores<1>(st.qt, k, j0, h, b, hd, s);
        absorb(st, m, l, s, 1, v, j0, h, b, hd);
    }

    float inv_l[lanes];
    _mm256_storeu_ps(inv_l, _mm256_div_ps(_mm256_set1_ps(1.0f), l));
    for (int64_t i = 0; i < n_q; i++) {
        float * o = reinterpret_cast<float *>(reinterpret_cast<uint8_t *>(out) + (b * n + q0 + i) * out_nb1) + h * hd;
        for (int d = 0; d < hd; d++) o[d] = st.ot[d * lanes + i] * inv_l[i];
    }
}

} // namespace

GITCAP_TARGET void run(const view & q, const view & k, const view & v, float * out, size_t out_token_stride, int64_t n,
                       int64_t heads, int64_t batch, int head_dim, float scale, int ith, int nth) {
    const int64_t tiles = (n + lanes - 1) / lanes, units = batch * heads * tiles;
    tile_state st; // 17 KiB at most: fits any thread's stack
    for (int64_t u = units * ith / nth; u < units * (ith + 1) / nth; u++) {
        const int64_t b = u / (heads * tiles), h = u / tiles % heads, q0 = u % tiles * lanes;
        query_tile(st, q, k, v, out, out_token_stride, n, q0, std::min<int64_t>(lanes, n - q0), h, b, head_dim, scale);
    }
}

#else

bool available() { return false; }
void run(const attention_kernel::view &, const attention_kernel::view &, const attention_kernel::view &, float *, size_t, int64_t,
         int64_t, int64_t, int, float, int, int) {}

#endif

} // namespace gitcap::attention_kernel_avx2
