// Scaled dot-product attention on AMX-BF16 tiles (Sapphire Rapids and later), with the interface
// of attention_kernel.h, for the vision tower and the image prefix (no mask).
//
// Per (batch, head) K and V are rounded to bf16 once, as B tiles (keys padded with zeros to a
// multiple of 32). Then for each block of 16 queries: the scores against all keys by the tiles
// into an f32 buffer, an exact two-pass softmax on the vector units (max, then the weights and
// their sum), the weights rounded to bf16 as A tiles, and the weighted sum of values accumulated
// in f32 tiles over all keys, divided by the sum of the rounded weights once at the end. The
// tiles score the next block while the vector units take the current block's softmax.
//
// Arithmetic: q * scale (times log2(e): the weights are powers of two), k, v and the weights are
// each rounded to bf16 (to nearest even: within 2^-9 relative), products summed in f32; 2^x is
// within 2^-13. A score q.k carries an absolute error up to 2^-8 * scale * sum_d |q_d k_d|, which
// becomes a relative error of its weight; the output is then within
// max|v| * (3 * 2^-9 + 2^-12 + 2^-7 * max_j scale * sum_d |q_d k_jd|) of exact attention
// (test/tools/attention-check.cpp checks this bound; errors on random data reach about a tenth of
// it, with a root-mean-square error about 0.3% of the results'). The effect on the full-size
// model's first-step logits is in README ("How it works", attention on AMX-BF16).
#pragma once

#include "kernels/attention_kernel.h"

#include <cstddef>
#include <cstdint>

namespace gitcap::attention_amx {

// Whether this CPU has AMX-BF16 and AVX512-BF16, this build has the kernel, and the OS lets this
// process use the tile registers (bf16_amx::available()).
bool available();

// As attention_kernel::run: out[b*n + t][h*head_dim + d] = softmax_j(q_t . k_j * scale) . v_j[d];
// head_dim a multiple of 16 up to attention_kernel::max_head_dim. Thread `ith` of `nth` computes
// its share of the (batch, head, block of 16 queries) units; the result does not depend on nth.
void run(const attention_kernel::view & q, const attention_kernel::view & k, const attention_kernel::view & v, float * out,
         size_t out_token_stride, int64_t n, int64_t heads, int64_t batch, int head_dim, float scale, int ith, int nth);

} // namespace gitcap::attention_amx
