// The attention kernel of attention-kernel.h as a ggml graph operation (CPU only).
#pragma once

#include "ggml.h"

namespace gitcap {

// Whether this CPU and build have the kernel.
bool cpu_attention_available();

// softmax(q k^T * scale) v per head; q, k, v: f32 [hd, n, H, b] (views with contiguous rows are
// fine) -> [hd*H, n*b], as graph-helpers' attention(). Null where it does not apply (not f32,
// head size not a multiple of 16 or above 256): use ggml's then.
ggml_tensor * cpu_attention(ggml_context * ctx, ggml_tensor * q, ggml_tensor * k, ggml_tensor * v, float scale);

} // namespace gitcap
