#include "kernels/bf16_gemm_amx.h"

#include <algorithm>
#include <cstring>
#include <vector>

// Linux only: the tile registers need the kernel's permission (arch_prctl below), and MinGW's
// GCC cannot assemble its own tile intrinsics (a 32-bit long as the stride register).
#if defined(__x86_64__) && defined(__linux__) && (defined(__GNUC__) || defined(__clang__))
#define GITCAP_BF16_AMX 1
#include <immintrin.h>

#include "kernels/amx_tiles.h"
#include "kernels/simd_math.h"
#include <sys/syscall.h>
#include <unistd.h>
#endif

namespace gitcap::bf16_amx {

using int8_gemm::block;
using int8_gemm::epilogue;
using int8_gemm::panel_rows;
using int8_gemm::weight_format;

#ifdef GITCAP_BF16_AMX

namespace {

#define GITCAP_BF16_TARGET __attribute__((target("amx-tile,amx-bf16,avx512f,avx512bw,avx512vl,avx512dq,avx512bf16,fma,f16c")))

constexpr int64_t tile_rows = 16;                 // activation rows per A tile (and C tile)
constexpr int64_t row_block = 2 * tile_rows;      // activation rows per pass: two A tiles
constexpr int64_t b_tile_bytes = block * panel_rows * 2; // one panel's block in bf16: 16 rows (pairs of inputs) x 64 bytes
constexpr int64_t unpacked_budget = 1 << 20;      // bytes of bf16 panels per chunk (stays in L2)

constexpr int64_t values_bytes(weight_format f) { return f == weight_format::q8 ? block * panel_rows : block * panel_rows / 2; }
constexpr int64_t block_bytes(weight_format f) { return values_bytes(f) + panel_rows * 2; }

// Tile registers (amx_tiles.h: all 16 rows x 64 bytes): tmm0-3 C (16 x 16 f32: rows 0-15 and
// 16-31 of the pass, by two panels), tmm4-5 A (16 rows x 32 bf16 inputs), tmm6-7 B (16 pairs of
// inputs x 16 outputs).

bool request_tile_permission() {
    constexpr long arch_req_xcomp_perm = 0x1023, xfeature_xtiledata = 18;
    return syscall(SYS_arch_prctl, arch_req_xcomp_perm, xfeature_xtiledata) == 0;
}

// Four int8 groups' worth of bytes (one 64-byte vector, lane j = inputs 4g..4g+3 of output j)
// times the outputs' scales, as the two B-tile rows of inputs (4g, 4g+1) and (4g+2, 4g+3).
GITCAP_BF16_TARGET inline void widen_group(__m512i v, __m512 d, __m512i interleave, uint8_t * row_pair) {
    const __m512 f0 = _mm512_mul_ps(_mm512_cvtepi32_ps(_mm512_srai_epi32(_mm512_slli_epi32(v, 24), 24)), d);
    const __m512 f1 = _mm512_mul_ps(_mm512_cvtepi32_ps(_mm512_srai_epi32(_mm512_slli_epi32(v, 16), 24)), d);
    const __m512 f2 = _mm512_mul_ps(_mm512_cvtepi32_ps(_mm512_srai_epi32(_mm512_slli_epi32(v, 8), 24)), d);
    const __m512 f3 = _mm512_mul_ps(_mm512_cvtepi32_ps(_mm512_srai_epi32(v, 24)), d);
    // cvtne2ps gives [f0's 16 | f1's 16]; the permutation pairs them per output: (f0[j], f1[j])
    const __m512i r0 = _mm512_permutexvar_epi16(interleave, (__m512i) _mm512_cvtne2ps_pbh(f1, f0));
    const __m512i r1 = _mm512_permutexvar_epi16(interleave, (__m512i) _mm512_cvtne2ps_pbh(f3, f2));
    _mm512_store_si512(row_pair, r0);
    _mm512_store_si512(row_pair + 64, r1);
}

// Panels [p, p + count) as bf16 B tiles, one per block of 32 inputs: d * q, q8's stored +128
// taken off, q4's nibbles as value - 8 (low nibbles give inputs 0..15, high ones 16..31).
template <weight_format F>
GITCAP_BF16_TARGET void unpack_panels(const uint8_t * w_packed, int64_t p, int64_t count, int64_t nb, uint8_t * dst) {
    __m512i interleave;
    {
        alignas(64) uint16_t idx[32];
        for (int j = 0; j < 16; j++) idx[2 * j] = uint16_t(j), idx[2 * j + 1] = uint16_t(16 + j);
        interleave = _mm512_load_si512(idx);
    }
    for (int64_t i = 0; i < count * nb; i++) {
        const uint8_t * src = w_packed + (p * nb + i) * block_bytes(F);
        uint8_t * out = dst + i * b_tile_bytes;
        const __m512 d = _mm512_cvtph_ps(_mm256_loadu_si256(reinterpret_cast<const __m256i *>(src + values_bytes(F))));
        if constexpr (F == weight_format::q8) {
            const __m512i flip = _mm512_set1_epi8(char(0x80));
            for (int g = 0; g < 8; g++) {
                widen_group(_mm512_xor_si512(_mm512_loadu_si512(src + 64 * g), flip), d, interleave, out + 128 * g);
            }
        } else {
            const __m512i low4 = _mm512_set1_epi8(0x0F), eight = _mm512_set1_epi8(8);
            for (int g = 0; g < 4; g++) {
                const __m512i raw = _mm512_loadu_si512(src + 64 * g);
                widen_group(_mm512_sub_epi8(_mm512_and_si512(raw, low4), eight), d, interleave, out + 128 * g);
                widen_group(_mm512_sub_epi8(_mm512_and_si512(_mm512_srli_epi16(raw, 4), low4), eight), d, interleave, out + 128 * (g + 4));
            }
        }
    }
}

// One pass's results waiting in a C buffer (tile t at 256 floats, t = 2 * row half + panel) for
// the bias and the epilogue.
struct finished_pass {
    const float * cbuf = nullptr;
    int64_t row = 0;  // first activation row
    int64_t rows = 0; // of 32
    int panels = 0;   // 1 or 2
    int64_t col = 0;  // first output column
};

// The bias, the epilogue and the residual over a finished pass, into out.y.
template <epilogue A>
GITCAP_BF16_TARGET void store_pass(const finished_pass & f, int64_t n, const destination & out) {
    for (int q = 0; q < f.panels; q++) {
        const int64_t c0 = f.col + q * panel_rows;
        const int64_t cols = std::min<int64_t>(panel_rows, n - c0);
        const __mmask16 mask = __mmask16((1u << cols) - 1);
        const __m512 bv = out.bias ? _mm512_maskz_loadu_ps(mask, out.bias + c0) : _mm512_setzero_ps();
        for (int64_t r = 0; r < f.rows; r++) {
            __m512 v = _mm512_add_ps(_mm512_load_ps(f.cbuf + (2 * (r / tile_rows) + q) * 256 + (r % tile_rows) * 16), bv);
            if constexpr (A == epilogue::gelu_erf) v = simd::gelu_erf_ps(v);
            if constexpr (A == epilogue::quick_gelu) v = simd::quick_gelu_ps(v);
            if (out.residual) {
                const auto * res = reinterpret_cast<const uint8_t *>(out.residual) + (f.row + r) * out.residual_row_stride;
                v = _mm512_add_ps(_mm512_maskz_loadu_ps(mask, reinterpret_cast<const float *>(res) + c0), v);
            }
            if (out.y_bf16) {
                auto * row = reinterpret_cast<uint16_t *>(reinterpret_cast<uint8_t *>(out.y_bf16) + (f.row + r) * out.y_row_stride);
                _mm256_mask_storeu_epi16(row + c0, mask, (__m256i) _mm512_cvtneps_pbh(v));
            } else {
                _mm512_mask_storeu_ps(reinterpret_cast<float *>(reinterpret_cast<uint8_t *>(out.y) + (f.row + r) * out.y_row_stride) + c0, mask, v);
            }
        }
    }
}

// Brings the lines that store_pass will read (residual) and write (y) for a pass into the cache
// while its products run: its 32 rows are far apart in memory, and a miss on each would keep the
// vector units from finishing before the tiles need them again.
GITCAP_BF16_TARGET void prefetch_pass(const finished_pass & f, int64_t n, const destination & out) {
    const size_t bytes = std::min<int64_t>(f.panels * panel_rows, n - f.col) * (out.y_bf16 ? 2 : 4);
    for (int64_t r = 0; r < f.rows; r++) {
        const auto * y_row = reinterpret_cast<const char *>(out.y_bf16 ? static_cast<void *>(out.y_bf16) : static_cast<void *>(out.y)) +
                             (f.row + r) * out.y_row_stride + f.col * (out.y_bf16 ? 2 : 4);
        for (size_t b = 0; b < bytes; b += 64) _mm_prefetch(y_row + b, _MM_HINT_T0);
        if (out.residual) {
            const auto * res = reinterpret_cast<const char *>(out.residual) + (f.row + r) * out.residual_row_stride + f.col * 4;
            for (size_t b = 0; b < bytes * (out.y_bf16 ? 2 : 1); b += 64) _mm_prefetch(res + b, _MM_HINT_T0);
        }
    }
}

// Issues the tile products of 32 activation rows (`x`, rows x_stride bytes apart) against one or
// two panels' bf16 tiles over all nb blocks, into C tiles 0 and 2 (and 1 and 3).
template <bool TwoPanels>
GITCAP_BF16_TARGET void multiply_pass(const uint16_t * x, size_t x_stride, const uint8_t * wb0, const uint8_t * wb1, int64_t nb) {
    _tile_zero(0);
    _tile_zero(2);
    if constexpr (TwoPanels) {
        _tile_zero(1);
        _tile_zero(3);
    }
    const auto * x_low = reinterpret_cast<const uint8_t *>(x);
    const uint8_t * x_high = x_low + tile_rows * x_stride;
    for (int64_t b = 0; b < nb; b++) {
        _tile_loadd(4, x_low + b * 64, x_stride);
        _tile_loadd(6, wb0 + b * b_tile_bytes, 64);
        _tile_dpbf16ps(0, 4, 6);
        _tile_loadd(5, x_high + b * 64, x_stride);
        _tile_dpbf16ps(2, 5, 6);
        if constexpr (TwoPanels) {
            _tile_loadd(7, wb1 + b * b_tile_bytes, 64);
            _tile_dpbf16ps(1, 4, 7);
            _tile_dpbf16ps(3, 5, 7);
        }
    }
}

GITCAP_BF16_TARGET void store_tiles(float * cbuf, bool two_panels) {
    _tile_stored(0, cbuf, 64);
    _tile_stored(2, cbuf + 512, 64);
    if (two_panels) {
        _tile_stored(1, cbuf + 256, 64);
        _tile_stored(3, cbuf + 768, 64);
    }
}

// 64-byte aligned scratch that each thread keeps between calls (ggml's worker threads live as long
// as the thread pool).
uint8_t * scratch(std::vector<uint8_t> & v, size_t bytes) {
    if (v.size() < bytes + 64) v.resize(bytes + 64);
    return reinterpret_cast<uint8_t *>((reinterpret_cast<uintptr_t>(v.data()) + 63) & ~uintptr_t(63));
}

// Thread ith's panels, a chunk at a time: the chunk is dequantized once, then every pass of 32
// activation rows is multiplied against all of it, two panels at a time. No thread waits for another.
template <weight_format F, epilogue A>
GITCAP_BF16_TARGET void gemm_tiles(const uint8_t * w_packed, int64_t n, int64_t k, const uint16_t * xb, int64_t m,
                                   const destination & out, int ith, int nth) {
    const int64_t nb = k / block;
    const int64_t n_panels = (n + panel_rows - 1) / panel_rows;
    // whole pairs of panels per thread where possible
    const int64_t pairs = (n_panels + 1) / 2;
    const int64_t p0 = std::min(n_panels, 2 * (pairs * ith / nth)), p1 = std::min(n_panels, 2 * (pairs * (ith + 1) / nth));
    if (p0 >= p1) return;
    const size_t row_size = converted_row_size(k);
    const int64_t chunk = std::max<int64_t>(2, unpacked_budget / (nb * b_tile_bytes) / 2 * 2);

    thread_local std::vector<uint8_t> unpacked_store, tail_store, c_store;
    uint8_t * unpacked = scratch(unpacked_store, size_t(std::min(chunk, p1 - p0) * nb * b_tile_bytes));
    // two C buffers: one pass's tiles are stored while the vector units finish the one before
    auto * cbufs = reinterpret_cast<float *>(scratch(c_store, 2 * 4 * 256 * sizeof(float)));
    finished_pass pending;
    // the last rows, fewer than 32, copied into 32 zeroed ones so that A tiles never read past xb
    const int64_t full_rows = m / row_block * row_block;
    uint16_t * tail = nullptr;
    if (full_rows < m) {
        tail = reinterpret_cast<uint16_t *>(scratch(tail_store, row_block * row_size));
        std::memset(tail, 0, row_block * row_size);
        std::memcpy(tail, reinterpret_cast<const uint8_t *>(xb) + full_rows * row_size, (m - full_rows) * row_size);
    }

    static const amx_tile_config config = full_tiles_config();
    _tile_loadconfig(&config);
    for (int64_t pc = p0; pc < p1; pc += chunk) {
        const int64_t count = std::min(chunk, p1 - pc);
        unpack_panels<F>(w_packed, pc, count, nb, unpacked);
        for (int64_t r = 0; r < m; r += row_block) {
            const bool partial = r + row_block > m;
            const uint16_t * x = partial ? tail : reinterpret_cast<const uint16_t *>(reinterpret_cast<const uint8_t *>(xb) + r * row_size);
            const int64_t rows = std::min(row_block, m - r);
            for (int64_t p = pc; p < pc + count; p += 2) {
                const uint8_t * wb0 = unpacked + (p - pc) * nb * b_tile_bytes;
                const bool two = p + 1 < pc + count;
                if (two) {
                    multiply_pass<true>(x, row_size, wb0, wb0 + nb * b_tile_bytes, nb);
                } else {
                    multiply_pass<false>(x, row_size, wb0, nullptr, nb);
                }
                // the tile unit works through the products while the vector units finish the last pass
                float * cbuf = cbufs + (pending.cbuf == cbufs ? 1024 : 0);
                const finished_pass current{cbuf, r, rows, two ? 2 : 1, p * panel_rows};
                prefetch_pass(current, n, out);
                if (pending.cbuf) store_pass<A>(pending, n, out);
                store_tiles(cbuf, two);
                pending = current;
            }
        }
    }
    if (pending.cbuf) store_pass<A>(pending, n, out);
    _tile_release();
}

GITCAP_BF16_TARGET void convert_rows_bf16(const float * x, size_t x_row_stride, int64_t k, uint16_t * dst, int64_t row_begin,
                                          int64_t row_end) {
    for (int64_t r = row_begin; r < row_end; r++) {
        const float * src = reinterpret_cast<const float *>(reinterpret_cast<const uint8_t *>(x) + r * x_row_stride);
        auto * out = reinterpret_cast<__m512i *>(dst + r * k);
        for (int64_t i = 0; i < k; i += 32) {
            // cvtne2ps(a, b): b's 16 go first
            _mm512_storeu_si512(out + i / 32, (__m512i) _mm512_cvtne2ps_pbh(_mm512_loadu_ps(src + i + 16), _mm512_loadu_ps(src + i)));
        }
    }
}

} // namespace

bool available() {
    static const bool ok = [] {
        // GCC 12's __builtin_cpu_supports has no AMX names. CPUID leaf 7: EDX bits 22 (AMX-BF16) and
        // 24 (AMX-TILE); subleaf 1, EAX bit 5 (AVX512-BF16).
        unsigned eax = 0, ebx = 0, ecx = 0, edx = 0;
        __asm__("cpuid" : "=a"(eax), "=b"(ebx), "=c"(ecx), "=d"(edx) : "a"(7), "c"(0));
        const bool amx = (edx >> 22 & 1) && (edx >> 24 & 1);
        __asm__("cpuid" : "=a"(eax), "=b"(ebx), "=c"(ecx), "=d"(edx) : "a"(7), "c"(1));
        const bool avx512_bf16 = eax >> 5 & 1;
        // the kernel's other steps use AVX-512 (and the decode steps its VNNI kernel)
        return amx && avx512_bf16 && int8_gemm::available() && request_tile_permission();
    }();
    return ok;
}

void convert_rows(const float * x, size_t x_row_stride, int64_t k, uint16_t * dst, int64_t row_begin, int64_t row_end) {
    convert_rows_bf16(x, x_row_stride, k, dst, row_begin, row_end);
}

void gemm(weight_format f, epilogue act, const uint8_t * w_packed, int64_t n, int64_t k, const uint16_t * xb, int64_t m,
          const destination & out, int ith, int nth) {
    using W = weight_format;
    using E = epilogue;
    decltype(&gemm_tiles<W::q8, E::none>) run = nullptr;
    switch (act) {
        case E::none: run = f == W::q8 ? gemm_tiles<W::q8, E::none> : gemm_tiles<W::q4, E::none>; break;
        case E::gelu_erf: run = f == W::q8 ? gemm_tiles<W::q8, E::gelu_erf> : gemm_tiles<W::q4, E::gelu_erf>; break;
        case E::quick_gelu: run = f == W::q8 ? gemm_tiles<W::q8, E::quick_gelu> : gemm_tiles<W::q4, E::quick_gelu>; break;
    }
    run(w_packed, n, k, xb, m, out, ith, nth);
}

#else

bool available() { return false; }
void convert_rows(const float *, size_t, int64_t, uint16_t *, int64_t, int64_t) {}
void gemm(weight_format, epilogue, const uint8_t *, int64_t, int64_t, const uint16_t *, int64_t, const destination &, int, int) {}

#endif

} // namespace gitcap::bf16_amx
