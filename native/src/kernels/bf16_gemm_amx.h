// Matrix multiplies for q8_0 and q4_0 weights on x86 CPUs with AMX-BF16 (Sapphire Rapids and
// later), for products with many activation rows (the vision tower and the image prefix).
//
// Why bf16 rather than the int8 tiles: q8_0 and q4_0 give every 32 inputs their own scale, so the
// int8 tiles' sums must be converted and rescaled on the vector units after every block of 32,
// and the vector units then set the pace. Here a chunk of weight panels is dequantized to bf16
// once (it stays in L2 while every row of activations passes over it), the activations are
// rounded to bf16 once, and the tiles accumulate in f32 over the whole of k: the vector units
// only convert.
//
// Arithmetic: each weight is its d * q rounded to bf16, each activation is rounded to bf16 (both
// within 2^-9 relative; ggml's q8_0 activations are within 1/254 of their block's largest), and
// the products are summed in f32.
#pragma once

#include "kernels/int8_gemm.h"

#include <cstddef>
#include <cstdint>

namespace gitcap::bf16_amx {

// Whether this CPU has AMX-BF16 and AVX512-BF16 (and the AVX-512 VNNI of int8_gemm.h, which takes
// the products of few rows), this build has the kernels, and the OS lets this process use the tile
// registers. On Linux the first call asks for that permission (arch_prctl ARCH_REQ_XCOMP_PERM),
// which holds for every thread of the process.
bool available();

// Below this many activation rows (the decode steps) the VNNI kernel is the faster one.
constexpr int64_t min_rows = 16;

// Bytes of one activation row as the kernel reads it: k bf16 values.
constexpr size_t converted_row_size(int64_t k) { return size_t(k) * 2; }

// Rows [row_begin, row_end) of x (k floats each, rows x_row_stride bytes apart) rounded to bf16
// (to nearest even) into dst, converted_row_size(k) bytes per row. k: a multiple of 32.
void convert_rows(const float * x, size_t x_row_stride, int64_t k, uint16_t * dst, int64_t row_begin, int64_t row_end);

// Where results go: y rows y_row_stride bytes apart, as f32, or rounded to bf16 (the form the
// next product reads) where y_bf16 is set instead; bias (n floats) and residual (rows
// residual_row_stride bytes apart, read as y is written) may be null.
struct destination {
    float * y;
    size_t y_row_stride;
    const float * bias = nullptr;
    const float * residual = nullptr;
    size_t residual_row_stride = 0;
    uint16_t * y_bf16 = nullptr;
};

// y[r][j] = act(sum_k w[j][k] * x[r][k] (+ bias[j])) (+ residual[r][j]) for weights packed by
// int8_gemm::pack and the m rows `xb` converted by convert_rows (a residual only with no act).
// Thread `ith` of `nth` computes its share of the panels.
void gemm(int8_gemm::weight_format f, int8_gemm::epilogue act, const uint8_t * w_packed, int64_t n, int64_t k, const uint16_t * xb,
          int64_t m, const destination & out, int ith, int nth);

} // namespace gitcap::bf16_amx
