// The attention kernel of attention_kernel.h as a ggml graph operation (CPU only).
#pragma once

#include "ggml.h"

namespace gitcap {

// gitcap's attention kernels: AMX-BF16 (attention_amx.h), AVX-512 (attention_kernel.h) and AVX2
// (attention_kernel_avx2.h).
enum class attention_kind { none, amx, avx512, avx2 };

// The fastest kernel this CPU runs, or the one GITCAP_ATTENTION forces: amx, avx512 or avx2; none for
// ggml or matmul (ggml's fused or unfused attention) or where the CPU runs neither. A model with
// f32 weights (`f32_weights`) gets amx (bf16 inputs) only when forced: its results are meant to
// match the reference to float precision. Throws gitcap::error(invalid_argument) for another value
// or a kernel this CPU cannot run.
attention_kind chosen_attention_kernel(bool f32_weights);

// softmax(q k^T * scale) v per head; q, k, v: f32 [hd, n, H, b] (views with contiguous rows are
// fine) -> [hd*H, n*b], as graph_helpers.h's attention(). Null where it does not apply (not f32,
// head size not a multiple of 16 or above 256): use ggml's then.
ggml_tensor * cpu_attention(ggml_context * ctx, attention_kind kind, ggml_tensor * q, ggml_tensor * k, ggml_tensor * v, float scale);

} // namespace gitcap
