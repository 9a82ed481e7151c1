#include "cpu-repack.h"

#include "file-mapping.h"
#include "ggml-alloc.h"
#include "gitcap.h"

#include <cstdlib>
#include <cstring>
#include <string>

namespace gitcap {

ggml_backend_buffer_type_t cpu_repack_buffer_type(ggml_backend_dev_t cpu_dev) {
#if defined(__aarch64__) || defined(_M_ARM64)
    const char * env = std::getenv("GITCAP_CPU_REPACK");
    if (env && std::string(env) == "0") return nullptr;
    ggml_backend_reg_t reg = ggml_backend_dev_backend_reg(cpu_dev);
    auto get_extra = (ggml_backend_dev_get_extra_bufts_t) ggml_backend_reg_get_proc_address(reg, "ggml_backend_dev_get_extra_bufts");
    if (!get_extra) return nullptr;
    for (ggml_backend_buffer_type_t * b = get_extra(cpu_dev); b && *b; b++) {
        if (std::string(ggml_backend_buft_name(*b)) == "CPU_REPACK") return *b;
    }
    return nullptr;
#else
    // x86: gitcap's own int8 kernels take the q8_0 and q4_0 matrices (packed-weights.h)
    (void) cpu_dev;
    return nullptr;
#endif
}

std::vector<ggml_tensor *> cpu_repack_candidates(const std::vector<ggml_tensor *> & weights) {
    std::vector<ggml_tensor *> out;
    for (ggml_tensor * w : weights) {
        // ggml's layouts interleave 4 (or 8) rows of 2-D matrices
        if (w && (w->type == GGML_TYPE_Q4_0 || w->type == GGML_TYPE_Q8_0) && ggml_n_dims(w) == 2 && w->ne[1] % 4 == 0) {
            out.push_back(w);
        }
    }
    return out;
}

ggml_backend_buffer_t cpu_repack_place(ggml_context * ctx, const std::vector<ggml_tensor *> & candidates,
                                       ggml_backend_buffer_type_t buft, const std::vector<const void *> & sources,
                                       const file_mapping & file) {
    ggml_backend_buffer_t buf = ggml_backend_alloc_ctx_tensors_from_buft(ctx, buft);
    if (!buf) throw error(error_code::backend, "not enough memory for the repacked weights");
    ggml_backend_buffer_set_usage(buf, GGML_BACKEND_BUFFER_USAGE_WEIGHTS);
    for (size_t i = 0; i < candidates.size(); i++) {
        ggml_tensor * t = candidates[i];
        const size_t bytes = ggml_nbytes(t);
        // The buffer type gave each tensor its layout as it placed it (tensor->extra, null where
        // this CPU has none for that shape): ggml repacks as it sets it, else the plain copy.
        if (t->extra) {
            ggml_backend_tensor_set(t, sources[i], 0, bytes);
        } else {
            std::memcpy(t->data, sources[i], bytes);
        }
        file.release(sources[i], bytes);
    }
    return buf;
}

} // namespace gitcap
