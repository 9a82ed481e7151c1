// The two products of a decode step's attention over the cached image keys and values, for x86
// CPUs with AVX-512: scores = K_img q and out = p V_img, K and V in f16 rows (the image cache), q
// and p in f32. ggml's matrix product takes the scores one key at a time, a call and a horizontal
// sum per 64-wide dot product, with q rounded to f16 first, and wants V transposed (a slow
// scattering copy when the prefix writes it); here 16 keys share one horizontal sum, the values
// are summed as rows (one weight times a whole row, no horizontal sums), q and p stay f32 and the
// cache is widened to f32 as it is read. Sums in f32.
#pragma once

#include <cstddef>
#include <cstdint>
#include <type_traits>

namespace gitcap::image_attention {

// Rows of a [width, rows, heads] tensor: row r of head h starts at data + r*row_stride + h*head_stride (bytes).
template <typename T>
struct rows {
    T * data;
    size_t row_stride, head_stride;
    T * row(int64_t r, int64_t h) const {
        using byte = std::conditional_t<std::is_const_v<T>, const uint8_t, uint8_t>;
        return reinterpret_cast<T *>(reinterpret_cast<byte *>(data) + r * row_stride + h * head_stride);
    }
};

// Whether this CPU runs them (AVX-512 F/BW/DQ/VL, FMA) and this build has them.
bool available();

// out[i, h][j] = k[j, h] . q[i, h] for keys j < n_img (k rows: hd f16, hd a multiple of 16), queries
// i < n, heads h; thread ith of nth takes its share of the (head, query) pairs.
void scores(const rows<const uint16_t> & k, const rows<const float> & q, const rows<float> & out, int64_t hd, int64_t n_img, int64_t n,
            int64_t heads, int ith, int nth);

// Head sizes values() takes: multiples of 16 up to this.
constexpr int64_t max_head_dim = 256;

// out[i, h][:] = sum over keys j < n_img of p[i, h][j] * v[j, h][:] (v rows: hd f16, as the keys;
// p rows: n_img weights).
void values(const rows<const uint16_t> & v, const rows<const float> & p, const rows<float> & out, int64_t hd, int64_t n_img, int64_t n,
            int64_t heads, int ith, int nth);

} // namespace gitcap::image_attention
