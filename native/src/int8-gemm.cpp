#include "int8-gemm.h"

#include <algorithm>
#include <cstring>

#if (defined(__x86_64__) || defined(__i386__)) && (defined(__GNUC__) || defined(__clang__))
#define GITCAP_INT8_GEMM 1
#include <immintrin.h>
#endif

namespace gitcap::int8_gemm {

namespace {

constexpr int64_t block_bytes = block * panel_rows + panel_rows * 2; // 512 weights + 16 fp16 scales

struct block_q8_0 {
    uint16_t d; // fp16
    int8_t qs[block];
};
static_assert(sizeof(block_q8_0) == 34, "ggml's block_q8_0 layout");

int64_t panels(int64_t n) { return (n + panel_rows - 1) / panel_rows; }

} // namespace

size_t packed_size(int64_t n, int64_t k) { return size_t(panels(n) * (k / block) * block_bytes); }

size_t quantized_row_size(int64_t k) { return size_t(k + (k / block) * 8); }

// Panel p, block b: bytes 4g..4g+3 of row j land at 64g + 4j, so the g-th 64-byte vector holds
// inputs 4g..4g+3 of all 16 rows; the 16 scales follow. Rows past n are zero. Adding 128 to a
// signed byte is flipping its top bit.
void pack_q8_0(const void * src, int64_t n, int64_t k, uint8_t * dst, int64_t panel_begin, int64_t panel_end) {
    const int64_t nb = k / block;
    const auto * rows = static_cast<const block_q8_0 *>(src);
    for (int64_t p = panel_begin; p < panel_end; p++) {
        for (int64_t b = 0; b < nb; b++) {
            uint8_t * out = dst + (p * nb + b) * block_bytes;
            auto * scales = reinterpret_cast<uint16_t *>(out + block * panel_rows);
            for (int64_t j = 0; j < panel_rows; j++) {
                const int64_t row = p * panel_rows + j;
                const block_q8_0 * q = row < n ? &rows[row * nb + b] : nullptr;
                for (int64_t g = 0; g < block / 4; g++) {
                    uint32_t four = 0;
                    if (q) std::memcpy(&four, q->qs + 4 * g, 4);
                    four ^= 0x80808080u;
                    std::memcpy(out + 64 * g + 4 * j, &four, 4);
                }
                scales[j] = q ? q->d : 0;
            }
        }
    }
}

#ifdef GITCAP_INT8_GEMM

#define GITCAP_TARGET __attribute__((target("avx512f,avx512bw,avx512vl,avx512dq,avx512vnni,fma,f16c")))

bool available() {
    __builtin_cpu_init();
    return __builtin_cpu_supports("avx512f") && __builtin_cpu_supports("avx512bw") &&
           __builtin_cpu_supports("avx512vl") && __builtin_cpu_supports("avx512dq") &&
           __builtin_cpu_supports("avx512vnni") && __builtin_cpu_supports("fma") && __builtin_cpu_supports("f16c");
}

// As ggml's quantize_row_q8_0 on x86: d = amax / 127 stored as fp16, q = round-to-even(x * 127 / amax).
GITCAP_TARGET void quantize_rows(const float * x, size_t x_row_stride, int64_t k, uint8_t * dst, int64_t row_begin,
                                 int64_t row_end) {
    const int64_t nb = k / block;
    const size_t row_size = quantized_row_size(k);
    for (int64_t r = row_begin; r < row_end; r++) {
        const float * xr = reinterpret_cast<const float *>(reinterpret_cast<const uint8_t *>(x) + r * x_row_stride);
        uint8_t * out = dst + r * row_size;
        auto * scales = reinterpret_cast<float *>(out + k);
        auto * corrections = reinterpret_cast<int32_t *>(out + k + nb * 4);
        for (int64_t b = 0; b < nb; b++) {
            const __m512 v0 = _mm512_loadu_ps(xr + b * block), v1 = _mm512_loadu_ps(xr + b * block + 16);
            const float amax = _mm512_reduce_max_ps(_mm512_max_ps(_mm512_abs_ps(v0), _mm512_abs_ps(v1)));
            const float d = amax / 127.0f;
            const float id = amax != 0.0f ? 127.0f / amax : 0.0f;
            const __m512 vid = _mm512_set1_ps(id);
            const __m512i q0 = _mm512_cvtps_epi32(_mm512_roundscale_ps(_mm512_mul_ps(v0, vid), _MM_FROUND_TO_NEAREST_INT));
            const __m512i q1 = _mm512_cvtps_epi32(_mm512_roundscale_ps(_mm512_mul_ps(v1, vid), _MM_FROUND_TO_NEAREST_INT));
            _mm_storeu_si128(reinterpret_cast<__m128i *>(out + b * block), _mm512_cvtsepi32_epi8(q0));
            _mm_storeu_si128(reinterpret_cast<__m128i *>(out + b * block + 16), _mm512_cvtsepi32_epi8(q1));
            scales[b] = _cvtsh_ss(_cvtss_sh(d, _MM_FROUND_TO_NEAREST_INT));
            corrections[b] = -128 * _mm512_reduce_add_epi32(_mm512_add_epi32(q0, q1));
        }
    }
}

// MR activation rows x NR panels; every register holds 16 output rows of one activation row.
template <int MR, int NR>
GITCAP_TARGET static void tile(const uint8_t * const * w, int64_t nb, const uint8_t * const * x, int64_t k,
                               float * const * y, const float * bias, int64_t n_valid) {
    __m512 acc[MR][NR];
    #pragma GCC unroll 8
    for (int r = 0; r < MR; r++)
        #pragma GCC unroll 8
        for (int c = 0; c < NR; c++) acc[r][c] = _mm512_setzero_ps();

    for (int64_t b = 0; b < nb; b++) {
        __m512i sum[MR][NR];
        #pragma GCC unroll 8
        for (int r = 0; r < MR; r++) {
            const auto * corrections = reinterpret_cast<const int32_t *>(x[r] + k + nb * 4);
            const __m512i c0 = _mm512_set1_epi32(corrections[b]);
            #pragma GCC unroll 8
            for (int c = 0; c < NR; c++) sum[r][c] = c0;
        }
        #pragma GCC unroll 8
        for (int g = 0; g < block / 4; g++) {
            __m512i wv[NR];
            #pragma GCC unroll 8
            for (int c = 0; c < NR; c++) wv[c] = _mm512_loadu_si512(w[c] + b * block_bytes + 64 * g);
            #pragma GCC unroll 8
            for (int r = 0; r < MR; r++) {
                int32_t four;
                std::memcpy(&four, x[r] + b * block + 4 * g, 4);
                const __m512i xv = _mm512_set1_epi32(four);
                #pragma GCC unroll 8
                for (int c = 0; c < NR; c++) sum[r][c] = _mm512_dpbusd_epi32(sum[r][c], wv[c], xv);
            }
        }
        __m512 dw[NR];
        #pragma GCC unroll 8
        for (int c = 0; c < NR; c++) {
            dw[c] = _mm512_cvtph_ps(_mm256_loadu_si256(reinterpret_cast<const __m256i *>(w[c] + b * block_bytes + block * panel_rows)));
        }
        #pragma GCC unroll 8
        for (int r = 0; r < MR; r++) {
            const __m512 dx = _mm512_set1_ps(reinterpret_cast<const float *>(x[r] + k)[b]);
            #pragma GCC unroll 8
            for (int c = 0; c < NR; c++) {
                acc[r][c] = _mm512_fmadd_ps(_mm512_cvtepi32_ps(sum[r][c]), _mm512_mul_ps(dw[c], dx), acc[r][c]);
            }
        }
    }

    #pragma GCC unroll 8

    for (int c = 0; c < NR; c++) {
        const int64_t valid = std::min<int64_t>(panel_rows, n_valid - c * panel_rows);
        if (valid <= 0) break;
        const __mmask16 mask = __mmask16((1u << valid) - 1);
        const __m512 bv = bias ? _mm512_maskz_loadu_ps(mask, bias + c * panel_rows) : _mm512_setzero_ps();
        #pragma GCC unroll 8
        for (int r = 0; r < MR; r++) _mm512_mask_storeu_ps(y[r] + c * panel_rows, mask, _mm512_add_ps(acc[r][c], bv));
    }
}

template <int NR>
GITCAP_TARGET static void panel_group(const uint8_t * w_packed, int64_t p, int64_t n, int64_t k, const uint8_t * xq,
                                      int64_t m, float * y, size_t y_row_stride, const float * bias) {
    constexpr int MR = 4;
    const int64_t nb = k / block;
    const size_t row_size = quantized_row_size(k);
    const uint8_t * w[NR];
    for (int c = 0; c < NR; c++) w[c] = w_packed + (p + c) * nb * block_bytes;
    const int64_t col = p * panel_rows;
    const float * b = bias ? bias + col : nullptr;
    const int64_t n_valid = n - col;
    auto row_x = [&](int64_t r) { return xq + r * row_size; };
    auto row_y = [&](int64_t r) { return reinterpret_cast<float *>(reinterpret_cast<uint8_t *>(y) + r * y_row_stride) + col; };

    int64_t r = 0;
    for (; r + MR <= m; r += MR) {
        const uint8_t * x[MR] = {row_x(r), row_x(r + 1), row_x(r + 2), row_x(r + 3)};
        float * yr[MR] = {row_y(r), row_y(r + 1), row_y(r + 2), row_y(r + 3)};
        tile<MR, NR>(w, nb, x, k, yr, b, n_valid);
    }
    for (; r < m; r++) {
        const uint8_t * x[1] = {row_x(r)};
        float * yr[1] = {row_y(r)};
        tile<1, NR>(w, nb, x, k, yr, b, n_valid);
    }
}

GITCAP_TARGET void gemm(const uint8_t * w_packed, int64_t n, int64_t k, const uint8_t * xq, int64_t m, float * y,
                        size_t y_row_stride, const float * bias, int ith, int nth) {
    constexpr int NR = 2;
    const int64_t n_panels = panels(n);
    const int64_t n_groups = (n_panels + NR - 1) / NR;
    const int64_t g0 = n_groups * ith / nth, g1 = n_groups * (ith + 1) / nth;
    for (int64_t g = g0; g < g1; g++) {
        const int64_t p = g * NR;
        if (p + NR <= n_panels) {
            panel_group<NR>(w_packed, p, n, k, xq, m, y, y_row_stride, bias);
        } else {
            panel_group<1>(w_packed, p, n, k, xq, m, y, y_row_stride, bias);
        }
    }
}

#else

bool available() { return false; }
void quantize_rows(const float *, size_t, int64_t, uint8_t *, int64_t, int64_t) {}
void gemm(const uint8_t *, int64_t, int64_t, const uint8_t *, int64_t, float *, size_t, const float *, int, int) {}

#endif

} // namespace gitcap::int8_gemm
