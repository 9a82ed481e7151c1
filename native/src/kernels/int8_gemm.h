// Matrix multiplies for q8_0 and q4_0 weights on x86 CPUs with AVX-512 VNNI, used in place of
// ggml's CPU mul_mat for the model's linear layers. ggml's x86 kernels for these types work one
// 32-wide block at a time in 256-bit registers; these repack each weight into 16-row panels so
// that one VNNI instruction multiplies 16 output rows by 4 inputs with no horizontal sums, and
// turn the integer sums into floats once per 32-wide block.
//
// Same arithmetic as ggml's q8_0 / q4_0 x q8_0 dot products: activations are quantized to int8
// in blocks of 32 with an fp16-rounded scale, products are exact int32 per block, and each block
// is scaled by d_weight * d_activation in f32. Only the order of the f32 sums differs.
#pragma once

#include <cstddef>
#include <cstdint>

namespace gitcap::int8_gemm {

constexpr int64_t block = 32;      // q8_0 / q4_0 block length
constexpr int64_t panel_rows = 16; // weight rows per packed panel (one 512-bit register of int32)

// Packed weight layouts. q8: bytes offset by +128 (VNNI multiplies unsigned by signed bytes);
// q4: ggml's nibbles as they are (0..15, the -8 is undone with the activations' sums).
enum class weight_format { q8, q4 };

// Whether this CPU runs the kernels (AVX-512 F/BW/VL/DQ and VNNI) and this build has them.
bool available();

// Packed weights: ceil(n / 16) panels, each k / 32 blocks of 16 rows' quantized values and
// their 16 fp16 scales.
size_t packed_size(weight_format f, int64_t n, int64_t k);
// `src`: n rows of k / 32 ggml blocks (block_q8_0 or block_q4_0). Panels [panel_begin,
// panel_end) are written, so several threads can share one weight.
void pack(weight_format f, const void * src, int64_t n, int64_t k, uint8_t * dst, int64_t panel_begin, int64_t panel_end);

// Quantized activations, one row per input vector: k int8, then k / 32 f32 scales, then
// k / 32 int32 corrections (-128 * the block's sum, undoing the q8 weights' +128 offset).
size_t quantized_row_size(int64_t k);
void quantize_rows(const float * x, size_t x_row_stride, int64_t k, uint8_t * dst, int64_t row_begin, int64_t row_end);

// What is applied to each result before it is stored: nothing, BERT's erf GELU, or CLIP's
// quick GELU.
enum class epilogue { none, gelu_erf, quick_gelu };

// y[r][j] = act(sum_k w[j][k] * x[r][k] (+ bias[j])) for the m quantized rows `xq`; y rows are
// `y_row_stride` bytes apart. Thread `ith` of `nth` computes its share of the panels.
void gemm(weight_format f, epilogue act, const uint8_t * w_packed, int64_t n, int64_t k, const uint8_t * xq, int64_t m, float * y,
          size_t y_row_stride, const float * bias, int ith, int nth);

} // namespace gitcap::int8_gemm
