// The int8 kernels as ggml graph operations (quantize_activations, packed_product), and the
// model's q8_0 and q4_0 linear weights repacked for them (packed_weights, layout of int8_gemm.h).
// Only for weights computed on the CPU from the mapped file; the mapped pages are handed back to
// the OS once packed, so memory does not grow.
#pragma once

#include "ggml.h"
#include "ggml-backend.h"
#include "kernels/int8_gemm.h"
#include "kernels/int8_gemm_dispatch.h"

#include <cstdint>
#include <unordered_map>
#include <vector>

namespace gitcap {

class model;

struct packed_weight {
    ggml_tensor * data = nullptr; // I8 [packed bytes] in the packed buffer
    int64_t n = 0, k = 0;         // output and input features
    int8_gemm::weight_format format = int8_gemm::weight_format::q8;
    int8_kernel kernel = int8_kernel::avx512vnni; // which instructions multiply it
};

class packed_weights {
public:
    packed_weights() = default;
    ~packed_weights();
    packed_weights(const packed_weights &) = delete;
    packed_weights & operator=(const packed_weights &) = delete;

    // The kernel the packed weights use (chosen_int8_kernel() when packed).
    int8_kernel kernel() const { return kernel_; }

    // Repacks every q8_0 and q4_0 matrix in `weights` with n_threads threads. `release(data, bytes)` is
    // called for each source afterwards (to drop its mapped pages).
    void pack(const std::vector<ggml_tensor *> & weights, ggml_backend_buffer_type_t buft, int n_threads,
              void (*release)(void * ctx, const void * data, size_t bytes), void * release_ctx);

    const packed_weight * find(const ggml_tensor * w) const {
        auto it = table_.find(w);
        return it == table_.end() ? nullptr : &it->second;
    }
    bool empty() const { return table_.empty(); }

private:
    int8_kernel kernel_ = int8_kernel::ggml;
    ggml_context * ctx_ = nullptr;
    ggml_backend_buffer_t buffer_ = nullptr;
    std::unordered_map<const ggml_tensor *, packed_weight> table_;
};

// The int8 kernel's input: x [k, rows...] f32 quantized to int8 blocks, rows flattened to
// [quantized_row_size(k), rows]. A CPU graph node; every packed weight with k inputs can read it.
ggml_tensor * quantize_activations(ggml_context * ctx, ggml_tensor * x, int8_kernel kernel);

// act(x @ W^T (+ b)) (+ residual, [n, rows] f32) from x quantized by quantize_activations():
// [n, rows] f32. A CPU graph node; bias, activation and (on AMX) the residual are applied as each
// result is stored; elsewhere the residual is a ggml_add after it.
ggml_tensor * packed_product(ggml_context * ctx, ggml_tensor * xq, const packed_weight & w, ggml_tensor * b,
                             int8_gemm::epilogue act = int8_gemm::epilogue::none, ggml_tensor * residual = nullptr);

// act(x @ W^T (+ b)) as the input of a product on kernel `next`: on AMX straight from the tiles
// to bf16 (the f32 result is never stored), else quantized from it by quantize_activations().
ggml_tensor * packed_product_for_next(ggml_context * ctx, ggml_tensor * xq, const packed_weight & w, ggml_tensor * b,
                                      int8_gemm::epilogue act, int8_kernel next);

} // namespace gitcap
