// LayerNorm as one ggml CPU operation on x86 CPUs with AVX-512: ggml builds it from three
// (norm, then times the weight, then plus the bias), each a pass over the activations and a
// meeting of the threads; in the vision tower and the image prefix (1182 rows of 768) those
// passes cost more than the arithmetic. The post-LN text decoder's residual sum is taken in the
// same pass.
#pragma once

#include "ggml.h"

namespace gitcap {

// Whether this CPU and build run the fused operation.
bool fused_layer_norm_available();

// (v - mean(v)) / sqrt(var(v) + eps) * w + b for each row v of x (+ residual, same shape), rows
// of x->ne[0] floats; null where the operation does not take these tensors (then the caller
// builds ggml's). A CPU graph node.
ggml_tensor * fused_layer_norm(ggml_context * ctx, ggml_tensor * x, ggml_tensor * residual, ggml_tensor * w, ggml_tensor * b, float eps);

} // namespace gitcap
