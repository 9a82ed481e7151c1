// quantize(), dequantize(): the converter's access to ggml's quantizers
// (native/include/gitcap_quantize.h). Synchronous: the converter calls them one chunk of rows at a
// time and awaits its file I/O in between.
#include "bindings.h"
#include "quantize_args.h"

#include "gitcap_quantize.h"

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <stdexcept>
#include <string>
#include <thread>

namespace gitcap_addon {

namespace {

constexpr double kMaxElements = 9007199254740991.0; // Number.MAX_SAFE_INTEGER

} // namespace

ggml_type QuantTypeArg(const Napi::CallbackInfo & info) {
    if (!info[0].IsString()) ThrowError(info.Env(), "E_INVALID_ARG", "Expected a type name string for type");
    try {
        return gitcap::quant_type_from_name(info[0].As<Napi::String>().Utf8Value());
    } catch (const std::invalid_argument & e) {
        ThrowError(info.Env(), "E_INVALID_ARG", e.what());
    }
}

int64_t QuantCountArg(const Napi::CallbackInfo & info, size_t index, const char * name, double min) {
    Napi::Value v = info[index];
    const double d = v.IsNumber() ? v.As<Napi::Number>().DoubleValue() : -1;
    if (!v.IsNumber() || !(d >= min) || d > kMaxElements || std::floor(d) != d) {
        ThrowError(info.Env(), "E_INVALID_ARG",
                   std::string("Expected an integer of at least ") + std::to_string(int(min)) + " for " + name);
    }
    return static_cast<int64_t>(d);
}

size_t QuantRowSizeOrThrow(Napi::Env env, ggml_type type, int64_t n_per_row) {
    try {
        return gitcap::quant_row_size(type, n_per_row);
    } catch (const std::invalid_argument & e) {
        ThrowError(env, "E_INVALID_ARG", e.what());
    }
}

} // namespace gitcap_addon

namespace {

using namespace gitcap_addon;

int quantize_threads() {
    const unsigned n = std::thread::hardware_concurrency();
    return static_cast<int>(std::clamp(n, 1u, 16u));
}

// quantize(type, src: Float32Array, nRows, nPerRow) -> Buffer of nRows * quantRowSize(type, nPerRow) bytes
Napi::Value Quantize(const Napi::CallbackInfo & info) {
    Napi::Env env = info.Env();
    const ggml_type type = QuantTypeArg(info);
    const int64_t n_rows = QuantCountArg(info, 2, "nRows", 0);
    const int64_t n_per_row = QuantCountArg(info, 3, "nPerRow", 1);
    const size_t row_size = QuantRowSizeOrThrow(env, type, n_per_row);
    if (!info[1].IsTypedArray() || info[1].As<Napi::TypedArray>().TypedArrayType() != napi_float32_array) {
        ThrowError(env, "E_INVALID_ARG", "Expected a Float32Array for src");
    }
    Napi::Float32Array src = info[1].As<Napi::Float32Array>();
    if (static_cast<double>(src.ElementLength()) != static_cast<double>(n_rows) * static_cast<double>(n_per_row)) {
        ThrowError(env, "E_INVALID_ARG",
                   "Expected nRows * nPerRow = " + std::to_string(n_rows * n_per_row) + " elements in src but received " +
                       std::to_string(src.ElementLength()));
    }
    Napi::Buffer<uint8_t> dst = Napi::Buffer<uint8_t>::New(env, static_cast<size_t>(n_rows) * row_size);
    gitcap::quantize_rows(type, src.Data(), dst.Data(), n_rows, n_per_row, quantize_threads());
    return dst;
}

// dequantize(type, src: Uint8Array, nRows, nPerRow) -> Float32Array of nRows * nPerRow
Napi::Value Dequantize(const Napi::CallbackInfo & info) {
    Napi::Env env = info.Env();
    const ggml_type type = QuantTypeArg(info);
    const int64_t n_rows = QuantCountArg(info, 2, "nRows", 0);
    const int64_t n_per_row = QuantCountArg(info, 3, "nPerRow", 1);
    const size_t row_size = QuantRowSizeOrThrow(env, type, n_per_row);
    if (!info[1].IsTypedArray() || info[1].As<Napi::TypedArray>().TypedArrayType() != napi_uint8_array) {
        ThrowError(env, "E_INVALID_ARG", "Expected a Uint8Array for src");
    }
    Napi::Uint8Array src = info[1].As<Napi::Uint8Array>();
    if (static_cast<double>(src.ByteLength()) != static_cast<double>(n_rows) * static_cast<double>(row_size)) {
        ThrowError(env, "E_INVALID_ARG",
                   "Expected nRows * " + std::to_string(row_size) + " = " + std::to_string(n_rows * row_size) +
                       " bytes in src but received " + std::to_string(src.ByteLength()));
    }
    Napi::Float32Array dst = Napi::Float32Array::New(env, static_cast<size_t>(n_rows * n_per_row));
    gitcap::dequantize_rows(type, src.Data(), dst.Data(), n_rows, n_per_row);
    return dst;
}

} // namespace

void RegisterQuantize(Napi::Env env, Napi::Object exports) {
    exports.Set("quantize", Napi::Function::New(env, Quantize, "quantize"));
    exports.Set("dequantize", Napi::Function::New(env, Dequantize, "dequantize"));
}
