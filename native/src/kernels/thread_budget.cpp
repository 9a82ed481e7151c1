#include "kernels/thread_budget.h"

#include <algorithm>
#include <cctype>
#include <cmath>
#include <fstream>
#include <sstream>
#include <string>

#if defined(__linux__)
#include <sched.h>
#include <time.h>
#include <unistd.h>
#endif

namespace gitcap {

// Shorter windows than this give too coarse a reading (/proc/stat counts in 10 ms ticks).
static constexpr std::chrono::milliseconds min_window{200};

thread_budget::thread_budget(int max_threads) : max_threads_(std::max(1, max_threads)), current_(max_threads_) {
#if defined(__linux__)
    cpu_set_t set;
    if (sched_getaffinity(0, sizeof(set), &set) == 0) {
        for (int c = 0; c < CPU_SETSIZE; c++) {
            if (CPU_ISSET(c, &set)) cpus_.push_back(c);
        }
    }
#endif
    last_ = take();
}

int thread_budget::choose(int max_threads, double others_cpus) {
    max_threads = std::max(1, max_threads);
    // More runnable threads than cores: the scheduler shares time per thread, and waiting threads
    // sleep (ggml's barrier, see native/ggml/ORIGIN.md), so every core's worth of threads is
    // worth its share; measured: with 2 threads a caption took 0.7x the time of 1 thread then.
    if (others_cpus >= max_threads - 0.5) return max_threads;
    // Otherwise leave the cores others use to them: a core counts as taken once others use half
    // of it, as a thread sharing it would hold the others up at every barrier.
    const int taken = int(std::floor(std::max(0.0, others_cpus) + 0.5));
    return std::clamp(max_threads - taken, 1, max_threads);
}

thread_budget::sample thread_budget::take() const {
    sample s;
    s.wall = std::chrono::steady_clock::now();
#if defined(__linux__)
    timespec ts{};
    if (clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts) == 0) s.own_s = double(ts.tv_sec) + double(ts.tv_nsec) * 1e-9;
    std::ifstream stat("/proc/stat");
    const double tick = 1.0 / double(sysconf(_SC_CLK_TCK));
    std::string line;
    double busy = 0;
    bool any = false;
    while (std::getline(stat, line)) {
        if (line.rfind("cpu", 0) != 0 || line.size() < 4 || !std::isdigit((unsigned char) line[3])) continue;
        std::istringstream fields(line.substr(3));
        int cpu = -1;
        double user = 0, nice = 0, system = 0, idle = 0, iowait = 0, irq = 0, softirq = 0, steal = 0;
        fields >> cpu >> user >> nice >> system >> idle >> iowait >> irq >> softirq >> steal;
        if (!fields || !std::binary_search(cpus_.begin(), cpus_.end(), cpu)) continue;
        busy += (user + nice + system + irq + softirq + steal) * tick;
        any = true;
    }
    if (any) s.busy_s = busy;
#endif
    return s;
}

int thread_budget::next() {
    std::lock_guard<std::mutex> lock(mutex_);
    if (max_threads_ == 1) return 1;
    const sample now = take();
    const double wall_s = std::chrono::duration<double>(now.wall - last_.wall).count();
    if (now.wall - last_.wall < min_window) return current_;
    if (now.busy_s >= 0 && last_.busy_s >= 0 && wall_s > 0) {
        const double others = (now.busy_s - last_.busy_s - (now.own_s - last_.own_s)) / wall_s;
        current_ = choose(max_threads_, others);
    }
    last_ = now;
    return current_;
}

} // namespace gitcap
