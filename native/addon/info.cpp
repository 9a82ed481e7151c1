// info(): what this build of the addon is and what ggml found on this machine.
// computeMatMul(): one small ggml graph on the CPU backend, so tests can check the whole chain.
//
// Only ggml's generic backend API is used (devices by type, proc addresses of the registry), so
// the same code serves the static build (backends linked in) and the portable one (backends
// loaded from modules at init).
#include "bindings.h"

#include "ggml-alloc.h"
#include "ggml-backend.h"
#include "ggml-cpp.h"
#include "ggml.h"

#include "kernels/attention_kernel_avx2.h"
#include "kernels/attention_kernel.h"
#include "kernels/int8_gemm_dispatch.h"

#include <cmath>
#include <cstdint>
#include <limits>
#include <string>

#ifdef _WIN32
#    define WIN32_LEAN_AND_MEAN
#    define NOMINMAX
#    include <windows.h>
#else
#    include <dlfcn.h>
#endif

#ifndef GITCAP_GGML_COMMIT
#    define GITCAP_GGML_COMMIT "unknown"
#endif

namespace {

using gitcap_addon::ThrowError;

const char * device_type_name(enum ggml_backend_dev_type type) {
    switch (type) {
        case GGML_BACKEND_DEVICE_TYPE_CPU: return "cpu";
        case GGML_BACKEND_DEVICE_TYPE_GPU: return "gpu";
        case GGML_BACKEND_DEVICE_TYPE_IGPU: return "igpu";
        case GGML_BACKEND_DEVICE_TYPE_ACCEL: return "accel";
        case GGML_BACKEND_DEVICE_TYPE_META: return "meta";
    }
    return "unknown";
}

// The file a function was loaded from ("" in the static build, where it is the .node itself).
std::string library_of(const void * fn) {
#if defined(GITCAP_PORTABLE) && defined(_WIN32)
    HMODULE module = nullptr;
    if (fn != nullptr && GetModuleHandleExA(GET_MODULE_HANDLE_EX_FLAG_FROM_ADDRESS | GET_MODULE_HANDLE_EX_FLAG_UNCHANGED_REFCOUNT,
                                            static_cast<LPCSTR>(fn), &module)) {
        char buf[MAX_PATH];
        const DWORD n = GetModuleFileNameA(module, buf, MAX_PATH);
        if (n > 0 && n < MAX_PATH) return std::string(buf, n);
    }
#elif defined(GITCAP_PORTABLE)
    Dl_info info{};
    if (fn != nullptr && dladdr(fn, &info) != 0 && info.dli_fname != nullptr) return info.dli_fname;
#endif
    (void) fn;
    return "";
}

// "libggml-cpu-haswell.so" -> "haswell", "ggml-cpu-armv8.2_2.dll" -> "armv8.2_2"
std::string cpu_variant_of(const std::string & library) {
    const size_t slash = library.find_last_of("/\\");
    std::string name = slash == std::string::npos ? library : library.substr(slash + 1);
    const std::string marker = "ggml-cpu-";
    const size_t start = name.find(marker);
    if (start == std::string::npos) return "";
    name = name.substr(start + marker.size());
    return name.substr(0, name.rfind('.')); // only the extension: arm variants have dots
}

Napi::Object cpu_info(Napi::Env env) {
    Napi::Object cpu = Napi::Object::New(env);
    Napi::Object features = Napi::Object::New(env);
    cpu.Set("features", features);
    cpu.Set("variant", env.Null());
    cpu.Set("library", env.Null());
    // gitcap's own x86 kernels this CPU runs (chosen at load; see README "How it works")
    Napi::Array kernels = Napi::Array::New(env);
    for (const std::string & name : gitcap::runnable_int8_kernels()) kernels.Set(kernels.Length(), name);
    if (gitcap::attention_kernel::available()) kernels.Set(kernels.Length(), "attention-avx512");
    if (gitcap::attention_kernel_avx2::available()) kernels.Set(kernels.Length(), "attention-avx2");
    cpu.Set("kernels", kernels);

    ggml_backend_dev_t dev = ggml_backend_dev_by_type(GGML_BACKEND_DEVICE_TYPE_CPU);
    if (dev == nullptr) return cpu;
    ggml_backend_reg_t reg = ggml_backend_dev_backend_reg(dev);
    auto get_features = reinterpret_cast<ggml_backend_get_features_t>(
        ggml_backend_reg_get_proc_address(reg, "ggml_backend_get_features"));
    if (get_features != nullptr) {
        for (const ggml_backend_feature * f = get_features(reg); f != nullptr && f->name != nullptr; ++f) {
            features.Set(f->name, f->value != nullptr ? f->value : "");
        }
    }
    const std::string library = library_of(reinterpret_cast<const void *>(get_features));
    if (!library.empty()) {
        cpu.Set("library", library);
        const std::string variant = cpu_variant_of(library);
        if (!variant.empty()) cpu.Set("variant", variant);
    }
    return cpu;
}

Napi::Value Info(const Napi::CallbackInfo & info) {
    Napi::Env env = info.Env();
    Napi::Object out = Napi::Object::New(env);
    out.Set("ggmlVersion", ggml_version());
    out.Set("ggmlCommit", GITCAP_GGML_COMMIT);
    out.Set("napiVersion", NAPI_VERSION);
#ifdef GITCAP_PORTABLE
    out.Set("portable", true);
#else
    out.Set("portable", false);
#endif

    Napi::Array backends = Napi::Array::New(env);
    for (size_t i = 0; i < ggml_backend_reg_count(); ++i) {
        backends.Set(static_cast<uint32_t>(i), ggml_backend_reg_name(ggml_backend_reg_get(i)));
    }
    out.Set("backends", backends);

    Napi::Array devices = Napi::Array::New(env);
    for (size_t i = 0; i < ggml_backend_dev_count(); ++i) {
        ggml_backend_dev_t dev = ggml_backend_dev_get(i);
        ggml_backend_dev_props props{};
        ggml_backend_dev_get_props(dev, &props);
        Napi::Object d = Napi::Object::New(env);
        d.Set("name", props.name != nullptr ? props.name : "");
        d.Set("description", props.description != nullptr ? props.description : "");
        d.Set("type", device_type_name(props.type));
        d.Set("backend", ggml_backend_reg_name(ggml_backend_dev_backend_reg(dev)));
        d.Set("memoryFree", static_cast<double>(props.memory_free));
        d.Set("memoryTotal", static_cast<double>(props.memory_total));
        devices.Set(static_cast<uint32_t>(i), d);
    }
    out.Set("devices", devices);
    out.Set("cpu", cpu_info(env));
    return out;
}

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

} // namespace

void RegisterInfo(Napi::Env env, Napi::Object exports) {
    exports.Set("info", Napi::Function::New(env, Info, "info"));
    exports.Set("computeMatMul", Napi::Function::New(env, ComputeMatMul, "computeMatMul"));
}
