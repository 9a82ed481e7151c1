// The attention kernel of attention_kernel.h in 256-bit registers, for x86 CPUs with AVX2 and
// FMA but no AVX-512: 16 queries per tile (two vectors of 8) instead of 32, the same online softmax
// and the same f32 arithmetic; exp by simd_math_avx2.h.
#pragma once

#include "kernels/attention_kernel.h"

namespace gitcap::attention_kernel_avx2 {

// Whether this CPU runs it (AVX2 and FMA) and this build has it.
bool available();

// As attention_kernel::run.
void run(const attention_kernel::view & q, const attention_kernel::view & k, const attention_kernel::view & v, float * out,
         size_t out_token_stride, int64_t n, int64_t heads, int64_t batch, int head_dim, float scale, int ith, int nth);

} // namespace gitcap::attention_kernel_avx2
