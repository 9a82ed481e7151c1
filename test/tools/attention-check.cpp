// Checks one of gitcap's attention kernels on its own against softmax attention in double
// precision: odd sequence lengths, every head size it takes, strided views, large scores,
// thread splits. The kernel is the first argument: avx512 (native/src/kernels/attention_kernel.cpp, the
// default) or avx2 (native/src/kernels/attention_kernel_avx2.cpp, built in as well for it).
// Built and run by test/model/cpu-kernels.test.ts; prints "skip" where the CPU lacks the kernel's
// instructions.
#include "kernels/attention_kernel.h"
#ifdef GITCAP_CHECK_AVX2
#include "kernels/attention_kernel_avx2.h"
#endif

#include <cmath>
#include <cstdio>
#include <cstring>
#include <random>
#include <string>
#include <vector>

using namespace gitcap::attention_kernel;

// The kernel under test, from the command line.
static std::string kernel = "avx512";

static bool kernel_available() {
#ifdef GITCAP_CHECK_AVX2
    if (kernel == "avx2") return gitcap::attention_kernel_avx2::available();
#endif
    return kernel == "avx512" && available();
}

static void kernel_run(const view & q, const view & k, const view & v, float * out, size_t out_stride, int64_t n, int64_t heads,
                       int64_t batch, int hd, float scale, int ith, int nth) {
#ifdef GITCAP_CHECK_AVX2
    if (kernel == "avx2") return gitcap::attention_kernel_avx2::run(q, k, v, out, out_stride, n, heads, batch, hd, scale, ith, nth);
#endif
    run(q, k, v, out, out_stride, n, heads, batch, hd, scale, ith, nth);
}

static int failures = 0;

static void check(std::mt19937 & rng, int64_t n, int64_t heads, int64_t batch, int hd, float spread) {
    // q, k, v interleaved in one buffer per token, as views of a fused projection would be
    const int64_t width = 3 * heads * hd + 5; // padding: rows are not packed
    std::normal_distribution<float> normal(0.0f, spread);
    std::vector<float> buf((size_t) (batch * n * width));
    for (auto & x : buf) x = normal(rng);
    const size_t token = width * sizeof(float), head = hd * sizeof(float), bat = n * token;
    auto at = [&](int which) { return view{reinterpret_cast<const uint8_t *>(buf.data() + which * heads * hd), token, head, bat}; };
    const view q = at(0), k = at(1), v = at(2);
    const float scale = 1.0f / std::sqrt(float(hd));

    // reference
    const int64_t out_width = heads * hd + 3;
    std::vector<double> ref((size_t) (batch * n * heads * hd));
    double magnitude = 0;
    for (int64_t b = 0; b < batch; b++) {
        for (int64_t h = 0; h < heads; h++) {
            for (int64_t i = 0; i < n; i++) {
                std::vector<double> s((size_t) n);
                double mx = -INFINITY;
                for (int64_t j = 0; j < n; j++) {
                    double dot = 0;
                    for (int d = 0; d < hd; d++) dot += (double) q.row(i, h, b)[d] * k.row(j, h, b)[d];
                    s[j] = dot * scale;
                    mx = std::fmax(mx, s[j]);
                }
                double sum = 0;
                for (auto & x : s) sum += (x = std::exp(x - mx));
                for (int d = 0; d < hd; d++) {
                    double o = 0;
                    for (int64_t j = 0; j < n; j++) o += s[j] / sum * v.row(j, h, b)[d];
                    ref[((b * n + i) * heads + h) * hd + d] = o;
                    magnitude = std::fmax(magnitude, std::fabs(o));
                }
            }
        }
    }

    std::vector<float> first;
    for (int nth : {1, 2, 3}) {
        std::vector<float> out((size_t) (batch * n * out_width), NAN);
        for (int ith = 0; ith < nth; ith++) kernel_run(q, k, v, out.data(), out_width * sizeof(float), n, heads, batch, hd, scale, ith, nth);
        double worst = 0;
        for (int64_t r = 0; r < batch * n; r++) {
            for (int64_t c = 0; c < heads * hd; c++) worst = std::fmax(worst, std::fabs(out[r * out_width + c] - ref[r * heads * hd + c]));
            for (int64_t c = heads * hd; c < out_width; c++) {
                if (!std::isnan(out[r * out_width + c])) worst = INFINITY; // wrote past the row
            }
        }
        // f32 scores carry a relative error of ~1e-7 * sqrt(hd); exp() turns it into an absolute
        // error of the weights that grows with the scores' size (spread^2 here)
        if (!(worst <= 2e-6 * magnitude * (1 + spread * spread))) {
            std::printf("FAIL: n=%ld heads=%ld batch=%ld hd=%d spread=%g threads=%d: max error %g of %g\n", (long) n, (long) heads,
                        (long) batch, hd, spread, nth, worst, magnitude);
            failures++;
        }
        if (first.empty()) {
            first = out;
        } else if (std::memcmp(first.data(), out.data(), out.size() * sizeof(float)) != 0) {
            std::printf("FAIL: n=%ld hd=%d: %d threads differ from 1\n", (long) n, hd, nth);
            failures++;
        }
    }
}

int main(int argc, char ** argv) {
    if (argc > 1) kernel = argv[1];
    if (kernel != "avx512" && kernel != "avx2") {
        std::printf("unknown kernel %s: expected avx512 or avx2\n", kernel.c_str());
        return 2;
    }
    if (!kernel_available()) {
        std::printf("skip: this CPU or build lacks the %s kernel\n", kernel.c_str());
        return 0;
    }
    std::mt19937 rng(11);
    int cases = 0;
    const int64_t lengths[] = {1, 5, 16, 17, 33, 197};
    for (int64_t n : lengths) {
        for (int hd : {16, 64, 80, 256}) {
            check(rng, n, 2, n < 100 ? 2 : 1, hd, 1.0f);
            cases++;
        }
    }
    check(rng, 300, 3, 1, 64, 1.0f);  // more keys than any tile
    check(rng, 64, 1, 1, 64, 4.0f);   // scores in the hundreds: the running max must hold them
    check(rng, 40, 1, 1, 32, 0.0f);   // all zero: uniform weights
    cases += 3;
    if (failures) return 1;
    std::printf("ok: %d cases (%s)\n", cases, kernel.c_str());
    return 0;
}
