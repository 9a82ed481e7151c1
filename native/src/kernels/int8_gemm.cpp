#include "kernels/int8_gemm.h"

#include <algorithm>
#include <cstring>

#if (defined(__x86_64__) || defined(__i386__)) && (defined(__GNUC__) || defined(__clang__))
#define GITCAP_INT8_GEMM 1
#include <immintrin.h>

#include "kernels/cpu_features.h"
#include "kernels/simd_math.h"
#endif

namespace gitcap::int8_gemm {

namespace {

struct block_q8_0 {
    uint16_t d; // fp16
    int8_t qs[block];
};
static_assert(sizeof(block_q8_0) == 34, "ggml's block_q8_0 layout");

struct block_q4_0 {
    uint16_t d;              // fp16
    uint8_t qs[block / 2];   // byte i: value i in the low nibble, value i + 16 in the high one
};
static_assert(sizeof(block_q4_0) == 18, "ggml's block_q4_0 layout");

// Bytes of one panel's block: 16 rows of 32 values, then 16 fp16 scales.
constexpr int64_t values_bytes(weight_format f) { return f == weight_format::q8 ? block * panel_rows : block * panel_rows / 2; }
constexpr int64_t block_bytes(weight_format f) { return values_bytes(f) + panel_rows * 2; }

int64_t panels(int64_t n) { return (n + panel_rows - 1) / panel_rows; }

// Panel p, block b: the 4 bytes at 4g of row j's block land at 64g + 4j, so each 64-byte vector
// holds the same 4 bytes of all 16 rows; the 16 scales follow. For q8 that is values 4g..4g+3,
// offset by +128 (flipping the top bit); for q4, values 4g..4g+3 in the low nibbles and
// 16+4g..16+4g+3 in the high ones. Rows past n hold zeros.
template <typename Block, weight_format F>
void pack_blocks(const void * src, int64_t n, int64_t k, uint8_t * dst, int64_t panel_begin, int64_t panel_end) {
    constexpr int64_t groups = sizeof(Block::qs) / 4;
    constexpr uint32_t flip = F == weight_format::q8 ? 0x80808080u : 0u;
    constexpr uint32_t zero = F == weight_format::q8 ? 0x80808080u : 0x88888888u; // the stored form of 0
    const int64_t nb = k / block;
    const auto * rows = static_cast<const Block *>(src);
    for (int64_t p = panel_begin; p < panel_end; p++) {
        for (int64_t b = 0; b < nb; b++) {
            uint8_t * out = dst + (p * nb + b) * block_bytes(F);
            auto * scales = reinterpret_cast<uint16_t *>(out + values_bytes(F));
            for (int64_t j = 0; j < panel_rows; j++) {
                const int64_t row = p * panel_rows + j;
                const Block * q = row < n ? &rows[row * nb + b] : nullptr;
                for (int64_t g = 0; g < groups; g++) {
                    uint32_t four = zero;
                    if (q) {
                        std::memcpy(&four, q->qs + 4 * g, 4);
                        four ^= flip;
                    }
                    std::memcpy(out + 64 * g + 4 * j, &four, 4);
                }
                scales[j] = q ? q->d : 0;
            }
        }
    }
}

} // namespace

size_t packed_size(weight_format f, int64_t n, int64_t k) { return size_t(panels(n) * (k / block) * block_bytes(f)); }

size_t quantized_row_size(int64_t k) { return size_t(k + (k / block) * 8); }

void pack(weight_format f, const void * src, int64_t n, int64_t k, uint8_t * dst, int64_t panel_begin, int64_t panel_end) {
    if (f == weight_format::q8) {
        pack_blocks<block_q8_0, weight_format::q8>(src, n, k, dst, panel_begin, panel_end);
    } else {
        pack_blocks<block_q4_0, weight_format::q4>(src, n, k, dst, panel_begin, panel_end);
    }
}

#ifdef GITCAP_INT8_GEMM

#define GITCAP_TARGET __attribute__((target("avx512f,avx512bw,avx512vl,avx512dq,avx512vnni,fma,f16c")))

bool available() {
    __builtin_cpu_init();
    return __builtin_cpu_supports("avx512f") && __builtin_cpu_supports("avx512bw") &&
           __builtin_cpu_supports("avx512vl") && __builtin_cpu_supports("avx512dq") &&
           __builtin_cpu_supports("avx512vnni") && __builtin_cpu_supports("fma") && cpu_features::f16c();
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

// 4 activation bytes, the same in all 16 lanes
GITCAP_TARGET static inline __m512i x4(const uint8_t * p) {
    int32_t four;
    std::memcpy(&four, p, 4);
    return _mm512_set1_epi32(four);
}

// MR activation rows x NR panels; every register holds 16 output rows of one activation row.
template <weight_format F, epilogue A, int MR, int NR>
GITCAP_TARGET static void tile(const uint8_t * const * w, int64_t nb, const uint8_t * const * x, int64_t k,
                               float * const * y, const float * bias, int64_t n_valid) {
    constexpr int64_t bytes = block_bytes(F);
    __m512 acc[MR][NR];
    #pragma GCC unroll 8
    for (int r = 0; r < MR; r++)
        #pragma GCC unroll 8
        for (int c = 0; c < NR; c++) acc[r][c] = _mm512_setzero_ps();

    for (int64_t b = 0; b < nb; b++) {
        __m512i sum[MR][NR];
        #pragma GCC unroll 8
        for (int r = 0; r < MR; r++) {
            // undoes the weights' offset: -128 * sum(x) for q8's +128, -8 * sum(x) for q4's -8
            const int32_t correction = reinterpret_cast<const int32_t *>(x[r] + k + nb * 4)[b];
            const __m512i c0 = _mm512_set1_epi32(F == weight_format::q8 ? correction : correction / 16);
            #pragma GCC unroll 8
            for (int c = 0; c < NR; c++) sum[r][c] = c0;
        }
        if constexpr (F == weight_format::q8) {
            #pragma GCC unroll 8
            for (int g = 0; g < block / 4; g++) {
                __m512i wv[NR];
                #pragma GCC unroll 8
                for (int c = 0; c < NR; c++) wv[c] = _mm512_loadu_si512(w[c] + b * bytes + 64 * g);
                #pragma GCC unroll 8
                for (int r = 0; r < MR; r++) {
                    const __m512i xv = x4(x[r] + b * block + 4 * g);
                    #pragma GCC unroll 8
                    for (int c = 0; c < NR; c++) sum[r][c] = _mm512_dpbusd_epi32(sum[r][c], wv[c], xv);
                }
            }
        } else {
            const __m512i low4 = _mm512_set1_epi8(0x0F);
            #pragma GCC unroll 8
            for (int g = 0; g < block / 8; g++) {
                __m512i lo[NR], hi[NR];
                #pragma GCC unroll 8
                for (int c = 0; c < NR; c++) {
                    const __m512i raw = _mm512_loadu_si512(w[c] + b * bytes + 64 * g);
                    lo[c] = _mm512_and_si512(raw, low4);
                    hi[c] = _mm512_and_si512(_mm512_srli_epi16(raw, 4), low4);
                }
                #pragma GCC unroll 8
                for (int r = 0; r < MR; r++) {
                    const __m512i xl = x4(x[r] + b * block + 4 * g), xh = x4(x[r] + b * block + 16 + 4 * g);
                    #pragma GCC unroll 8
                    for (int c = 0; c < NR; c++) {
                        sum[r][c] = _mm512_dpbusd_epi32(sum[r][c], lo[c], xl);
                        sum[r][c] = _mm512_dpbusd_epi32(sum[r][c], hi[c], xh);
                    }
                }
            }
        }
        __m512 dw[NR];
        #pragma GCC unroll 8
        for (int c = 0; c < NR; c++) {
            dw[c] = _mm512_cvtph_ps(_mm256_loadu_si256(reinterpret_cast<const __m256i *>(w[c] + b * bytes + values_bytes(F))));
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
        for (int r = 0; r < MR; r++) {
            __m512 out = _mm512_add_ps(acc[r][c], bv);
            if constexpr (A == epilogue::gelu_erf) out = simd::gelu_erf_ps(out);
            if constexpr (A == epilogue::quick_gelu) out = simd::quick_gelu_ps(out);
            _mm512_mask_storeu_ps(y[r] + c * panel_rows, mask, out);
        }
    }
}

// Panels p..p+NR-1 against every activation row, 4 rows at a time.
template <weight_format F, epilogue A, int NR>
GITCAP_TARGET static void panel_group(const uint8_t * w_packed, int64_t p, int64_t n, int64_t k, const uint8_t * xq,
                                      int64_t m, float * y, size_t y_row_stride, const float * bias) {
    constexpr int MR = 4;
    const int64_t nb = k / block;
    const size_t row_size = quantized_row_size(k);
    const uint8_t * w[NR];
    for (int c = 0; c < NR; c++) w[c] = w_packed + (p + c) * nb * block_bytes(F);
    const int64_t col = p * panel_rows;
    const float * b = bias ? bias + col : nullptr;
    const int64_t n_valid = n - col;
    auto row_x = [&](int64_t r) { return xq + r * row_size; };
    auto row_y = [&](int64_t r) { return reinterpret_cast<float *>(reinterpret_cast<uint8_t *>(y) + r * y_row_stride) + col; };

    int64_t r = 0;
    for (; r + MR <= m; r += MR) {
        const uint8_t * x[MR] = {row_x(r), row_x(r + 1), row_x(r + 2), row_x(r + 3)};
        float * yr[MR] = {row_y(r), row_y(r + 1), row_y(r + 2), row_y(r + 3)};
        tile<F, A, MR, NR>(w, nb, x, k, yr, b, n_valid);
    }
    for (; r < m; r++) {
        const uint8_t * x[1] = {row_x(r)};
        float * yr[1] = {row_y(r)};
        tile<F, A, 1, NR>(w, nb, x, k, yr, b, n_valid);
    }
}

template <weight_format F, epilogue A>
GITCAP_TARGET static void gemm_panels(const uint8_t * w_packed, int64_t n, int64_t k, const uint8_t * xq, int64_t m,
                                      float * y, size_t y_row_stride, const float * bias, int ith, int nth) {
    constexpr int NR = 2;
    const int64_t n_panels = panels(n);
    const int64_t n_groups = (n_panels + NR - 1) / NR;
    const int64_t g0 = n_groups * ith / nth, g1 = n_groups * (ith + 1) / nth;
    for (int64_t g = g0; g < g1; g++) {
        const int64_t p = g * NR;
        if (p + NR <= n_panels) {
            panel_group<F, A, NR>(w_packed, p, n, k, xq, m, y, y_row_stride, bias);
        } else {
            panel_group<F, A, 1>(w_packed, p, n, k, xq, m, y, y_row_stride, bias);
        }
    }
}

void gemm(weight_format f, epilogue act, const uint8_t * w_packed, int64_t n, int64_t k, const uint8_t * xq, int64_t m, float * y,
          size_t y_row_stride, const float * bias, int ith, int nth) {
    using W = weight_format;
    using E = epilogue;
    decltype(&gemm_panels<W::q8, E::none>) run = nullptr;
    switch (act) {
        case E::none: run = f == W::q8 ? gemm_panels<W::q8, E::none> : gemm_panels<W::q4, E::none>; break;
        case E::gelu_erf: run = f == W::q8 ? gemm_panels<W::q8, E::gelu_erf> : gemm_panels<W::q4, E::gelu_erf>; break;
        case E::quick_gelu: run = f == W::q8 ? gemm_panels<W::q8, E::quick_gelu> : gemm_panels<W::q4, E::quick_gelu>; break;
    }
    run(w_packed, n, k, xq, m, y, y_row_stride, bias, ith, nth);
}

#else

bool available() { return false; }
void quantize_rows(const float *, size_t, int64_t, uint8_t *, int64_t, int64_t) {}
void gemm(weight_format, epilogue, const uint8_t *, int64_t, int64_t, const uint8_t *, int64_t, float *, size_t, const float *, int,
          int) {}

#endif

} // namespace gitcap::int8_gemm
