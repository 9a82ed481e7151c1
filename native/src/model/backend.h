// Backend choice through ggml's registry (never #ifdef), CPU threads, and the process-wide
// compute lock.
#pragma once

#include "ggml-backend.h"

#include <mutex>
#include <string>
#include <vector>

namespace gitcap {

struct backend_set {
    ggml_backend_t main = nullptr; // where the weights live (a GPU, or the CPU)
    ggml_backend_t cpu = nullptr;  // always present: fallback for ops the main backend lacks
    ggml_backend_dev_t main_dev = nullptr;
    int n_threads = 0;
};

// "auto" picks the first GPU (then integrated GPU) device, else the CPU. Named backends
// ("cuda", "metal", "vulkan") must exist or gitcap::error(backend) is thrown; "cpu" forces the CPU.
backend_set init_backends(const std::string & name, int n_threads);
void free_backends(backend_set & set);

// Sets the thread count of every CPU backend in `backends`.
void set_cpu_threads(ggml_backend_t backend, int n_threads);

// Physical cores if known, capped by the CPUs this process may use.
int default_thread_count();

// Held while a graph computes, so that graphs never compete for the same cores.
std::mutex & compute_mutex();

// Names of the backend devices compiled in or loaded, e.g. "CPU", "CUDA0".
std::vector<std::string> available_devices();

} // namespace gitcap
