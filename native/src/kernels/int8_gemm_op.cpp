#include "kernels/int8_gemm_op.h"

#include "gitcap.h"
#include "kernels/bf16_gemm_amx.h"
#include "kernels/int8_gemm.h"

#include <algorithm>
#include <cstdlib>
#include <cstring>
#include <string>
#include <thread>

namespace gitcap {

packed_weights::~packed_weights() {
    if (buffer_) ggml_backend_buffer_free(buffer_);
    if (ctx_) ggml_free(ctx_);
}

void packed_weights::pack(const std::vector<ggml_tensor *> & weights, ggml_backend_buffer_type_t buft, int n_threads,
                          void (*release)(void * ctx, const void * data, size_t bytes), void * release_ctx) {
    std::vector<ggml_tensor *> sources;
    for (ggml_tensor * w : weights) {
        if (w && (w->type == GGML_TYPE_Q8_0 || w->type == GGML_TYPE_Q4_0) && ggml_is_contiguous(w) && w->ne[2] == 1 && w->ne[3] == 1 &&
            w->ne[0] % int8_gemm::block == 0 && !table_.count(w)) {
            sources.push_back(w);
        }
    }
    if (sources.empty()) return;
    kernel_ = chosen_int8_kernel();

    ggml_init_params params{ggml_tensor_overhead() * sources.size(), nullptr, /*no_alloc =*/true};
    ctx_ = ggml_init(params);
    if (!ctx_) throw error(error_code::backend, "could not allocate the packed weights' metadata");
    for (ggml_tensor * w : sources) {
        packed_weight pw;
        pw.k = w->ne[0];
        pw.n = w->ne[1];
        pw.format = w->type == GGML_TYPE_Q8_0 ? int8_gemm::weight_format::q8 : int8_gemm::weight_format::q4;
        pw.kernel = kernel_;
        pw.data = ggml_new_tensor_1d(ctx_, GGML_TYPE_I8, (int64_t) int8_gemm::packed_size(pw.format, pw.n, pw.k));
        ggml_set_name(pw.data, w->name);
        table_[w] = pw;
    }
    buffer_ = ggml_backend_alloc_ctx_tensors_from_buft(ctx_, buft);
    if (!buffer_) throw error(error_code::backend, "not enough memory for the packed weights");
    ggml_backend_buffer_set_usage(buffer_, GGML_BACKEND_BUFFER_USAGE_WEIGHTS);

    n_threads = std::max(1, n_threads);
    for (ggml_tensor * w : sources) {
        const packed_weight & pw = table_[w];
        const int64_t panels = (pw.n + int8_gemm::panel_rows - 1) / int8_gemm::panel_rows;
        auto * dst = static_cast<uint8_t *>(pw.data->data);
        std::vector<std::thread> pool;
        for (int t = 1; t < n_threads; t++) {
            pool.emplace_back([&, t] {
                int8_gemm::pack(pw.format, w->data, pw.n, pw.k, dst, panels * t / n_threads, panels * (t + 1) / n_threads);
            });
        }
        int8_gemm::pack(pw.format, w->data, pw.n, pw.k, dst, 0, panels / n_threads);
        for (auto & th : pool) th.join();
        if (release) release(release_ctx, w->data, ggml_nbytes(w));
    }
}

namespace {

void quantize_op(ggml_tensor * dst, int ith, int nth, void * userdata) {
    const ggml_tensor * x = dst->src[0];
    const int64_t rows = dst->ne[1];
    // userdata: the kernel, as the value of the pointer
    quantize_rows(int8_kernel(reinterpret_cast<uintptr_t>(userdata)), static_cast<const float *>(x->data), x->nb[1], x->ne[0],
                  static_cast<uint8_t *>(dst->data), rows * ith / nth, rows * (ith + 1) / nth);
}

// Products with many rows on AMX take bf16 activations (bf16_gemm_amx.h), the rest int8 ones.
bool uses_bf16_tiles(int8_kernel kernel, int64_t rows) { return kernel == int8_kernel::amx && rows >= bf16_amx::min_rows; }

void convert_op(ggml_tensor * dst, int ith, int nth, void *) {
    const ggml_tensor * x = dst->src[0];
    const int64_t rows = dst->ne[1];
    bf16_amx::convert_rows(static_cast<const float *>(x->data), x->nb[1], x->ne[0], static_cast<uint16_t *>(dst->data), rows * ith / nth,
                           rows * (ith + 1) / nth);
}

template <int8_gemm::epilogue A>
void gemm_op(ggml_tensor * dst, int ith, int nth, void * userdata) {
    const auto * w = static_cast<const packed_weight *>(userdata);
    const ggml_tensor * xq = dst->src[1];
    const ggml_tensor * b = dst->src[2];
    if (xq->type == GGML_TYPE_BF16) {
        const ggml_tensor * r = dst->src[3];
        bf16_amx::destination out{static_cast<float *>(dst->data), dst->nb[1], b ? static_cast<const float *>(b->data) : nullptr,
                                  r ? static_cast<const float *>(r->data) : nullptr, r ? r->nb[1] : 0};
        if (dst->type == GGML_TYPE_BF16) {
            out.y = nullptr;
            out.y_bf16 = static_cast<uint16_t *>(dst->data);
        }
        bf16_amx::gemm(w->format, A, static_cast<const uint8_t *>(dst->src[0]->data), w->n, w->k, static_cast<const uint16_t *>(xq->data),
                       dst->ne[1], out, ith, nth);
        return;
    }
    int8_gemm_run(w->kernel, w->format, A, static_cast<const uint8_t *>(dst->src[0]->data), w->n, w->k,
                  static_cast<const uint8_t *>(xq->data), dst->ne[1], static_cast<float *>(dst->data), dst->nb[1],
                  b ? static_cast<const float *>(b->data) : nullptr, ith, nth);
}

bool takes_residual(const ggml_tensor * xq, const ggml_tensor * b, const ggml_tensor * residual) {
    return xq->type == GGML_TYPE_BF16 && b && residual->type == GGML_TYPE_F32 && residual->nb[0] == sizeof(float) &&
           residual->ne[0] == b->ne[0] && residual->ne[1] == xq->ne[1] && residual->ne[2] * residual->ne[3] == 1;
}

ggml_tensor * product_node(ggml_context * ctx, ggml_type type, ggml_tensor * xq, const packed_weight & w, ggml_tensor * b,
                                  int8_gemm::epilogue act, ggml_tensor * residual) {
    ggml_tensor * args[4] = {w.data, xq, b, residual};
    // userdata points into the model, which outlives every graph built from it
    return ggml_custom_4d(ctx, type, w.n, xq->ne[1], 1, 1, args, residual ? 4 : b ? 3 : 2,
                          act == int8_gemm::epilogue::gelu_erf     ? gemm_op<int8_gemm::epilogue::gelu_erf>
                          : act == int8_gemm::epilogue::quick_gelu ? gemm_op<int8_gemm::epilogue::quick_gelu>
                                                                   : gemm_op<int8_gemm::epilogue::none>,
                          GGML_N_TASKS_MAX, const_cast<packed_weight *>(&w));
}

} // namespace

ggml_tensor * quantize_activations(ggml_context * ctx, ggml_tensor * x, int8_kernel kernel) {
    if (x->nb[0] != sizeof(float) || x->type != GGML_TYPE_F32) x = ggml_cont(ctx, x);
    if (x->ne[2] * x->ne[3] > 1) x = ggml_reshape_2d(ctx, ggml_is_contiguous(x) ? x : ggml_cont(ctx, x), x->ne[0], ggml_nrows(x));
    if (uses_bf16_tiles(kernel, x->ne[1])) {
        return ggml_custom_4d(ctx, GGML_TYPE_BF16, x->ne[0], x->ne[1], 1, 1, &x, 1, convert_op, GGML_N_TASKS_MAX, nullptr);
    }
    return ggml_custom_4d(ctx, GGML_TYPE_I8, (int64_t) int8_gemm::quantized_row_size(x->ne[0]), x->ne[1], 1, 1, &x, 1, quantize_op,
                          GGML_N_TASKS_MAX, reinterpret_cast<void *>(uintptr_t(kernel)));
}

ggml_tensor * packed_product(ggml_context * ctx, ggml_tensor * xq, const packed_weight & w, ggml_tensor * b, int8_gemm::epilogue act,
                             ggml_tensor * residual) {
    if (residual && (act != int8_gemm::epilogue::none || !takes_residual(xq, b, residual))) {
        return ggml_add(ctx, residual, packed_product(ctx, xq, w, b, act));
    }
    return product_node(ctx, GGML_TYPE_F32, xq, w, b, act, residual);
}

ggml_tensor * packed_product_for_next(ggml_context * ctx, ggml_tensor * xq, const packed_weight & w, ggml_tensor * b,
                                      int8_gemm::epilogue act, int8_kernel next) {
    if (xq->type == GGML_TYPE_BF16 && uses_bf16_tiles(next, xq->ne[1])) return product_node(ctx, GGML_TYPE_BF16, xq, w, b, act, nullptr);
    return quantize_activations(ctx, packed_product(ctx, xq, w, b, act), next);
}

} // namespace gitcap
