// Matrix multiplies for q8_0 and q4_0 weights on x86 CPUs with AMX-INT8 (Sapphire Rapids and
// later), for products with many activation rows (the vision tower and the image prefix). They
// read the weights as packed for the AVX-512 VNNI kernels (int8_gemm.h): a 16-row panel's
// 32-wide block is 8 rows of 64 bytes, which is exactly an AMX B tile once its bytes are made
// signed, so each panel is unpacked once into signed bytes and then multiplied against every
// 16-row tile of activations, one TDPBSSD per block of 32.
//
// Same arithmetic as the VNNI kernels (and ggml's dot products): exact int32 sums per block of 32,
// each scaled by d_weight * d_activation in f32 and added in block order.
#pragma once

#include "kernels/int8_gemm.h"

#include <cstddef>
#include <cstdint>

namespace gitcap::int8_amx {

// Whether this CPU has AMX-INT8 (and the AVX-512 the kernels' other steps use), this build has
// the kernels, and the OS lets this process use the tile registers. On Linux the first call asks
// for that permission (arch_prctl ARCH_REQ_XCOMP_PERM), which holds for every thread of the process.
bool available();

// Below this many activation rows (the decode steps) the VNNI kernel is the faster one.
constexpr int64_t min_rows = 16;

// The same as int8_gemm::gemm for weights packed by int8_gemm::pack and activations quantized by
// int8_gemm::quantize_rows; thread `ith` of `nth` computes its share of the panels. Any m works;
// the tiles take 16 rows at a time, so few rows waste most of each multiply.
void gemm(int8_gemm::weight_format f, int8_gemm::epilogue act, const uint8_t * w_packed, int64_t n, int64_t k, const uint8_t * xq,
          int64_t m, float * y, size_t y_row_stride, const float * bias, int ith, int nth);

} // namespace gitcap::int8_amx
