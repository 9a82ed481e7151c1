#include "kernels/image_attention.h"

#if defined(__x86_64__) && (defined(__GNUC__) || defined(__clang__))
#define GITCAP_IMAGE_ATTENTION 1
#include <immintrin.h>
#endif

namespace gitcap::image_attention {

#ifdef GITCAP_IMAGE_ATTENTION

namespace {

#define GITCAP_TARGET __attribute__((target("avx512f,avx512bw,avx512dq,avx512vl,fma,f16c")))

// The sums of the lanes of each of 16 vectors, one sum per lane of the result, in an order of
// the shuffles' making (found once by `key_order`).
GITCAP_TARGET inline __m512 sum_lanes16(__m512 * s) {
    // pairwise: each step halves the vectors and doubles the keys per vector
    for (int j = 0; j < 8; j++) {
        const __m512 a = _mm512_shuffle_f32x4(s[2 * j], s[2 * j + 1], 0x44), b = _mm512_shuffle_f32x4(s[2 * j], s[2 * j + 1], 0xEE);
        s[j] = _mm512_add_ps(a, b); // lanes 0-7 from s[2j], 8-15 from s[2j+1], each 8 partial sums
    }
    for (int j = 0; j < 4; j++) {
        const __m512 a = _mm512_shuffle_f32x4(s[2 * j], s[2 * j + 1], 0x88), b = _mm512_shuffle_f32x4(s[2 * j], s[2 * j + 1], 0xDD);
        s[j] = _mm512_add_ps(a, b); // 4 keys a vector, 4 lanes each
    }
    for (int j = 0; j < 2; j++) {
        const __m512 a = _mm512_shuffle_ps(s[2 * j], s[2 * j + 1], 0x44), b = _mm512_shuffle_ps(s[2 * j], s[2 * j + 1], 0xEE);
        s[j] = _mm512_add_ps(a, b); // 8 keys a vector, 2 lanes each
    }
    const __m512 a = _mm512_shuffle_ps(s[0], s[1], 0x88), b = _mm512_shuffle_ps(s[0], s[1], 0xDD);
    return _mm512_add_ps(a, b); // 16 keys, in a shuffled order (undone by the caller's permutation)
}

// The permutation that puts sum_lanes16's results in key order: lane j takes the lane where the
// sum of vector j lands (probed with vectors whose only non-zero lane holds their index).
GITCAP_TARGET __m512i key_order() {
    alignas(64) float probe[16][16] = {};
    __m512 s[16];
    for (int j = 0; j < 16; j++) {
        probe[j][0] = float(j);
        s[j] = _mm512_load_ps(probe[j]);
    }
    alignas(64) float lanes[16];
    _mm512_store_ps(lanes, sum_lanes16(s));
    alignas(64) int32_t order[16];
    for (int l = 0; l < 16; l++) order[int(lanes[l])] = l;
    return _mm512_load_si512(order);
}

} // namespace

GITCAP_TARGET void scores(const rows<const uint16_t> & k, const rows<const float> & q, const rows<float> & out, int64_t hd, int64_t n_img,
                          int64_t n, int64_t heads, int ith, int nth) {
    const __m512i gather = key_order();
    const int64_t units = heads * n;
    for (int64_t u = units * ith / nth; u < units * (ith + 1) / nth; u++) {
        const int64_t h = u / n, i = u % n;
        const float * qr = q.row(i, h);
        float * o = out.row(i, h);
        int64_t j0 = 0;
        for (; j0 + 16 <= n_img; j0 += 16) {
            __m512 s[16];
            for (int j = 0; j < 16; j++) {
                const uint16_t * kr = k.row(j0 + j, h);
                __m512 acc = _mm512_setzero_ps();
                for (int64_t d = 0; d < hd; d += 16) {
                    const __m512 kv = _mm512_cvtph_ps(_mm256_loadu_si256(reinterpret_cast<const __m256i *>(kr + d)));
                    acc = _mm512_fmadd_ps(kv, _mm512_loadu_ps(qr + d), acc);
                }
                s[j] = acc;
            }
            _mm512_storeu_ps(o + j0, _mm512_permutexvar_ps(gather, sum_lanes16(s)));
        }
        for (; j0 < n_img; j0++) {
            const uint16_t * kr = k.row(j0, h);
            __m512 acc = _mm512_setzero_ps();
            for (int64_t d = 0; d < hd; d += 16) {
                acc = _mm512_fmadd_ps(_mm512_cvtph_ps(_mm256_loadu_si256(reinterpret_cast<const __m256i *>(kr + d))), _mm512_loadu_ps(qr + d), acc);
            }
            o[j0] = _mm512_reduce_add_ps(acc);
        }
    }
}

GITCAP_TARGET void values(const rows<const uint16_t> & v, const rows<const float> & p, const rows<float> & out, int64_t hd, int64_t n_img,
                          int64_t n, int64_t heads, int ith, int nth) {
    const int64_t units = heads * n, groups = hd / 16;
    for (int64_t u = units * ith / nth; u < units * (ith + 1) / nth; u++) {
        const int64_t h = u / n, i = u % n;
        const float * pr = p.row(i, h);
        __m512 acc[max_head_dim / 16];
        for (int64_t g = 0; g < groups; g++) acc[g] = _mm512_setzero_ps();
        for (int64_t j = 0; j < n_img; j++) {
            const __m512 w = _mm512_set1_ps(pr[j]);
            const uint16_t * vr = v.row(j, h);
            for (int64_t g = 0; g < groups; g++) {
                acc[g] = _mm512_fmadd_ps(_mm512_cvtph_ps(_mm256_loadu_si256(reinterpret_cast<const __m256i *>(vr + 16 * g))), w, acc[g]);
            }
        }
        float * o = out.row(i, h);
        for (int64_t g = 0; g < groups; g++) _mm512_storeu_ps(o + 16 * g, acc[g]);
    }
}

bool available() {
    static const bool ok = [] {
        __builtin_cpu_init();
        return __builtin_cpu_supports("avx512f") && __builtin_cpu_supports("avx512bw") && __builtin_cpu_supports("avx512dq") &&
               __builtin_cpu_supports("avx512vl") && __builtin_cpu_supports("fma");
    }();
    return ok;
}

#else

bool available() { return false; }
void scores(const rows<const uint16_t> &, const rows<const float> &, const rows<float> &, int64_t, int64_t, int64_t, int64_t, int, int) {}
void values(const rows<const uint16_t> &, const rows<const float> &, const rows<float> &, int64_t, int64_t, int64_t, int64_t, int, int) {}

#endif

} // namespace gitcap::image_attention
