// info(): what this build of the addon is and what ggml found on this machine.
//
// Only ggml's generic backend API is used (devices by type, proc addresses of the registry), so
// the same code serves the static build (backends linked in) and the portable one (backends
// loaded from modules at init).
#include "bindings.h"

#include "ggml-backend.h"
#include "ggml.h"

#include "gitcap_cpu.h"

#include <cstdint>
#include <string>

#ifdef _WIN32
#    define WIN32_LEAN_AND_MEAN
#    ifndef NOMINMAX // MinGW's C++ headers define it
#        define NOMINMAX
#    endif
#    include <windows.h>
#else
#    include <dlfcn.h>
#endif

#ifndef GITCAP_GGML_COMMIT
#    define GITCAP_GGML_COMMIT "unknown"
#endif

namespace {

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
    for (const std::string & name : gitcap::runnable_cpu_kernels()) kernels.Set(kernels.Length(), name);
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

} // namespace

void RegisterInfo(Napi::Env env, Napi::Object exports) {
    exports.Set("info", Napi::Function::New(env, Info, "info"));
}
