// How many threads a graph computes with when the caller left the count to gitcap. ggml's
// threads meet at a barrier after every operation, so a thread whose core is shared with another
// process holds up all the others: when other processes keep some cores busy, the budget is the
// physical cores less those (Linux: /proc/stat less this process's own CPU time, since the last
// look; elsewhere the cores alone). When they keep every core busy, it is all the cores again:
// the scheduler then shares time per thread.
#pragma once

#include <chrono>
#include <cstdint>
#include <mutex>
#include <vector>

namespace gitcap {

class thread_budget {
public:
    // max_threads: the count on an idle machine (the physical cores this process may use).
    explicit thread_budget(int max_threads);

    // Threads for the next graph; re-measured when at least `min_window` passed since the last look.
    int next();

    // Threads for `max_threads` cores when others kept `others_cpus` CPUs busy on average.
    static int choose(int max_threads, double others_cpus);

private:
    struct sample {
        std::chrono::steady_clock::time_point wall;
        double busy_s = -1; // CPU seconds used on this process's CPUs, all processes (-1: unknown)
        double own_s = 0;   // this process's CPU seconds
    };
    sample take() const;

    const int max_threads_;
    std::vector<int> cpus_; // the CPUs this process may run on (Linux)
    std::mutex mutex_;
    sample last_;
    int current_;
};

} // namespace gitcap
