// ggml's repacked layouts of q4_0 and q8_0 matrices for arm64 CPUs: its "CPU_REPACK" buffer type
// interleaves 4 or 8 rows so that one SDOT (int8 dot product, armv8.2) or SMMLA (int8 matrix
// multiply, armv8.6) instruction reads several rows at once. ggml applies them only to weights
// placed in that buffer type; the mapped model file is not, so the loader moves the linear
// weights there (copied once at load, repacked by ggml).
#pragma once

#include "ggml-backend.h"
#include "ggml.h"

#include <vector>

namespace gitcap {

class file_mapping;

// The CPU device's repacking buffer type where this build and environment use it (arm64; not with
// GITCAP_CPU_REPACK=0), else null.
ggml_backend_buffer_type_t cpu_repack_buffer_type(ggml_backend_dev_t cpu_dev);

// The q4_0 and q8_0 matrices among `weights` for which `buft` has a layout on this CPU, to be left
// unallocated and placed by cpu_repack_place().
std::vector<ggml_tensor *> cpu_repack_candidates(const std::vector<ggml_tensor *> & weights, ggml_backend_buffer_type_t buft);

// Allocates the unallocated tensors of `ctx` (exactly the candidates) in `buft` and fills each from
// sources[i], which ggml repacks as it copies. The `file` pages of each source are released
// afterwards. Returns the buffer (owned by the caller).
ggml_backend_buffer_t cpu_repack_place(ggml_context * ctx, const std::vector<ggml_tensor *> & candidates,
                                       ggml_backend_buffer_type_t buft, const std::vector<const void *> & sources,
                                       const file_mapping & file);

} // namespace gitcap
