// A q8_0 matrix multiply for x86 CPUs with AVX-512 VNNI, used in place of ggml's CPU mul_mat
// for the model's linear layers. ggml's x86 q8_0 path works one 32-wide block at a time in
// 256-bit registers; this one repacks each weight into 16-row panels so that one VNNI
// instruction multiplies 16 output rows by 4 inputs with no horizontal sums, and turns the
// integer sums into floats once per 32-wide block.
//
// Same arithmetic as ggml's q8_0 x q8_0 dot products: activations are quantized to int8 in
// blocks of 32 with an fp16-rounded scale, products are exact int32 per block, and each block
// is scaled by d_weight * d_activation in f32. Only the order of the f32 sums differs.
#pragma once

#include <cstddef>
#include <cstdint>

namespace gitcap::int8_gemm {

constexpr int64_t block = 32;      // q8_0 block length
constexpr int64_t panel_rows = 16; // weight rows per packed panel (one 512-bit register of int32)

// Whether this CPU runs the kernel (AVX-512 F/BW/VL and VNNI) and this build has it.
bool available();

// Packed weights: ceil(n / 16) panels, each k / 32 blocks of 512 quantized bytes (offset by
// +128, as VNNI multiplies unsigned by signed bytes) and 16 fp16 scales.
size_t packed_size(int64_t n, int64_t k);
// `src`: n rows of k / 32 ggml block_q8_0 (fp16 scale + 32 int8). Panels [panel_begin,
// panel_end) are written, so several threads can share one weight.
void pack_q8_0(const void * src, int64_t n, int64_t k, uint8_t * dst, int64_t panel_begin, int64_t panel_end);

// Quantized activations, one row per input vector: k int8, then k / 32 f32 scales, then
// k / 32 int32 corrections (-128 * the block's sum, undoing the weights' +128 offset).
size_t quantized_row_size(int64_t k);
void quantize_rows(const float * x, size_t x_row_stride, int64_t k, uint8_t * dst, int64_t row_begin, int64_t row_end);

// y[r][j] = sum_k w[j][k] * x[r][k] (+ bias[j]) for the m quantized rows `xq`; y rows are
// `y_row_stride` bytes apart. Thread `ith` of `nth` computes its share of the panels.
void gemm(const uint8_t * w_packed, int64_t n, int64_t k, const uint8_t * xq, int64_t m, float * y,
          size_t y_row_stride, const float * bias, int ith, int nth);

} // namespace gitcap::int8_gemm
