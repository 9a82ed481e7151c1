#include "model/backend.h"

#include "gitcap.h"

#include <algorithm>
#include <cctype>
#include <fstream>
#include <set>
#include <thread>

#if defined(__linux__)
#include <sched.h>
#endif

namespace gitcap {

static std::string lower(std::string s) {
    std::transform(s.begin(), s.end(), s.begin(), [](unsigned char c) { return (char) std::tolower(c); });
    return s;
}

void set_cpu_threads(ggml_backend_t backend, int n_threads) {
    ggml_backend_dev_t dev = ggml_backend_get_device(backend);
    if (!dev || ggml_backend_dev_type(dev) != GGML_BACKEND_DEVICE_TYPE_CPU) return;
    ggml_backend_reg_t reg = ggml_backend_dev_backend_reg(dev);
    auto set_fn = (ggml_backend_set_n_threads_t) ggml_backend_reg_get_proc_address(reg, "ggml_backend_set_n_threads");
    if (set_fn) set_fn(backend, n_threads);
}

int default_thread_count() {
    int available = (int) std::thread::hardware_concurrency();
#if defined(__linux__)
    cpu_set_t set;
    if (sched_getaffinity(0, sizeof(set), &set) == 0) available = CPU_COUNT(&set);
    // physical cores: distinct (physical id, core id) pairs
    std::ifstream cpuinfo("/proc/cpuinfo");
    std::set<std::pair<std::string, std::string>> cores;
    std::string line, phys = "0";
    while (std::getline(cpuinfo, line)) {
        auto value = [&]() { return line.substr(line.find(':') + 1); };
        if (line.rfind("physical id", 0) == 0) phys = value();
        else if (line.rfind("core id", 0) == 0) cores.insert({phys, value()});
    }
    if (!cores.empty()) available = std::min(available, (int) cores.size());
#endif
    return std::max(1, available);
}

std::mutex & compute_mutex() {
    static std::mutex m;
    return m;
}

static ggml_backend_dev_t find_device(const std::string & wanted) {
    for (size_t i = 0; i < ggml_backend_dev_count(); i++) {
        ggml_backend_dev_t dev = ggml_backend_dev_get(i);
        const std::string reg_name = lower(ggml_backend_reg_name(ggml_backend_dev_backend_reg(dev)));
        if (reg_name == wanted || lower(ggml_backend_dev_name(dev)).rfind(wanted, 0) == 0) return dev;
    }
    return nullptr;
}

backend_set init_backends(const std::string & name_in, int n_threads) {
    const std::string name = lower(name_in);
    backend_set set;
    set.n_threads = n_threads > 0 ? n_threads : default_thread_count();

    ggml_backend_dev_t main_dev = nullptr;
    if (name == "auto") {
        main_dev = ggml_backend_dev_by_type(GGML_BACKEND_DEVICE_TYPE_GPU);
        if (!main_dev) main_dev = ggml_backend_dev_by_type(GGML_BACKEND_DEVICE_TYPE_IGPU);
    } else if (name != "cpu") {
        if (name != "cuda" && name != "metal" && name != "vulkan") {
            throw error(error_code::invalid_argument,
                        "unknown backend '" + name_in + "': expected auto, cpu, cuda, metal or vulkan");
        }
        main_dev = find_device(name);
        if (!main_dev) {
            std::string have;
            for (auto & d : available_devices()) have += (have.empty() ? "" : ", ") + d;
            std::string upper = name;
            std::transform(upper.begin(), upper.end(), upper.begin(), [](unsigned char c) { return (char) std::toupper(c); });
            throw error(error_code::backend, "backend '" + name + "' is not available (devices found: " + have +
                                                 "); build gitcap from source with -DGITCAP_" + upper +
                                                 "=ON on a machine with that device, or use backend 'auto'");
        }
    }

    ggml_backend_dev_t cpu_dev = ggml_backend_dev_by_type(GGML_BACKEND_DEVICE_TYPE_CPU);
    if (!cpu_dev) throw error(error_code::backend, "no CPU backend found: the native addon is incomplete, reinstall gitcap");
    set.cpu = ggml_backend_dev_init(cpu_dev, nullptr);
    if (!set.cpu) throw error(error_code::backend, "could not initialize the CPU backend");
    set_cpu_threads(set.cpu, set.n_threads);

    if (main_dev) {
        set.main = ggml_backend_dev_init(main_dev, nullptr);
        if (!set.main) {
            ggml_backend_free(set.cpu);
            throw error(error_code::backend,
                        std::string("could not initialize backend device ") + ggml_backend_dev_name(main_dev));
        }
        set.main_dev = main_dev;
    } else {
        set.main = set.cpu;
        set.main_dev = cpu_dev;
    }
    return set;
}

void free_backends(backend_set & set) {
    if (set.main && set.main != set.cpu) ggml_backend_free(set.main);
    if (set.cpu) ggml_backend_free(set.cpu);
    set = backend_set{};
}

std::vector<std::string> available_devices() {
    std::vector<std::string> out;
    for (size_t i = 0; i < ggml_backend_dev_count(); i++) out.emplace_back(ggml_backend_dev_name(ggml_backend_dev_get(i)));
    return out;
}

} // namespace gitcap
