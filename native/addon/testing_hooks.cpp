// Functions of the addon that only the tests call: one small ggml graph (computeMatMul), the
// preprocessor's intermediate image (preprocessDebug) and the quantizers' sizes (quantRowSize,
// quantTypeInfo). They check the native parts one at a time against independent references.
#include "bindings.h"
#include "image_args.h"
#include "quantize_args.h"

#include "ggml-alloc.h"
#include "ggml-backend.h"
#include "ggml-cpp.h"
#include "ggml.h"

#include <cmath>
#include <cstdint>
#include <string>

namespace {

using namespace gitcap_addon;

// --- computeMatMul ------------------------------------------------------------------------------

constexpr int64_t kMaxElements = int64_t(1) << 28; // 1 GiB of float32 per operand

int64_t integer_arg(const Napi::CallbackInfo & info, size_t index, const char * name, int64_t max) {
    Napi::Value v = info[index];
    const double d = v.IsNumber() ? v.As<Napi::Number>().DoubleValue() : 0;
    if (!v.IsNumber() || !(d >= 1) || d > static_cast<double>(max) || std::floor(d) != d) {
        ThrowError(info.Env(), "E_INVALID_ARG",
                   std::string("Expected an integer from 1 to ") + std::to_string(max) + " for " + name);
    }
    return static_cast<int64_t>(d);
}

Napi::Float32Array float32_arg(const Napi::CallbackInfo & info, size_t index, const char * name, int64_t length) {
    Napi::Value v = info[index];
    if (!v.IsTypedArray() || v.As<Napi::TypedArray>().TypedArrayType() != napi_float32_array) {
        ThrowError(info.Env(), "E_INVALID_ARG", std::string("Expected a Float32Array for ") + name);
    }
    Napi::Float32Array array = v.As<Napi::Float32Array>();
    if (static_cast<int64_t>(array.ElementLength()) != length) {
        ThrowError(info.Env(), "E_INVALID_ARG",
                   std::string("Expected ") + std::to_string(length) + " elements in " + name + " but received " +
                       std::to_string(array.ElementLength()));
    }
    return array;
}

void set_cpu_threads(ggml_backend_t backend, int n_threads) {
    ggml_backend_reg_t reg = ggml_backend_dev_backend_reg(ggml_backend_get_device(backend));
    auto set_n_threads = reinterpret_cast<ggml_backend_set_n_threads_t>(
        ggml_backend_reg_get_proc_address(reg, "ggml_backend_set_n_threads"));
    if (set_n_threads != nullptr) set_n_threads(backend, n_threads);
}

// computeMatMul(a, aRows, aCols, b, bRows, threads, bias?) -> Float32Array [aRows x bRows]
//   out[i][j] = sum_k a[i][k] * b[j][k] + bias[j]        (row-major: a linear layer, b = weights)
Napi::Value ComputeMatMul(const Napi::CallbackInfo & info) {
    Napi::Env env = info.Env();
    const int64_t a_rows = integer_arg(info, 1, "aRows", kMaxElements);
    const int64_t a_cols = integer_arg(info, 2, "aCols", kMaxElements);
    const int64_t b_rows = integer_arg(info, 4, "bRows", kMaxElements);
    if (a_rows * a_cols > kMaxElements || b_rows * a_cols > kMaxElements || a_rows * b_rows > kMaxElements) {
        ThrowError(env, "E_INVALID_ARG", "Expected operands of at most " + std::to_string(kMaxElements) + " elements");
    }
    Napi::Float32Array a = float32_arg(info, 0, "a", a_rows * a_cols);
    Napi::Float32Array b = float32_arg(info, 3, "b", b_rows * a_cols);
    const int64_t threads = integer_arg(info, 5, "threads", 512);
    const bool has_bias = info.Length() > 6 && !info[6].IsUndefined();
    Napi::Float32Array bias = has_bias ? float32_arg(info, 6, "bias", b_rows) : Napi::Float32Array();

    ggml_backend_dev_t dev = ggml_backend_dev_by_type(GGML_BACKEND_DEVICE_TYPE_CPU);
    if (dev == nullptr) ThrowError(env, "E_BACKEND", "No ggml CPU backend is loaded");
    ggml_backend_ptr backend(ggml_backend_dev_init(dev, nullptr));
    if (!backend) ThrowError(env, "E_BACKEND", "The ggml CPU backend failed to start");
    set_cpu_threads(backend.get(), static_cast<int>(threads));

    const ggml_init_params params = {
        /*.mem_size   =*/ggml_tensor_overhead() * 8 + ggml_graph_overhead(),
        /*.mem_buffer =*/nullptr,
        /*.no_alloc   =*/true,
    };
    ggml_context_ptr ctx(ggml_init(params));
    if (!ctx) ThrowError(env, "E_BACKEND", "ggml_init failed");
    ggml_tensor * ta = ggml_new_tensor_2d(ctx.get(), GGML_TYPE_F32, a_cols, a_rows); // [aCols, aRows]
    ggml_tensor * tb = ggml_new_tensor_2d(ctx.get(), GGML_TYPE_F32, a_cols, b_rows); // [aCols, bRows]
    ggml_tensor * out = ggml_mul_mat(ctx.get(), tb, ta);                             // [bRows, aRows]
    ggml_tensor * tbias = nullptr;
    if (has_bias) {
        tbias = ggml_new_tensor_1d(ctx.get(), GGML_TYPE_F32, b_rows);                  // [bRows]
        out = ggml_add(ctx.get(), out, tbias);                                       // broadcast over rows
    }
    ggml_cgraph * graph = ggml_new_graph(ctx.get());
    ggml_build_forward_expand(graph, out);

    ggml_backend_buffer_ptr buffer(ggml_backend_alloc_ctx_tensors(ctx.get(), backend.get()));
    if (!buffer) ThrowError(env, "E_BACKEND", "Could not allocate the ggml buffers");
    ggml_backend_tensor_set(ta, a.Data(), 0, ggml_nbytes(ta));
    ggml_backend_tensor_set(tb, b.Data(), 0, ggml_nbytes(tb));
    if (tbias != nullptr) ggml_backend_tensor_set(tbias, bias.Data(), 0, ggml_nbytes(tbias));

    const ggml_status status = ggml_backend_graph_compute(backend.get(), graph);
    if (status != GGML_STATUS_SUCCESS) {
        ThrowError(env, "E_BACKEND", std::string("ggml graph compute failed: ") + ggml_status_to_string(status));
    }
    Napi::Float32Array result = Napi::Float32Array::New(env, static_cast<size_t>(a_rows * b_rows));
    ggml_backend_tensor_get(out, result.Data(), 0, ggml_nbytes(out));
    return result;
}

// --- preprocessDebug ----------------------------------------------------------------------------

// preprocessDebug(image, params) -> { data, width, height, channels: 3 }: resized and cropped uint8
Napi::Value PreprocessDebug(const Napi::CallbackInfo & info) {
    Napi::Env env = info.Env();
    const gitcap::image_view view = ReadImageView(info[0], "image");
    const gitcap::preprocess_params p = ReadPreprocessParams(info[1]);
    try {
        return ImageObject(env, gitcap::resize_and_crop(view, p));
    } catch (const gitcap::error & e) {
        ThrowError(env, e.code_name(), e.what());
    }
}

// --- quantizer sizes ----------------------------------------------------------------------------

// quantRowSize(type, nPerRow) -> bytes of one row
Napi::Value QuantRowSize(const Napi::CallbackInfo & info) {
    const ggml_type type = QuantTypeArg(info);
    const int64_t n_per_row = QuantCountArg(info, 1, "nPerRow", 1);
    return Napi::Number::New(info.Env(), static_cast<double>(QuantRowSizeOrThrow(info.Env(), type, n_per_row)));
}

// quantTypeInfo(type) -> { ggmlType, blockSize, typeSize }
Napi::Value QuantTypeInfo(const Napi::CallbackInfo & info) {
    const ggml_type type = QuantTypeArg(info);
    Napi::Object out = Napi::Object::New(info.Env());
    out.Set("ggmlType", static_cast<double>(type));
    out.Set("blockSize", static_cast<double>(gitcap::quant_block_size(type)));
    out.Set("typeSize", static_cast<double>(gitcap::quant_type_size(type)));
    return out;
}

} // namespace

void RegisterTestingHooks(Napi::Env env, Napi::Object exports) {
    exports.Set("computeMatMul", Napi::Function::New(env, ComputeMatMul, "computeMatMul"));
    exports.Set("preprocessDebug", Napi::Function::New(env, PreprocessDebug, "preprocessDebug"));
    exports.Set("quantRowSize", Napi::Function::New(env, QuantRowSize, "quantRowSize"));
    exports.Set("quantTypeInfo", Napi::Function::New(env, QuantTypeInfo, "quantTypeInfo"));
}
