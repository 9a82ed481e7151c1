// The decode steps' products over the cached image keys and values (image_attention.h) as ggml
// CPU operations, in place of ggml_mul_mat.
#pragma once

#include "ggml.h"

namespace gitcap {

// scores [n_img, n, H] (f32) of q [hd, n, H] (f32) against k [hd, n_img, H] (f16, the image cache's
// layout); null where the operation does not take these tensors (then the caller uses ggml_mul_mat).
ggml_tensor * image_scores(ggml_context * ctx, ggml_tensor * k, ggml_tensor * q);

// Whether image_values takes the values of heads of hd as rows on this CPU: then the image cache
// keeps V as [hd, n_img, H].
bool image_values_take_rows(int64_t hd);

// out [hd, n, H] (f32) = sum over keys of p * v for v [hd, n_img, H] (f16 rows, as K) and weights
// p [n_img, n, H] (f32); null where the operation does not take these tensors.
ggml_tensor * image_values(ggml_context * ctx, ggml_tensor * v, ggml_tensor * p);

} // namespace gitcap
