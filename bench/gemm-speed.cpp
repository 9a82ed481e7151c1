// Throughput of gitcap's matrix products for q8_0 and q4_0 weights (native/src/kernels/int8_gemm.cpp,
// bf16_gemm_amx.cpp) on the shapes of the full-size model's layers, in GOP/s (2 ops per multiply-add), each kernel on
// `threads` threads (one std::thread each, joined after every product, as ggml's graph does).
// Time is each thread's own CPU time (the slowest thread's), so that other processes' load takes
// little away from the figure (it still shares caches and memory bandwidth); wall time beside it.
// Built and run by hand (README "Benchmarks"):
//   g++ -O2 -std=c++17 -Inative/src bench/gemm-speed.cpp native/src/kernels/int8_gemm.cpp native/src/kernels/int8_gemm_avx2.cpp native/src/kernels/bf16_gemm_amx.cpp -o /tmp/gemm-speed -lpthread && /tmp/gemm-speed 2 5
#include "kernels/bf16_gemm_amx.h"
#include "kernels/int8_gemm.h"
#include "kernels/int8_gemm_avx2.h"

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <random>
#include <thread>
#include <time.h>
#include <vector>

using namespace gitcap;

static double thread_cpu_ms() {
    timespec ts{};
    clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
    return ts.tv_sec * 1e3 + ts.tv_nsec / 1e6;
}

struct layer {
    const char * name;
    int64_t m, k, n;
};

int main(int argc, char ** argv) {
    const int threads = argc > 1 ? std::atoi(argv[1]) : 2;
    const int reps = argc > 2 ? std::atoi(argv[2]) : 5;
    // 6 frames x 197 tokens through the vision tower and, as image tokens, the text decoder
    const layer layers[] = {
        {"q, k, v or out (768 -> 768)", 1182, 768, 768},
        {"MLP up (768 -> 3072)", 1182, 768, 3072},
        {"MLP down (3072 -> 768)", 1182, 3072, 768},
    };
    std::mt19937 rng(1);
    std::normal_distribution<float> normal(0.0f, 1.0f);
    std::printf("kernel\tformat\tlayer\tm\tk\tn\tcpu ms\twall ms\tGOP/s (cpu)\tGOP/s (wall)\n");
    for (const layer & l : layers) {
        const int64_t nb = l.k / 32;
        // random ggml q8_0 / q4_0 blocks: fp16 scale 2^-8 (0x1c00), then the values
        std::vector<uint8_t> w8(size_t(l.n * nb * 34)), w4(size_t(l.n * nb * 18));
        for (auto & b : w8) b = uint8_t(rng());
        for (auto & b : w4) b = uint8_t(rng());
        for (int64_t i = 0; i < l.n * nb; i++) {
            std::memcpy(&w8[i * 34], "\x00\x1c", 2);
            std::memcpy(&w4[i * 18], "\x00\x1c", 2);
        }
        std::vector<float> x(size_t(l.m * l.k)), y(size_t(l.m * l.n));
        for (auto & v : x) v = normal(rng);
        std::vector<uint8_t> xq(int8_gemm::quantized_row_size(l.k) * l.m);
        int8_gemm::quantize_rows(x.data(), l.k * sizeof(float), l.k, xq.data(), 0, l.m);
        std::vector<uint16_t> xb(l.m * l.k);
        if (bf16_amx::available()) bf16_amx::convert_rows(x.data(), l.k * sizeof(float), l.k, xb.data(), 0, l.m);
        for (auto f : {int8_gemm::weight_format::q8, int8_gemm::weight_format::q4}) {
            std::vector<uint8_t> packed(int8_gemm::packed_size(f, l.n, l.k));
            int8_gemm::pack(f, f == int8_gemm::weight_format::q8 ? (void *) w8.data() : (void *) w4.data(), l.n, l.k, packed.data(), 0,
                            (l.n + 15) / 16);
            static const char * const names[] = {"avx512vnni", "amx-bf16", "avxvnni", "avx2"};
            for (int kernel = 0; kernel < 4; kernel++) {
                if (kernel == 1 && !bf16_amx::available()) continue;
                const auto narrow = kernel == 2 ? int8_gemm_avx2::variant::avxvnni : int8_gemm_avx2::variant::avx2;
                if (kernel >= 2 && !int8_gemm_avx2::available(narrow)) continue;
                auto gemm = [&](int8_gemm::weight_format f, int8_gemm::epilogue e, const uint8_t * w, int64_t n, int64_t k, const uint8_t * xq,
                                int64_t m, float * y, size_t ys, const float * b, int ith, int nth) {
                    if (kernel == 1) return bf16_amx::gemm(f, e, w, n, k, xb.data(), m, bf16_amx::destination{y, ys, b}, ith, nth);
                    if (kernel >= 2) return int8_gemm_avx2::gemm(narrow, f, e, w, n, k, xq, m, y, ys, b, ith, nth);
                    int8_gemm::gemm(f, e, w, n, k, xq, m, y, ys, b, ith, nth);
                };
                std::vector<double> cpu_ms, wall_ms;
                for (int r = 0; r < reps + 1; r++) {
                    const auto t0 = std::chrono::steady_clock::now();
                    std::vector<double> busy(threads);
                    auto part = [&](int t) {
                        const double c0 = thread_cpu_ms();
                        gemm(f, int8_gemm::epilogue::none, packed.data(), l.n, l.k, xq.data(), l.m, y.data(), l.n * 4, nullptr, t, threads);
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
                std::sort(cpu_ms.begin(), cpu_ms.end());
                std::sort(wall_ms.begin(), wall_ms.end());
                const double ms = cpu_ms.front(); // the least disturbed run
                std::printf("%s\t%s\t%s\t%ld\t%ld\t%ld\t%.2f\t%.2f\t%.0f\t%.0f\n", names[kernel],
                            f == int8_gemm::weight_format::q8 ? "q8_0" : "q4_0", l.name, (long) l.m, (long) l.k, (long) l.n, ms,
                            wall_ms.front(), 2.0 * l.m * l.k * l.n / ms / 1e6, 2.0 * l.m * l.k * l.n / wall_ms.front() / 1e6);
            }
        }
    }
    return 0;
}
