// The model's q8_0 and q4_0 linear weights repacked for gitcap's int8 kernels (int8-gemm.h, and
// int8-amx.h on CPUs with AMX), and the graph operations that use them. Only for weights computed on the CPU from the mapped
// file; the mapped pages are handed back to the OS once packed, so memory does not grow.
#pragma once

#include "ggml.h"
#include "ggml-backend.h"
#include "int8-gemm.h"

#include <cstdint>
#include <unordered_map>
#include <vector>

namespace gitcap {

class model;

// What multiplies the q8_0 / q4_0 linear layers. GITCAP_GEMM=ggml|avx512vnni|amx forces one where
// the CPU has it; otherwise the best this CPU runs is used.
enum class gemm_kernel {
    ggml,       // ggml's own mul_mat: the weights stay as they are in the file
    avx512vnni, // int8_gemm: AVX-512 VNNI for every product
    amx,        // int8_amx for products of 16 rows or more, int8_gemm for the rest (decode steps)
};

// The name info() reports: "ggml", "int8-avx512vnni", "int8-amx".
const char * gemm_kernel_name(gemm_kernel k);

struct packed_weight {
    ggml_tensor * data = nullptr; // I8 [packed bytes] in the packed buffer
    int64_t n = 0, k = 0;         // output and input features
    int8_gemm::weight_format format = int8_gemm::weight_format::q8;
    gemm_kernel kernel = gemm_kernel::avx512vnni;
};

class packed_weights {
public:
    packed_weights() = default;
    ~packed_weights();
    packed_weights(const packed_weights &) = delete;
    packed_weights & operator=(const packed_weights &) = delete;

    // The kernel for this machine and environment (GITCAP_GEMM).
    static gemm_kernel choose();

    // Repacks every q8_0 and q4_0 matrix in `weights` for `kernel` (not ggml) with n_threads threads. `release(data, bytes)` is
    // called for each source afterwards (to drop its mapped pages).
    void pack(gemm_kernel kernel, const std::vector<ggml_tensor *> & weights, ggml_backend_buffer_type_t buft, int n_threads,
              void (*release)(void * ctx, const void * data, size_t bytes), void * release_ctx);

    const packed_weight * find(const ggml_tensor * w) const {
        auto it = table_.find(w);
        return it == table_.end() ? nullptr : &it->second;
    }
    bool empty() const { return table_.empty(); }

private:
    ggml_context * ctx_ = nullptr;
    ggml_backend_buffer_t buffer_ = nullptr;
    std::unordered_map<const ggml_tensor *, packed_weight> table_;
};

// The int8 kernel's input: x [k, rows...] f32 quantized to int8 blocks, rows flattened to
// [quantized_row_size(k), rows]. A CPU graph node; every packed weight with k inputs can read it.
ggml_tensor * quantize_activations(ggml_context * ctx, ggml_tensor * x);

// act(x @ W^T (+ b)) from x quantized by quantize_activations(): [n, rows] f32. A CPU graph node;
// bias and activation are applied as each result is stored.
ggml_tensor * packed_product(ggml_context * ctx, ggml_tensor * xq, const packed_weight & w, ggml_tensor * b,
                             int8_gemm::epilogue act = int8_gemm::epilogue::none);

} // namespace gitcap
