#include "kernels/attention_amx.h"

#include "kernels/bf16_gemm_amx.h"

#include <algorithm>
#include <cmath>
#include <cstring>
#include <vector>

// Linux only, as bf16_gemm_amx.cpp (tile permission; MinGW cannot assemble the tile intrinsics).
#if defined(__x86_64__) && defined(__linux__) && (defined(__GNUC__) || defined(__clang__))
#define GITCAP_ATTENTION_AMX 1
#include <immintrin.h>

#include "kernels/amx_tiles.h"
#endif

namespace gitcap::attention_amx {

using attention_kernel::view;

#ifdef GITCAP_ATTENTION_AMX

namespace {

#define GITCAP_ATTN_AMX_TARGET __attribute__((target("amx-tile,amx-bf16,avx512f,avx512bw,avx512vl,avx512dq,avx512bf16,fma")))

constexpr int block_rows = 16;      // queries per block: the rows of the A and C tiles
constexpr int tile_elems = 512;     // bf16 values in one 16 x 64-byte tile
constexpr int64_t key_align = 32;   // keys are padded to this (one A tile of weights)

// Tile registers (amx_tiles.h: all 16 rows x 64 bytes): tmm0-3 C (f32), tmm4 A (queries or
// weights), tmm6-7 B (keys or values), loaded in turn so that a load overlaps a product.

// One block of queries and its scores. There are two: the next block's scores are computed by the
// tiles while the vector units take the softmax of the current one.
struct scored_block {
    uint16_t * qb;                 // the queries times scale * log2(e): [16][hd_pad]
    float * s;                     // the scores: [16][n_pad]
    float row_max[block_rows][16]; // each query's largest score so far, in 16 lanes of key columns
};

// The shapes of one call and the thread's memory for it (64-byte aligned regions).
struct workspace {
    int64_t n, n_pad;   // keys, and keys padded to key_align
    int hd, hd_pad;     // head size, and head size padded to 32 (the scores' inner dimension)
    uint16_t * kt;      // K as B tiles [key / 16][dim / 32]: row r holds dims 2r, 2r+1 of 16 keys
    uint16_t * vt;      // V as B tiles [key / 32][dim / 16]: row r holds keys 2r, 2r+1 of 16 dims
    scored_block blk[2];
    uint16_t * p;       // the current block's weights: [16][n_pad]
    float * o;          // four C tiles of output: [4][16][16]
    float inv_sum[block_rows];
};

// Carves the workspace out of a thread-local buffer that is kept between calls (ggml's worker
// threads live as long as the thread pool).
workspace make_workspace(int64_t n, int hd) {
    workspace w{};
    w.n = n;
    w.n_pad = (n + key_align - 1) / key_align * key_align;
    w.hd = hd;
    w.hd_pad = (hd + 31) / 32 * 32;
    const size_t sizes[] = {size_t(w.n_pad * w.hd_pad) * 2, size_t(w.n_pad * hd) * 2,   size_t(block_rows * w.hd_pad) * 2,
                            size_t(block_rows * w.n_pad) * 4, size_t(block_rows * w.hd_pad) * 2, size_t(block_rows * w.n_pad) * 4,
                            size_t(block_rows * w.n_pad) * 2, 4 * 256 * 4};
    size_t total = 64;
    for (size_t s : sizes) total += (s + 63) / 64 * 64;
    thread_local std::vector<uint8_t> store;
    if (store.size() < total) store.resize(total);
    auto at = reinterpret_cast<uint8_t *>((reinterpret_cast<uintptr_t>(store.data()) + 63) & ~uintptr_t(63));
    uint8_t * region[8];
    for (int i = 0; i < 8; i++) region[i] = at, at += (sizes[i] + 63) / 64 * 64;
    w.kt = reinterpret_cast<uint16_t *>(region[0]);
    w.vt = reinterpret_cast<uint16_t *>(region[1]);
    for (int i = 0; i < 2; i++) {
        w.blk[i].qb = reinterpret_cast<uint16_t *>(region[2 + 2 * i]);
        w.blk[i].s = reinterpret_cast<float *>(region[3 + 2 * i]);
    }
    w.p = reinterpret_cast<uint16_t *>(region[6]);
    w.o = reinterpret_cast<float *>(region[7]);
    return w;
}

// Asks for the cache lines of `bytes` bytes from p (rows of q, k and v come straight from the
// projection, in memory, each row a separate stride apart: the hardware prefetcher does not see them coming).
GITCAP_ATTN_AMX_TARGET inline void prefetch(const void * p, size_t bytes) {
    for (size_t i = 0; i < bytes; i += 64) _mm_prefetch(static_cast<const char *>(p) + i, _MM_HINT_T0);
}

// Rows ahead that the conversion of V asks for (that of K asks for the next 16 keys).
constexpr int64_t prefetch_distance = 8;

// The 16 floats at row + offset, or zeros where the row is null (a padded key or query) or `on`
// is false (padded dims). The offset is applied only to a real row.
GITCAP_ATTN_AMX_TARGET inline __m512 load_or_zero(const float * row, int64_t offset, bool on = true) {
    return row && on ? _mm512_loadu_ps(row + offset) : _mm512_setzero_ps();
}

// The 16 x 16 dwords a[j][r] transposed in place: a[r][j].
GITCAP_ATTN_AMX_TARGET inline void transpose_16x16(__m512i a[16]) {
    __m512i t[16];
    for (int i = 0; i < 16; i += 2) { // lane L of t[i]: a[i][4L], a[i+1][4L], a[i][4L+1], a[i+1][4L+1]; of t[i+1]: the same for 4L+2, 4L+3
        t[i] = _mm512_unpacklo_epi32(a[i], a[i + 1]);
        t[i + 1] = _mm512_unpackhi_epi32(a[i], a[i + 1]);
    }
    for (int i = 0; i < 16; i += 4) { // lane L of a[i + c]: dword 4L + c of keys i..i+3
        a[i] = _mm512_unpacklo_epi64(t[i], t[i + 2]);
        a[i + 1] = _mm512_unpackhi_epi64(t[i], t[i + 2]);
        a[i + 2] = _mm512_unpacklo_epi64(t[i + 1], t[i + 3]);
        a[i + 3] = _mm512_unpackhi_epi64(t[i + 1], t[i + 3]);
    }
    for (int c = 0; c < 4; c++) { // the 4 x 4 lanes of a[c], a[4 + c], a[8 + c], a[12 + c] transposed: rows c, 4 + c, 8 + c, 12 + c
        const __m512i v0 = _mm512_shuffle_i32x4(a[c], a[4 + c], 0x44), v1 = _mm512_shuffle_i32x4(a[c], a[4 + c], 0xEE);
        const __m512i v2 = _mm512_shuffle_i32x4(a[8 + c], a[12 + c], 0x44), v3 = _mm512_shuffle_i32x4(a[8 + c], a[12 + c], 0xEE);
        t[c] = _mm512_shuffle_i32x4(v0, v2, 0x88);
        t[4 + c] = _mm512_shuffle_i32x4(v0, v2, 0xDD);
        t[8 + c] = _mm512_shuffle_i32x4(v1, v3, 0x88);
        t[12 + c] = _mm512_shuffle_i32x4(v1, v3, 0xDD);
    }
    for (int r = 0; r < 16; r++) a[r] = t[r];
}

// K of head h in batch b as B tiles of the scores: the 32 dims of block db of key t, rounded to
// bf16, are 16 pairs that go down column t % 16 of tile (t / 16, db), 16 keys at a time
// transposed in registers. Padded keys and dims are zeros.
GITCAP_ATTN_AMX_TARGET void convert_keys(workspace & w, const view & k, int64_t h, int64_t b) {
    const int ndb = w.hd_pad / 32;
    for (int64_t t0 = 0; t0 < w.n_pad; t0 += 16) {
        for (int64_t t = t0 + 16; t < std::min(t0 + 32, w.n); t++) prefetch(k.row(t, h, b), size_t(w.hd) * 4); // the next 16 keys
        for (int db = 0; db < ndb; db++) {
            const int d = db * 32;
            __m512i a[16];
            for (int j = 0; j < 16; j++) {
                const float * kr = t0 + j < w.n ? k.row(t0 + j, h, b) : nullptr;
                const __m512 f0 = load_or_zero(kr, d, d < w.hd), f1 = load_or_zero(kr, d + 16, d + 16 < w.hd);
                // cvtne2ps(a, b): b's 16 go first, so dword r holds dims (2r, 2r + 1)
                a[j] = (__m512i) _mm512_cvtne2ps_pbh(f1, f0);
            }
            transpose_16x16(a);
            uint16_t * tile = w.kt + ((t0 / 16) * ndb + db) * tile_elems;
            for (int r = 0; r < 16; r++) _mm512_store_si512(tile + r * 32, a[r]);
        }
    }
}

// V of head h in batch b as B tiles of the weighted sum: row r of tile (key block kb, dim block
// db) interleaves keys 32 kb + 2r and 32 kb + 2r + 1 over the block's 16 dims. Padded keys are zeros.
GITCAP_ATTN_AMX_TARGET void convert_values(workspace & w, const view & v, int64_t h, int64_t b) {
    alignas(64) uint16_t idx[32];
    for (int j = 0; j < 16; j++) idx[2 * j] = uint16_t(j), idx[2 * j + 1] = uint16_t(16 + j);
    const __m512i interleave = _mm512_load_si512(idx);
    const int nvd = w.hd / 16;
    for (int64_t t = 0; t < w.n_pad; t += 2) {
        const float * v0 = t < w.n ? v.row(t, h, b) : nullptr;
        const float * v1 = t + 1 < w.n ? v.row(t + 1, h, b) : nullptr;
        if (t + 1 + prefetch_distance < w.n) {
            prefetch(v.row(t + prefetch_distance, h, b), size_t(w.hd) * 4);
            prefetch(v.row(t + 1 + prefetch_distance, h, b), size_t(w.hd) * 4);
        }
        uint16_t * row = w.vt + (t / key_align) * nvd * tile_elems + (t % key_align) / 2 * 32;
        for (int db = 0; db < nvd; db++) {
            const __m512bh pair = _mm512_cvtne2ps_pbh(load_or_zero(v1, db * 16), load_or_zero(v0, db * 16));
            _mm512_store_si512(row + db * tile_elems, _mm512_permutexvar_epi16(interleave, (__m512i) pair));
        }
    }
}

// Queries [q0, q0 + n_q) times scale * log2(e) (the scores are then in base 2: softmax takes 2^x,
// which costs less than e^x), rounded to bf16, as the rows of qb (the rest zeros).
// Also asks for the rows of the block after it, and resets the block's maxima.
GITCAP_ATTN_AMX_TARGET void convert_queries(const workspace & w, scored_block & sb, const view & q, int64_t q0, int64_t h, int64_t b,
                                            float scale) {
    const int64_t n_q = std::min<int64_t>(block_rows, w.n - q0);
    for (int64_t i = q0 + block_rows; i < std::min(q0 + 2 * block_rows, w.n); i++) prefetch(q.row(i, h, b), size_t(w.hd) * 4);
    for (auto & row : sb.row_max) _mm512_storeu_ps(row, _mm512_set1_ps(-INFINITY));
    const __m512 sc = _mm512_set1_ps(scale * 1.44269504088896341f);
    for (int i = 0; i < block_rows; i++) {
        const float * qr = i < n_q ? q.row(q0 + i, h, b) : nullptr;
        for (int d = 0; d < w.hd_pad; d += 32) {
            const __m512 f0 = _mm512_mul_ps(load_or_zero(qr, d, d < w.hd), sc);
            const __m512 f1 = _mm512_mul_ps(load_or_zero(qr, d + 16, d + 16 < w.hd), sc);
            _mm512_store_si512(sb.qb + i * w.hd_pad + d, (__m512i) _mm512_cvtne2ps_pbh(f1, f0));
        }
    }
}

// C tile `t` (if t < C) += A tile 4 times the B tile at `bt`, loaded into tmm `reg` (6 or 7, in
// turn). The tile intrinsics take their register numbers as literal tokens.
#define GITCAP_ATTN_AMX_PRODUCT(t, reg, bt)                                                                                       \
    if constexpr (C > t) {                                                                                                        \
        _tile_loadd(reg, bt, 64);                                                                                                 \
        _tile_dpbf16ps(t, 4, reg);                                                                                                \
    }

// Each query's largest score so far, taking in the C blocks of 16 keys from key 16 kb just stored
// (still in L1; padded keys left out).
template <int C>
GITCAP_ATTN_AMX_TARGET inline void update_row_max(const workspace & w, scored_block & sb, int64_t kb) {
    for (int i = 0; i < block_rows; i++) {
        const float * s = sb.s + i * w.n_pad;
        __m512 mx = _mm512_loadu_ps(sb.row_max[i]);
        for (int c = 0; c < C; c++) {
            const int64_t j = (kb + c) * 16;
            if (j + 16 <= w.n) {
                mx = _mm512_max_ps(mx, _mm512_loadu_ps(s + j));
            } else if (j < w.n) {
                mx = _mm512_max_ps(mx, _mm512_mask_loadu_ps(mx, __mmask16((1u << (w.n - j)) - 1), s + j));
            }
        }
        _mm512_storeu_ps(sb.row_max[i], mx);
    }
}

// Scores of the block's queries against C (2 or 4) blocks of 16 keys from key 16 kb, into s.
template <int C>
GITCAP_ATTN_AMX_TARGET void scores(const workspace & w, scored_block & sb, int64_t kb) {
    const int ndb = w.hd_pad / 32;
    _tile_zero(0);
    _tile_zero(1);
    if constexpr (C > 2) {
        _tile_zero(2);
        _tile_zero(3);
    }
    const uint16_t * kt = w.kt + kb * ndb * tile_elems;
    for (int db = 0; db < ndb; db++) {
        _tile_loadd(4, sb.qb + db * 32, w.hd_pad * 2);
        GITCAP_ATTN_AMX_PRODUCT(0, 6, kt + (0 * ndb + db) * tile_elems)
        GITCAP_ATTN_AMX_PRODUCT(1, 7, kt + (1 * ndb + db) * tile_elems)
        GITCAP_ATTN_AMX_PRODUCT(2, 6, kt + (2 * ndb + db) * tile_elems)
        GITCAP_ATTN_AMX_PRODUCT(3, 7, kt + (3 * ndb + db) * tile_elems)
    }
    float * s = sb.s + kb * 16;
    const size_t stride = size_t(w.n_pad) * 4;
    _tile_stored(0, s, stride);
    _tile_stored(1, s + 16, stride);
    if constexpr (C > 2) {
        _tile_stored(2, s + 32, stride);
        _tile_stored(3, s + 48, stride);
    }
    update_row_max<C>(w, sb, kb);
}

// Groups [g0, g1) of 4 blocks of 16 keys (the last one 2 blocks where the keys end there).
GITCAP_ATTN_AMX_TARGET void score_groups(const workspace & w, scored_block & sb, int64_t g0, int64_t g1) {
    const int64_t nkb = w.n_pad / 16; // even
    for (int64_t g = g0; g < g1; g++) {
        if (4 * g + 4 <= nkb) {
            scores<4>(w, sb, 4 * g);
        } else {
            scores<2>(w, sb, 4 * g);
        }
    }
}

GITCAP_ATTN_AMX_TARGET inline int64_t score_group_count(const workspace & w) { return (w.n_pad / 16 + 3) / 4; }

// Output dims [16 db, 16 (db + C)) of the block (C <= 4): the weights times V over all keys, into o.
template <int C>
GITCAP_ATTN_AMX_TARGET void weighted_values(workspace & w, int db) {
    const int nvd = w.hd / 16;
    _tile_zero(0);
    if constexpr (C > 1) _tile_zero(1);
    if constexpr (C > 2) _tile_zero(2);
    if constexpr (C > 3) _tile_zero(3);
    for (int64_t kb = 0; kb < w.n_pad / key_align; kb++) {
        _tile_loadd(4, w.p + kb * key_align, w.n_pad * 2);
        const uint16_t * vt = w.vt + (kb * nvd + db) * tile_elems;
        GITCAP_ATTN_AMX_PRODUCT(0, 6, vt)
        GITCAP_ATTN_AMX_PRODUCT(1, 7, vt + tile_elems)
        GITCAP_ATTN_AMX_PRODUCT(2, 6, vt + 2 * tile_elems)
        GITCAP_ATTN_AMX_PRODUCT(3, 7, vt + 3 * tile_elems)
    }
    _tile_stored(0, w.o, 64);
    if constexpr (C > 1) _tile_stored(1, w.o + 256, 64);
    if constexpr (C > 2) _tile_stored(2, w.o + 512, 64);
    if constexpr (C > 3) _tile_stored(3, w.o + 768, 64);
}

#undef GITCAP_ATTN_AMX_PRODUCT

// 2^x for x <= 0 (x = n + r, |r| <= 1/2): 2^r by a degree-3 polynomial (fitted to relative error,
// within 7.5e-5 = 2^-13.7 of it, well below the weights' bf16 rounding, 2^-9), 2^n by scalef
// (which gives 0 below 2^-149).
GITCAP_ATTN_AMX_TARGET inline __m512 exp2_ps(__m512 x) {
    const __m512 n = _mm512_roundscale_ps(x, _MM_FROUND_TO_NEAREST_INT | _MM_FROUND_NO_EXC);
    const __m512 r = _mm512_sub_ps(x, n);
    __m512 p = _mm512_fmadd_ps(_mm512_set1_ps(0.05517161628f), r, _mm512_set1_ps(0.242611171f));
    p = _mm512_fmadd_ps(p, r, _mm512_set1_ps(0.6932609998f));
    p = _mm512_fmadd_ps(p, r, _mm512_set1_ps(0.9999280709f));
    return _mm512_scalef_ps(p, n);
}

// Query i's weights 2^(s_j - max_j s_j), rounded to bf16 into p (zero for padded keys), and 1 /
// their sum (of the rounded weights, so that they sum to one as used; dpbf16 adds them up in
// pairs, exactly, times bf16 ones).
GITCAP_ATTN_AMX_TARGET void softmax_row(workspace & w, const scored_block & sb, int i) {
    const __m512bh ones = (__m512bh) _mm512_set1_epi16(0x3F80);
    const float * s = sb.s + i * w.n_pad;
    const __m512 m = _mm512_set1_ps(_mm512_reduce_max_ps(_mm512_loadu_ps(sb.row_max[i])));
    __m512 sum = _mm512_setzero_ps();
    uint16_t * p = w.p + i * w.n_pad;
    int64_t j = 0;
    for (; j + 32 <= w.n; j += 32) {
        const __m512 p0 = exp2_ps(_mm512_sub_ps(_mm512_loadu_ps(s + j), m));
        const __m512 p1 = exp2_ps(_mm512_sub_ps(_mm512_loadu_ps(s + j + 16), m));
        const __m512bh pb = _mm512_cvtne2ps_pbh(p1, p0);
        _mm512_storeu_si512(p + j, (__m512i) pb);
        sum = _mm512_dpbf16_ps(sum, pb, ones);
    }
    if (j < w.n) { // the last keys, fewer than 32, and padding
        const __mmask32 valid = __mmask32((1ull << (w.n - j)) - 1);
        const __m512 p0 = exp2_ps(_mm512_sub_ps(_mm512_loadu_ps(s + j), m));
        const __m512 p1 = exp2_ps(_mm512_sub_ps(_mm512_loadu_ps(s + j + 16), m));
        const __m512bh pb = (__m512bh) _mm512_maskz_mov_epi16(valid, (__m512i) _mm512_cvtne2ps_pbh(p1, p0));
        _mm512_storeu_si512(p + j, (__m512i) pb);
        sum = _mm512_dpbf16_ps(sum, pb, ones);
    }
    w.inv_sum[i] = 1.0f / _mm512_reduce_add_ps(sum);
}

// Queries [q0, q0 + 16) of head h in batch b, scored in `cur` (K and V already converted), into
// out; the scores of `next` (if any) in between, a share after each query's softmax, so that the
// tiles and the vector units work at the same time.
GITCAP_ATTN_AMX_TARGET void query_block(workspace & w, const scored_block & cur, scored_block * next, float * out, size_t out_stride,
                                        int64_t q0, int64_t h, int64_t b) {
    const int64_t n_q = std::min<int64_t>(block_rows, w.n - q0), groups = score_group_count(w);
    int64_t g = 0;
    for (int i = 0; i < block_rows; i++) {
        softmax_row(w, cur, i);
        if (next) {
            const int64_t g_end = groups * (i + 1) / block_rows;
            score_groups(w, *next, g, g_end);
            g = g_end;
        }
    }
    const int nvd = w.hd / 16;
    for (int db = 0; db < nvd; db += 4) {
        const int count = std::min(4, nvd - db);
        switch (count) {
            case 4: weighted_values<4>(w, db); break;
            case 3: weighted_values<3>(w, db); break;
            case 2: weighted_values<2>(w, db); break;
            default: weighted_values<1>(w, db); break;
        }
        for (int64_t i = 0; i < n_q; i++) {
            float * o = reinterpret_cast<float *>(reinterpret_cast<uint8_t *>(out) + (b * w.n + q0 + i) * out_stride) + h * w.hd + db * 16;
            const __m512 inv = _mm512_set1_ps(w.inv_sum[i]);
            for (int c = 0; c < count; c++) _mm512_storeu_ps(o + c * 16, _mm512_mul_ps(_mm512_loadu_ps(w.o + c * 256 + i * 16), inv));
        }
    }
}

} // namespace

bool available() { return bf16_amx::available(); }

GITCAP_ATTN_AMX_TARGET void run(const view & q, const view & k, const view & v, float * out, size_t out_token_stride, int64_t n,
                                int64_t heads, int64_t batch, int head_dim, float scale, int ith, int nth) {
    const int64_t blocks = (n + block_rows - 1) / block_rows, units = batch * heads * blocks;
    const int64_t u0 = units * ith / nth, u1 = units * (ith + 1) / nth;
    if (u0 >= u1) return;
    workspace w = make_workspace(n, head_dim);
    static const amx_tile_config config = full_tiles_config();
    _tile_loadconfig(&config);
    int64_t converted = -1; // the (batch, head) whose K and V are in w
    int cur = 0;            // w.blk[cur]: this unit's block
    bool scored = false;    // whether it was scored with the unit before
    for (int64_t u = u0; u < u1; u++) {
        const int64_t bh = u / blocks, b = bh / heads, h = bh % heads, q0 = u % blocks * block_rows;
        if (bh != converted) {
            convert_keys(w, k, h, b);
            convert_values(w, v, h, b);
            converted = bh;
        }
        if (!scored) {
            convert_queries(w, w.blk[cur], q, q0, h, b, scale);
            score_groups(w, w.blk[cur], 0, score_group_count(w));
        }
        // the next unit's block is scored meanwhile where it has the same K (the same head)
        scored = u + 1 < u1 && (u + 1) / blocks == bh;
        if (scored) convert_queries(w, w.blk[cur ^ 1], q, q0 + block_rows, h, b, scale);
        query_block(w, w.blk[cur], scored ? &w.blk[cur ^ 1] : nullptr, out, out_token_stride, q0, h, b);
        if (scored) cur ^= 1;
    }
    _tile_release();
}

#else

bool available() { return false; }
void run(const view &, const view &, const view &, float *, size_t, int64_t, int64_t, int64_t, int, float, int, int) {}

#endif

} // namespace gitcap::attention_amx
