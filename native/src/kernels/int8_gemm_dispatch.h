// Which of gitcap's kernels multiplies the packed q8_0 / q4_0 weights: all of them read the same
// packed layout (int8_gemm.h); the int8 ones produce the same exact integer sums, so the choice
// among them is only about the instructions this CPU has. GITCAP_GEMM forces one (to test and
// measure every kernel on one machine): ggml (none of ours), amx, avx512vnni, avxvnni or avx2.
// The amx kernel takes products of 16 rows or more on AMX-BF16 tiles (bf16_gemm_amx.h, with bf16
// activations: int8_gemm_op.cpp converts them) and leaves the rest (the decode steps) to
// avx512vnni, which every AMX CPU has.
#pragma once

#include "kernels/int8_gemm.h"

#include <string>
#include <vector>

namespace gitcap {

enum class int8_kernel { ggml, avx512vnni, avxvnni, avx2, amx };

// GITCAP_GEMM's kernel if set, else the fastest this CPU runs (ggml where it runs none).
// Throws gitcap::error(invalid_argument) for an unknown name or one this CPU cannot run.
int8_kernel chosen_int8_kernel();

// "amx-bf16", "int8-avx512vnni", "int8-avxvnni", "int8-avx2" or "ggml".
const char * int8_kernel_name(int8_kernel k);

// Names of the int8 kernels this CPU runs, fastest first.
std::vector<std::string> runnable_int8_kernels();

// int8_gemm::quantize_rows and int8_gemm::gemm on kernel `k` (not ggml; amx: its VNNI part).
void quantize_rows(int8_kernel k, const float * x, size_t x_row_stride, int64_t n, uint8_t * dst, int64_t row_begin, int64_t row_end);
void int8_gemm_run(int8_kernel k, int8_gemm::weight_format f, int8_gemm::epilogue act, const uint8_t * w_packed, int64_t n, int64_t k_in,
                   const uint8_t * xq, int64_t m, float * y, size_t y_row_stride, const float * bias, int ith, int nth);

} // namespace gitcap
