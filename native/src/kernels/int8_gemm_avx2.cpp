#include "kernels/int8_gemm_avx2.h"

#include <algorithm>
#include <cstring>

#if (defined(__x86_64__) || defined(__i386__)) && (defined(__GNUC__) || defined(__clang__))
#define GITCAP_INT8_GEMM_AVX2 1
#include <immintrin.h>

#include "kernels/cpu_features.h"
#include "kernels/simd_math_avx2.h"
#endif

namespace gitcap::int8_gemm_avx2 {

#ifdef GITCAP_INT8_GEMM_AVX2

using int8_gemm::block;
using int8_gemm::epilogue;
using int8_gemm::panel_rows;
using int8_gemm::weight_format;

// Built for these instructions only; run only where available() says the CPU has them.
#define GITCAP_AVX2 __attribute__((target("avx2,fma,f16c")))

bool available(variant v) {
    __builtin_cpu_init();
    const bool avx2 = __builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma") && cpu_features::f16c();
    return v == variant::avx2 ? avx2 : avx2 && cpu_features::avx_vnni();
}

namespace {

// int8_gemm.cpp's packed layout: per panel and block, groups of 64 bytes (4 bytes of each of
// the 16 rows, rows 0-7 in the first 32), then the 16 fp16 scales.
constexpr int64_t values_bytes(weight_format f) { return f == weight_format::q8 ? block * panel_rows : block * panel_rows / 2; }
constexpr int64_t block_bytes(weight_format f) { return values_bytes(f) + panel_rows * 2; }
constexpr int half_rows = 8; // rows of a panel in one 256-bit register

GITCAP_AVX2 inline float hmax(__m256 v) {
    v = _mm256_max_ps(v, _mm256_permute2f128_ps(v, v, 1));
    v = _mm256_max_ps(v, _mm256_shuffle_ps(v, v, 0x4E));
    v = _mm256_max_ps(v, _mm256_shuffle_ps(v, v, 0xB1));
    return _mm256_cvtss_f32(v);
}

GITCAP_AVX2 inline int32_t hsum(__m256i v) {
    __m128i s = _mm_add_epi32(_mm256_castsi256_si128(v), _mm256_extracti128_si256(v, 1));
    s = _mm_add_epi32(s, _mm_shuffle_epi32(s, 0x4E));
    s = _mm_add_epi32(s, _mm_shuffle_epi32(s, 0xB1));
    return _mm_cvtsi128_si32(s);
}

// 4 activation bytes, the same in all 8 lanes
GITCAP_AVX2 inline __m256i x4(const uint8_t * p) {
    int32_t four;
    std::memcpy(&four, p, 4);
    return _mm256_set1_epi32(four);
}

// Loads (or stores) the first `valid` of 8 floats.
GITCAP_AVX2 inline __m256 load_part(const float * p, int64_t valid) {
    if (valid >= half_rows) return _mm256_loadu_ps(p);
    float tmp[half_rows] = {};
    std::memcpy(tmp, p, sizeof(float) * valid);
    return _mm256_loadu_ps(tmp);
}
GITCAP_AVX2 inline void store_part(float * p, __m256 v, int64_t valid) {
    if (valid >= half_rows) return _mm256_storeu_ps(p, v);
    float tmp[half_rows];
    _mm256_storeu_ps(tmp, v);
    std::memcpy(p, tmp, sizeof(float) * valid);
}

} // namespace

namespace vnni {
#define GITCAP_TILE_TARGET __attribute__((target("avx2,fma,f16c,avxvnni")))
#define GITCAP_TILE_VNNI 1
#include "kernels/int8_gemm_avx2_tiles.inc"
#undef GITCAP_TILE_TARGET
#undef GITCAP_TILE_VNNI
} // namespace vnni

namespace plain {
#define GITCAP_TILE_TARGET GITCAP_AVX2
#define GITCAP_TILE_VNNI 0
#include "kernels/int8_gemm_avx2_tiles.inc"
#undef GITCAP_TILE_TARGET
#undef GITCAP_TILE_VNNI
} // namespace plain

// As int8_gemm.cpp's AVX-512 version, 8 floats at a time: d = amax / 127 stored as fp16,
// q = round-to-even(x * 127 / amax), correction = -128 * sum(q).
GITCAP_AVX2 void quantize_rows(const float * x, size_t x_row_stride, int64_t k, uint8_t * dst, int64_t row_begin, int64_t row_end) {
    const int64_t nb = k / block;
    const size_t row_size = int8_gemm::quantized_row_size(k);
    const __m256 sign_bit = _mm256_set1_ps(-0.0f);
    for (int64_t r = row_begin; r < row_end; r++) {
        const float * xr = reinterpret_cast<const float *>(reinterpret_cast<const uint8_t *>(x) + r * x_row_stride);
        uint8_t * out = dst + r * row_size;
        auto * scales = reinterpret_cast<float *>(out + k);
        auto * corrections = reinterpret_cast<int32_t *>(out + k + nb * 4);
        for (int64_t b = 0; b < nb; b++) {
            __m256 v[4];
            __m256 amax_v = _mm256_setzero_ps();
            for (int i = 0; i < 4; i++) {
                v[i] = _mm256_loadu_ps(xr + b * block + 8 * i);
                amax_v = _mm256_max_ps(amax_v, _mm256_andnot_ps(sign_bit, v[i]));
            }
            const float amax = hmax(amax_v);
            const float d = amax / 127.0f;
            const __m256 vid = _mm256_set1_ps(amax != 0.0f ? 127.0f / amax : 0.0f);
            __m256i q[4];
            for (int i = 0; i < 4; i++) {
                q[i] = _mm256_cvtps_epi32(_mm256_round_ps(_mm256_mul_ps(v[i], vid), _MM_FROUND_TO_NEAREST_INT | _MM_FROUND_NO_EXC));
            }
            // saturating packs interleave the 128-bit lanes; the permutation puts 0..31 back in order
            const __m256i q01 = _mm256_packs_epi32(q[0], q[1]), q23 = _mm256_packs_epi32(q[2], q[3]);
            const __m256i bytes = _mm256_permutevar8x32_epi32(_mm256_packs_epi16(q01, q23), _mm256_setr_epi32(0, 4, 1, 5, 2, 6, 3, 7));
            _mm256_storeu_si256(reinterpret_cast<__m256i *>(out + b * block), bytes);
            scales[b] = _cvtsh_ss(_cvtss_sh(d, _MM_FROUND_TO_NEAREST_INT));
            corrections[b] = -128 * hsum(_mm256_add_epi32(_mm256_add_epi32(q[0], q[1]), _mm256_add_epi32(q[2], q[3])));
        }
    }
}

void gemm(variant v, weight_format f, epilogue act, const uint8_t * w_packed, int64_t n, int64_t k, const uint8_t * xq, int64_t m,
          float * y, size_t y_row_stride, const float * bias, int ith, int nth) {
    const int64_t panels = (n + panel_rows - 1) / panel_rows;
    const int64_t p0 = panels * ith / nth, p1 = panels * (ith + 1) / nth;
    if (v == variant::avxvnni) {
        vnni::gemm_variant(f, act, w_packed, n, k, xq, m, y, y_row_stride, bias, p0, p1);
    } else {
        plain::gemm_variant(f, act, w_packed, n, k, xq, m, y, y_row_stride, bias, p0, p1);
    }
}

#else

bool available(variant) { return false; }
void quantize_rows(const float *, size_t, int64_t, uint8_t *, int64_t, int64_t) {}
void gemm(variant, int8_gemm::weight_format, int8_gemm::epilogue, const uint8_t *, int64_t, int64_t, const uint8_t *, int64_t, float *,
          size_t, const float *, int, int) {}

#endif

} // namespace gitcap::int8_gemm_avx2
