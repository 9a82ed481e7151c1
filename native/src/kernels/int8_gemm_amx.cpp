#include "kernels/int8_gemm_amx.h"

#include <algorithm>
#include <cstring>
#include <vector>

// Linux only: the tile registers need the kernel's permission (arch_prctl below), and MinGW's
// GCC cannot assemble its own tile intrinsics (a 32-bit long as the stride register).
#if defined(__x86_64__) && defined(__linux__) && (defined(__GNUC__) || defined(__clang__))
#define GITCAP_INT8_AMX 1
#include <immintrin.h>

#include "kernels/simd_math.h"
#include <sys/syscall.h>
#include <unistd.h>
#endif

namespace gitcap::int8_amx {

using int8_gemm::block;
using int8_gemm::epilogue;
using int8_gemm::panel_rows;
using int8_gemm::weight_format;

#ifdef GITCAP_INT8_AMX

namespace {

#define GITCAP_AMX_TARGET __attribute__((target("amx-tile,amx-int8,avx512f,avx512bw,avx512vl,avx512dq,fma,f16c")))
// lambdas do not take their function's target: they name it again (and are inlined)
#define GITCAP_AMX_LAMBDA __attribute__((target("amx-tile,amx-int8"), always_inline))

constexpr int64_t tile_rows = 16;              // activation rows per A tile (and C tile)
constexpr int64_t b_tile_bytes = block * panel_rows; // one panel's block as signed bytes: 8 rows of 64
constexpr int64_t rows_per_pass = 64;          // activation rows multiplied against a chunk of panels at a time
constexpr int64_t unpacked_budget = 1 << 20;   // bytes of signed panels per chunk (stays in L2)

constexpr int64_t values_bytes(weight_format f) { return f == weight_format::q8 ? block * panel_rows : block * panel_rows / 2; }
constexpr int64_t block_bytes(weight_format f) { return values_bytes(f) + panel_rows * 2; }

// The tile registers' shapes, loaded by LDTILECFG (palette 1): tmm0-1 C (16 x 16 int32),
// tmm2-3 A (16 rows x 32 bytes of activations), tmm4-5 B (8 rows x 64 bytes: 32 inputs x 16 outputs).
struct alignas(64) tile_config {
    uint8_t palette = 1;
    uint8_t start_row = 0;
    uint8_t reserved[14] = {};
    uint16_t colsb[16] = {};
    uint8_t rows[16] = {};
};

tile_config make_config() {
    tile_config c;
    for (int t : {0, 1}) c.rows[t] = tile_rows, c.colsb[t] = 64;
    for (int t : {2, 3}) c.rows[t] = tile_rows, c.colsb[t] = block;
    for (int t : {4, 5}) c.rows[t] = block / 4, c.colsb[t] = 64;
    return c;
}

bool request_tile_permission() {
    constexpr long arch_req_xcomp_perm = 0x1023, xfeature_xtiledata = 18;
    return syscall(SYS_arch_prctl, arch_req_xcomp_perm, xfeature_xtiledata) == 0;
}

// Panels [p, p + count) as signed bytes, one 8 x 64 B tile per block: q8's stored +128 is taken
// off, q4's nibbles become value - 8 (low nibbles give inputs 0..15, high ones 16..31).
template <weight_format F>
GITCAP_AMX_TARGET void unpack_panels(const uint8_t * w_packed, int64_t p, int64_t count, int64_t nb, int8_t * dst) {
    for (int64_t i = 0; i < count * nb; i++) {
        const uint8_t * src = w_packed + (p * nb + i) * block_bytes(F);
        int8_t * out = dst + i * b_tile_bytes;
        if constexpr (F == weight_format::q8) {
            const __m512i flip = _mm512_set1_epi8(char(0x80));
            for (int g = 0; g < 8; g++) {
                _mm512_store_si512(out + 64 * g, _mm512_xor_si512(_mm512_loadu_si512(src + 64 * g), flip));
            }
        } else {
            const __m512i low4 = _mm512_set1_epi8(0x0F), eight = _mm512_set1_epi8(8);
            for (int g = 0; g < 4; g++) {
                const __m512i raw = _mm512_loadu_si512(src + 64 * g);
                _mm512_store_si512(out + 64 * g, _mm512_sub_epi8(_mm512_and_si512(raw, low4), eight));
                _mm512_store_si512(out + 64 * (g + 4), _mm512_sub_epi8(_mm512_and_si512(_mm512_srli_epi16(raw, 4), low4), eight));
            }
        }
    }
}

// acc[r] += float(c[r]) * d_weight * d_activation(r) for the 16 rows of one block's C tile.
GITCAP_AMX_TARGET inline void scale_block(__m512 * acc, const int32_t * c, __m512 dw, const uint8_t * x, size_t x_stride,
                                          int64_t scale_offset) {
    #pragma GCC unroll 16
    for (int r = 0; r < tile_rows; r++) {
        const float dx = *reinterpret_cast<const float *>(x + r * x_stride + scale_offset);
        const __m512 sum = _mm512_cvtepi32_ps(_mm512_load_si512(c + 16 * r));
        acc[r] = _mm512_fmadd_ps(sum, _mm512_mul_ps(dw, _mm512_set1_ps(dx)), acc[r]);
    }
}

// The 16 weight scales of a panel's block b.
template <weight_format F>
GITCAP_AMX_TARGET inline __m512 weight_scales(const uint8_t * wp, int64_t b) {
    return _mm512_cvtph_ps(_mm256_loadu_si256(reinterpret_cast<const __m256i *>(wp + b * block_bytes(F) + values_bytes(F))));
}

// One 16 x 16 output tile: 16 activation rows from `x` (rows x_stride bytes apart) against one
// panel (`wb` its signed tiles, `wp` its packed blocks for the scales); `rows` and `cols` of it are
// stored. Two C tiles take alternate blocks, and the next two blocks are multiplied while the
// vector units scale the last two: the tile unit and the vector units work at the same time.
template <weight_format F, epilogue A>
GITCAP_AMX_TARGET void output_tile(const int8_t * wb, const uint8_t * wp, int64_t nb, const uint8_t * x, size_t x_stride, int64_t k,
                                   float * y, size_t y_stride, const float * bias, int64_t rows, int64_t cols, int32_t * cbuf) {
    __m512 acc[tile_rows];
    for (auto & a : acc) a = _mm512_setzero_ps();
    // block b into C tile 0 (b even) or 1 (b odd)
    auto multiply0 = [&](int64_t b) GITCAP_AMX_LAMBDA {
        _tile_zero(0);
        _tile_loadd(2, x + b * block, x_stride);
        _tile_loadd(4, wb + b * b_tile_bytes, 64);
        _tile_dpbssd(0, 2, 4);
    };
    auto multiply1 = [&](int64_t b) GITCAP_AMX_LAMBDA {
        _tile_zero(1);
        _tile_loadd(3, x + b * block, x_stride);
        _tile_loadd(5, wb + b * b_tile_bytes, 64);
        _tile_dpbssd(1, 3, 5);
    };
    multiply0(0);
    if (nb > 1) multiply1(1);
    for (int64_t b = 0; b < nb; b += 2) {
        const bool pair = b + 1 < nb;
        _tile_stored(0, cbuf, 64);
        if (pair) _tile_stored(1, cbuf + 256, 64);
        if (b + 2 < nb) multiply0(b + 2);
        if (b + 3 < nb) multiply1(b + 3);
        scale_block(acc, cbuf, weight_scales<F>(wp, b), x, x_stride, k + b * 4);
        if (pair) scale_block(acc, cbuf + 256, weight_scales<F>(wp, b + 1), x, x_stride, k + (b + 1) * 4);
    }
    const __mmask16 mask = __mmask16((1u << cols) - 1);
    const __m512 bv = bias ? _mm512_maskz_loadu_ps(mask, bias) : _mm512_setzero_ps();
    for (int64_t r = 0; r < rows; r++) {
        __m512 out = _mm512_add_ps(acc[r], bv);
        if constexpr (A == epilogue::gelu_erf) out = simd::gelu_erf_ps(out);
        if constexpr (A == epilogue::quick_gelu) out = simd::quick_gelu_ps(out);
        _mm512_mask_storeu_ps(reinterpret_cast<float *>(reinterpret_cast<uint8_t *>(y) + r * y_stride), mask, out);
    }
}

// 64-byte aligned scratch that each thread keeps between calls (ggml's worker threads live as long
// as the thread pool).
uint8_t * scratch(std::vector<uint8_t> & v, size_t bytes) {
    if (v.size() < bytes + 64) v.resize(bytes + 64);
    return reinterpret_cast<uint8_t *>((reinterpret_cast<uintptr_t>(v.data()) + 63) & ~uintptr_t(63));
}

// Thread ith's panels, a chunk at a time: the chunk is unpacked once, then every pass of 64
// activation rows is multiplied against all of it (the rows stay in L1/L2 across its panels, the
// chunk in L2 across the passes). No thread waits for another.
template <weight_format F, epilogue A>
GITCAP_AMX_TARGET void gemm_tiles(const uint8_t * w_packed, int64_t n, int64_t k, const uint8_t * xq, int64_t m, float * y,
                                  size_t y_row_stride, const float * bias, int ith, int nth) {
    const int64_t nb = k / block;
    const int64_t n_panels = (n + panel_rows - 1) / panel_rows;
    const int64_t p0 = n_panels * ith / nth, p1 = n_panels * (ith + 1) / nth;
    if (p0 >= p1) return;
    const size_t row_size = int8_gemm::quantized_row_size(k);
    const int64_t chunk = std::max<int64_t>(1, unpacked_budget / (nb * b_tile_bytes));

    thread_local std::vector<uint8_t> unpacked_store, tail_store, c_store;
    auto * unpacked = reinterpret_cast<int8_t *>(scratch(unpacked_store, size_t(std::min(chunk, p1 - p0) * nb * b_tile_bytes)));
    auto * cbuf = reinterpret_cast<int32_t *>(scratch(c_store, 2 * 256 * sizeof(int32_t)));
    // the last rows, fewer than 16, copied into 16 zeroed ones so that A tiles never read past xq
    const int64_t full_rows = m / tile_rows * tile_rows;
    uint8_t * tail = nullptr;
    if (full_rows < m) {
        tail = scratch(tail_store, tile_rows * row_size);
        std::memset(tail, 0, tile_rows * row_size);
        std::memcpy(tail, xq + full_rows * row_size, (m - full_rows) * row_size);
    }

    static const tile_config config = make_config();
    _tile_loadconfig(&config);
    for (int64_t pc = p0; pc < p1; pc += chunk) {
        const int64_t count = std::min(chunk, p1 - pc);
        unpack_panels<F>(w_packed, pc, count, nb, unpacked);
        for (int64_t r0 = 0; r0 < m; r0 += rows_per_pass) {
            const int64_t r1 = std::min(m, r0 + rows_per_pass);
            for (int64_t p = pc; p < pc + count; p++) {
                const int64_t col = p * panel_rows;
                const int64_t cols = std::min<int64_t>(panel_rows, n - col);
                const int8_t * wb = unpacked + (p - pc) * nb * b_tile_bytes;
                const uint8_t * wp = w_packed + p * nb * block_bytes(F);
                for (int64_t r = r0; r < r1; r += tile_rows) {
                    const bool partial = r + tile_rows > m;
                    const uint8_t * x = partial ? tail : xq + r * row_size;
                    float * yr = reinterpret_cast<float *>(reinterpret_cast<uint8_t *>(y) + r * y_row_stride) + col;
                    output_tile<F, A>(wb, wp, nb, x, row_size, k, yr, y_row_stride, bias ? bias + col : nullptr,
                                      std::min(tile_rows, m - r), cols, cbuf);
                }
            }
        }
    }
    _tile_release();
}

} // namespace

bool available() {
    static const bool ok = [] {
        __builtin_cpu_init();
        // GCC 12's __builtin_cpu_supports has no AMX names: CPUID leaf 7 EDX bits 24 (AMX-TILE) and 25 (AMX-INT8)
        unsigned eax = 0, ebx = 0, ecx = 0, edx = 0;
        __asm__("cpuid" : "=a"(eax), "=b"(ebx), "=c"(ecx), "=d"(edx) : "a"(7), "c"(0));
        const bool amx = (edx >> 24 & 1) && (edx >> 25 & 1);
        return amx && int8_gemm::available() && request_tile_permission();
    }();
    return ok;
}

void gemm(weight_format f, epilogue act, const uint8_t * w_packed, int64_t n, int64_t k, const uint8_t * xq, int64_t m, float * y,
          size_t y_row_stride, const float * bias, int ith, int nth) {
    using W = weight_format;
    using E = epilogue;
    decltype(&gemm_tiles<W::q8, E::none>) run = nullptr;
    switch (act) {
        case E::none: run = f == W::q8 ? gemm_tiles<W::q8, E::none> : gemm_tiles<W::q4, E::none>; break;
        case E::gelu_erf: run = f == W::q8 ? gemm_tiles<W::q8, E::gelu_erf> : gemm_tiles<W::q4, E::gelu_erf>; break;
        case E::quick_gelu: run = f == W::q8 ? gemm_tiles<W::q8, E::quick_gelu> : gemm_tiles<W::q4, E::quick_gelu>; break;
    }
    run(w_packed, n, k, xq, m, y, y_row_stride, bias, ith, nth);
}

#else

bool available() { return false; }
void gemm(weight_format, epilogue, const uint8_t *, int64_t, int64_t, const uint8_t *, int64_t, float *, size_t, const float *, int,
          int) {}

#endif

} // namespace gitcap::int8_amx
