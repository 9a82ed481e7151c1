// Speed of gitcap's attention kernels (native/src/kernels/attention_kernel.cpp, AVX-512 f32;
// attention_amx.cpp, AMX-BF16; attention_kernel_avx2.cpp, AVX2 f32) on the full-size model's two shapes: the vision tower (6 frames of
// 197 tokens, each frame attending to itself) and the text decoder's image prefix (1182 tokens
// attending to all 1182); 12 heads of 64. GFLOP/s counts 4 n^2 hd per head (q.k and p.v, a
// multiply and an add each). Each kernel on `threads` threads (one std::thread each, joined after
// every call, as ggml's graph does); time is each thread's own CPU time (the slowest thread's), so
// that other processes' load takes little away from it; wall time beside it.
// Built and run by hand (README "How it works", attention on AMX-BF16):
// Arguments: threads (2), repetitions (10), and optionally "vision" or "prefix" for one shape only.
//   g++ -O2 -std=c++17 -Inative/src bench/attention-speed.cpp native/src/kernels/attention_kernel.cpp native/src/kernels/attention_kernel_avx2.cpp native/src/kernels/attention_amx.cpp native/src/kernels/bf16_gemm_amx.cpp native/src/kernels/int8_gemm.cpp -o /tmp/attention-speed -lpthread && /tmp/attention-speed 2 10
#include "kernels/attention_amx.h"
#include "kernels/attention_kernel.h"
#include "kernels/attention_kernel_avx2.h"

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <random>
#include <string>
#include <thread>
#include <time.h>
#include <vector>

using namespace gitcap;

static double thread_cpu_ms() {
    timespec ts{};
    clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
    return ts.tv_sec * 1e3 + ts.tv_nsec / 1e6;
}

struct shape {
    const char * key;
    const char * name;
    int64_t n, batch;
};

int main(int argc, char ** argv) {
    const int threads = argc > 1 ? std::atoi(argv[1]) : 2;
    const int reps = argc > 2 ? std::atoi(argv[2]) : 10;
    const std::string only = argc > 3 ? argv[3] : "";
    constexpr int64_t heads = 12;
    constexpr int hd = 64;
    const shape shapes[] = {{"vision", "vision tower (6 x 197)", 197, 6}, {"prefix", "image prefix (1182)", 1182, 1}};
    std::mt19937 rng(1);
    std::normal_distribution<float> normal(0.0f, 1.0f);
    std::printf("kernel\tshape\tn\tbatch\tcpu ms\twall ms\tGFLOP/s (cpu)\tGFLOP/s (wall)\n");
    for (const shape & s : shapes) {
        if (!only.empty() && only != s.key) continue;
        // q, k, v side by side in each token's row, as the fused projection gives them
        const int64_t width = 3 * heads * hd;
        std::vector<float> qkv(size_t(s.batch * s.n * width)), out(size_t(s.batch * s.n * heads * hd));
        for (auto & x : qkv) x = normal(rng);
        const size_t token = width * sizeof(float), head = hd * sizeof(float), bat = s.n * token;
        auto at = [&](int which) {
            return attention_kernel::view{reinterpret_cast<const uint8_t *>(qkv.data() + which * heads * hd), token, head, bat};
        };
        const float scale = 1.0f / std::sqrt(float(hd));
        const double gflop = 4.0 * s.n * s.n * hd * heads * s.batch / 1e9;
        static const char * const names[] = {"avx512", "amx", "avx2"};
        for (int kernel = 0; kernel < 3; kernel++) {
            if (kernel == 0 && !attention_kernel::available()) continue;
            if (kernel == 1 && !attention_amx::available()) continue;
            if (kernel == 2 && !attention_kernel_avx2::available()) continue;
            const auto run = kernel == 0 ? attention_kernel::run : kernel == 1 ? attention_amx::run : attention_kernel_avx2::run;
            std::vector<double> cpu_ms, wall_ms;
            for (int r = 0; r < reps + 1; r++) {
                const auto t0 = std::chrono::steady_clock::now();
                std::vector<double> busy(threads);
                auto part = [&](int t) {
                    const double c0 = thread_cpu_ms();
                    run(at(0), at(1), at(2), out.data(), heads * hd * sizeof(float), s.n, heads, s.batch, hd, scale, t, threads);
                    busy[t] = thread_cpu_ms() - c0;
                };
                std::vector<std::thread> pool;
                for (int t = 1; t < threads; t++) pool.emplace_back(part, t);
                part(0);
                for (auto & th : pool) th.join();
                if (r == 0) continue; // the first warms the caches
                wall_ms.push_back(std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - t0).count());
                cpu_ms.push_back(*std::max_element(busy.begin(), busy.end()));
            }
            // medians
            std::sort(cpu_ms.begin(), cpu_ms.end());
            std::sort(wall_ms.begin(), wall_ms.end());
            const double cpu = cpu_ms[cpu_ms.size() / 2], wall = wall_ms[wall_ms.size() / 2];
            std::printf("%s\t%s\t%ld\t%ld\t%.2f\t%.2f\t%.0f\t%.0f\n", names[kernel], s.name, (long) s.n, (long) s.batch, cpu, wall,
                        gflop / cpu * 1e3, gflop / wall * 1e3);
        }
    }
    return 0;
}
