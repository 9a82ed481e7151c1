// The int8 kernels of int8_gemm.h in 256-bit registers, for x86 CPUs without AVX-512 VNNI:
// AVX-VNNI (vpdpbusd on 256 bits: Alder Lake and later client CPUs, Zen 5) and plain AVX2
// (Haswell and later, Zen 1-4), where a byte product takes vpmaddubsw + vpmaddwd and the sign
// trick ggml's x86 kernels use: |w| times x with w's sign, which keeps the 16-bit pair sums
// exact. Same packed weights, same quantized activations and same exact integer sums per block
// as int8_gemm.h; each 16-row panel is two registers of 8 rows.
#pragma once

#include "kernels/int8_gemm.h"

namespace gitcap::int8_gemm_avx2 {

enum class variant { avx2, avxvnni };

// Whether this CPU runs `v` (AVX2, FMA and F16C; and AVX-VNNI for avxvnni) and this build has it.
bool available(variant v);

// As int8_gemm::quantize_rows, with AVX2 (same bytes out).
void quantize_rows(const float * x, size_t x_row_stride, int64_t k, uint8_t * dst, int64_t row_begin, int64_t row_end);

// As int8_gemm::gemm.
void gemm(variant v, int8_gemm::weight_format f, int8_gemm::epilogue act, const uint8_t * w_packed, int64_t n, int64_t k,
          const uint8_t * xq, int64_t m, float * y, size_t y_row_stride, const float * bias, int ith, int nth);

} // namespace gitcap::int8_gemm_avx2
