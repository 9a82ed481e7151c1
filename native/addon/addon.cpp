// Module init: ggml's log and backends are set up once per process, then each part registers its
// exports (see bindings.h).
#include "bindings.h"

#include "ggml-backend.h"
#include "ggml.h"

#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <mutex>
#include <stdexcept>

#ifdef _WIN32
#    define WIN32_LEAN_AND_MEAN
#    include <windows.h>
#else
#    include <dlfcn.h>
#endif

namespace gitcap_addon {

void ThrowError(Napi::Env env, const char * code, const std::string & message) {
    Napi::Error error = Napi::Error::New(env, message);
    error.Set("code", Napi::String::New(env, code));
    throw error;
}

const std::string & ModuleDir() {
    static const std::string dir = [] {
        std::string path;
#ifdef _WIN32
        HMODULE module = nullptr;
        if (GetModuleHandleExA(GET_MODULE_HANDLE_EX_FLAG_FROM_ADDRESS | GET_MODULE_HANDLE_EX_FLAG_UNCHANGED_REFCOUNT,
                               reinterpret_cast<LPCSTR>(&ModuleDir), &module)) {
            char buf[MAX_PATH];
            DWORD n = GetModuleFileNameA(module, buf, MAX_PATH);
            path.assign(buf, n);
        }
        const size_t slash = path.find_last_of("\\/");
#else
        Dl_info info{};
        if (dladdr(reinterpret_cast<void *>(&ModuleDir), &info) != 0 && info.dli_fname != nullptr) {
            path = info.dli_fname;
        }
        const size_t slash = path.find_last_of('/');
#endif
        return slash == std::string::npos ? std::string(".") : path.substr(0, slash);
    }();
    return dir;
}

} // namespace gitcap_addon

namespace {

// ggml's log: quiet unless GITCAP_LOG names a level (debug, info, warn, error); then every
// message at or above it goes to stderr.
ggml_log_level g_log_min = GGML_LOG_LEVEL_NONE;
thread_local ggml_log_level t_log_last = GGML_LOG_LEVEL_INFO;

ggml_log_level log_level_from_env() {
    const char * value = std::getenv("GITCAP_LOG");
    if (value == nullptr) return GGML_LOG_LEVEL_NONE;
    if (std::strcmp(value, "debug") == 0) return GGML_LOG_LEVEL_DEBUG;
    if (std::strcmp(value, "info") == 0) return GGML_LOG_LEVEL_INFO;
    if (std::strcmp(value, "warn") == 0) return GGML_LOG_LEVEL_WARN;
    if (std::strcmp(value, "error") == 0) return GGML_LOG_LEVEL_ERROR;
    return GGML_LOG_LEVEL_NONE;
}

void log_to_stderr(ggml_log_level level, const char * text, void * /*user_data*/) {
    if (level == GGML_LOG_LEVEL_CONT) {
        level = t_log_last; // the rest of the previous message
    } else {
        t_log_last = level;
    }
    if (g_log_min == GGML_LOG_LEVEL_NONE || level < g_log_min) return;
    std::fputs(text, stderr);
}

// Once per process, whatever number of worker threads load the addon.
void init_ggml() {
    static std::once_flag once;
    std::call_once(once, [] {
        g_log_min = log_level_from_env();
        ggml_log_set(log_to_stderr, nullptr);
#ifdef GITCAP_PORTABLE
        // The backends are modules beside the .node (libggml-cpu-<variant>.so, ...): ggml loads
        // the best CPU variant this machine runs, and any GPU backend whose driver is present.
        ggml_backend_load_all_from_path(gitcap_addon::ModuleDir().c_str());
#endif
    });
}

Napi::Object Init(Napi::Env env, Napi::Object exports) {
    init_ggml();
    if (ggml_backend_dev_by_type(GGML_BACKEND_DEVICE_TYPE_CPU) == nullptr) {
        // Fails the require(): the loader then tries its next candidate (or a source build).
        throw Napi::Error::New(env, "no ggml CPU backend could be loaded from " + gitcap_addon::ModuleDir() +
                                        ": it should hold libggml-cpu-<variant> libraries, one of which runs on this CPU");
    }
    RegisterInfo(env, exports);
    RegisterTokenizer(env, exports);
    RegisterQuantize(env, exports);
    RegisterModel(env, exports);
    RegisterImage(env, exports);
    RegisterTestingHooks(env, exports);
    return exports;
}

} // namespace

NODE_API_MODULE(gitcap, Init)
