#include "kernels/cpu_repack.h"

#include "model/file_mapping.h"
#include "ggml-alloc.h"
#include "gitcap.h"

#include <cstdlib>
#include <map>
#include <string>
#include <tuple>

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
    // x86: gitcap's own int8 kernels take the q8_0 and q4_0 matrices (int8_gemm_op.h)
    (void) cpu_dev;
    return nullptr;
#endif
}

// Whether ggml has a layout for a matrix of this type and shape on this CPU: the buffer type
// gives a tensor its layout as it places it (tensor->extra, null where none). Probed on an empty
// tensor of the same shape, because a tensor left in that buffer without a layout would be one that
// no operation supports.
static bool has_layout(ggml_backend_buffer_type_t buft, const ggml_tensor * w) {
    ggml_init_params params{ggml_tensor_overhead(), nullptr, /*no_alloc =*/true};
    ggml_context * ctx = ggml_init(params);
    if (!ctx) return false;
    ggml_tensor * probe = ggml_new_tensor_2d(ctx, w->type, w->ne[0], w->ne[1]);
    ggml_backend_buffer_t buf = ggml_backend_alloc_ctx_tensors_from_buft(ctx, buft);
    const bool ok = buf != nullptr && probe->extra != nullptr;
    if (buf) ggml_backend_buffer_free(buf);
    ggml_free(ctx);
    return ok;
}

std::vector<ggml_tensor *> cpu_repack_candidates(const std::vector<ggml_tensor *> & weights, ggml_backend_buffer_type_t buft) {
    std::vector<ggml_tensor *> out;
    std::map<std::tuple<int, int64_t, int64_t>, bool> known; // (type, ne0, ne1) -> has a layout
    for (ggml_tensor * w : weights) {
        if (!w || (w->type != GGML_TYPE_Q4_0 && w->type != GGML_TYPE_Q8_0) || ggml_n_dims(w) != 2) continue;
        const auto shape = std::make_tuple((int) w->type, w->ne[0], w->ne[1]);
        auto it = known.find(shape);
        if (it == known.end()) it = known.emplace(shape, has_layout(buft, w)).first;
        if (it->second) out.push_back(w);
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
        // every candidate has a layout (has_layout): ggml repacks the data as it sets it
        if (!t->extra) throw error(error_code::backend, std::string("no repacked layout for ") + t->name);
        ggml_backend_tensor_set(t, sources[i], 0, bytes);
        file.release(sources[i], bytes);
    }
    return buf;
}

} // namespace gitcap
