// Checks one of gitcap's attention kernels on its own against softmax attention in double
// precision: odd sequence lengths, every head size it takes, strided views, large scores,
// thread splits. The kernel is the first argument: avx512 (native/src/kernels/attention_kernel.cpp, the
// default), avx2 (native/src/kernels/attention_kernel_avx2.cpp, built in as well for it) or amx
// (native/src/kernels/attention_amx.cpp, with GITCAP_CHECK_AMX).
// Built and run by test/model/cpu-kernels.test.ts; prints "skip" where the CPU lacks the kernel's
// instructions.
#include "kernels/attention_kernel.h"
#ifdef GITCAP_CHECK_AVX2
#include "kernels/attention_kernel_avx2.h"
#endif
#ifdef GITCAP_CHECK_AMX
#include "kernels/attention_amx.h"
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
#ifdef GITCAP_CHECK_AMX
    if (kernel == "amx") return gitcap::attention_amx::available();
#endif
    return kernel == "avx512" && available();
}

static void kernel_run(const view & q, const view & k, const view & v, float * out, size_t out_stride, int64_t n, int64_t heads,
                       int64_t batch, int hd, float scale, int ith, int nth) {
#ifdef GITCAP_CHECK_AVX2
    if (kernel == "avx2") return gitcap::attention_kernel_avx2::run(q, k, v, out, out_stride, n, heads, batch, hd, scale, ith, nth);
#endif
#ifdef GITCAP_CHECK_AMX
    if (kernel == "amx") return gitcap::attention_amx::run(q, k, v, out, out_stride, n, heads, batch, hd, scale, ith, nth);
#endif
    run(q, k, v, out, out_stride, n, heads, batch, hd, scale, ith, nth);
}

static int failures = 0;
static double worst_share = 0; // the largest error as a share of its bound (amx)
static double worst_rms = 0;   // the largest root-mean-square error relative to that of the results (amx)

// The error allowed at one output element. f32 kernels: scores carry a relative error of ~1e-7 *
// sqrt(hd); exp() turns it into an absolute error of the weights that grows with the scores' size
// (spread^2 here). amx: q * scale, k and v are rounded to bf16 (within eps = 2^-9), so a score is off
// by at most delta = 2^-8 * sum_d |q_d k_d| * scale (+ f32 sums); each weight, a power of two within
// 2^-13 (7.5e-5) rounded to bf16, is then off by a factor within e^(+-delta) (1 +- eps_w), eps_w =
// 2^-9 + 2^-13, the normalized weights by a factor within e^(2 delta) (1 + eps_w) / (1 - eps_w), and
// the output, a mean of values rounded within eps, by max|v| (eps + e^(2 delta) (1 + eps_w) /
// (1 - eps_w) - 1): about max|v| (3 * 2^-9 + 2^-12 + 2^-7 * max_j sum_d |q_d k_jd| * scale), as
// attention_amx.h states. That bound holds whatever the rounding errors'
// signs; as they are not all alike, amx must also keep its root-mean-square error within
// 2^-8 (1 + spread^2) of that of the results (measured: about 0.45 of it).
static double tolerance(double magnitude, float spread, double vmax, double abs_score, int64_t n, int hd) {
    if (kernel != "amx") return 2e-6 * magnitude * (1 + spread * spread);
    const double eps = std::ldexp(1.0, -9), eps_w = eps + std::ldexp(1.0, -13), f32 = std::ldexp(1.0, -24);
    const double delta = (std::ldexp(1.0, -8) * (1 + eps) + hd * f32) * abs_score;
    return vmax * (eps + std::exp(2 * delta) * (1 + eps_w) / (1 - eps_w) - 1 + 2 * n * f32) + 1e-7 * vmax;
}

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

    // reference, and for each query max_j sum_d |q_d k_jd| * scale and its head's max |v|
    const int64_t out_width = heads * hd + 3;
    std::vector<double> ref((size_t) (batch * n * heads * hd)), abs_score((size_t) (batch * n * heads)), vmax((size_t) (batch * heads));
    double magnitude = 0;
    for (int64_t b = 0; b < batch; b++) {
        for (int64_t h = 0; h < heads; h++) {
            for (int64_t j = 0; j < n; j++) {
                for (int d = 0; d < hd; d++) vmax[b * heads + h] = std::fmax(vmax[b * heads + h], std::fabs(v.row(j, h, b)[d]));
            }
            for (int64_t i = 0; i < n; i++) {
                std::vector<double> s((size_t) n);
                double mx = -INFINITY, abs_max = 0;
                for (int64_t j = 0; j < n; j++) {
                    double dot = 0, abs_dot = 0;
                    for (int d = 0; d < hd; d++) {
                        const double x = (double) q.row(i, h, b)[d] * k.row(j, h, b)[d];
                        dot += x;
                        abs_dot += std::fabs(x);
                    }
                    s[j] = dot * scale;
                    mx = std::fmax(mx, s[j]);
                    abs_max = std::fmax(abs_max, abs_dot * scale);
                }
                abs_score[(b * n + i) * heads + h] = abs_max;
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
        double share = 0;               // the largest error as a share of what is allowed
        double err_sq = 0, ref_sq = 0;  // sums of squares
        for (int64_t r = 0; r < batch * n; r++) {
            for (int64_t c = 0; c < heads * hd; c++) {
                const int64_t h = c / hd, b = r / n;
                const double allowed = tolerance(magnitude, spread, vmax[b * heads + h], abs_score[r * heads + h], n, hd);
                const double err = std::fabs(out[r * out_width + c] - ref[r * heads * hd + c]);
                share = std::fmax(share, err <= allowed ? err / allowed : INFINITY); // NaN fails too
                err_sq += err * err;
                ref_sq += ref[r * heads * hd + c] * ref[r * heads * hd + c];
            }
            for (int64_t c = heads * hd; c < out_width; c++) {
                if (!std::isnan(out[r * out_width + c])) share = INFINITY; // wrote past the row
            }
        }
        if (!(share <= 1)) {
            std::printf("FAIL: n=%ld heads=%ld batch=%ld hd=%d spread=%g threads=%d: error %g of the allowed\n", (long) n, (long) heads,
                        (long) batch, hd, spread, nth, share);
            failures++;
        }
        const double rms_allowed = std::ldexp(1.0, -8) * (1 + spread * spread);
        if (kernel == "amx" && !(err_sq <= rms_allowed * rms_allowed * ref_sq)) {
            std::printf("FAIL: n=%ld hd=%d spread=%g threads=%d: root-mean-square error %g of the results\n", (long) n, hd, spread, nth,
                        std::sqrt(err_sq / ref_sq));
            failures++;
        }
        if (spread == 1) {
            worst_share = std::fmax(worst_share, share);
            if (ref_sq > 0) worst_rms = std::fmax(worst_rms, std::sqrt(err_sq / ref_sq));
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
    if (kernel != "avx512" && kernel != "avx2" && kernel != "amx") {
        std::printf("unknown kernel %s: expected avx512, avx2 or amx\n", kernel.c_str());
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
    for (int hd = 16; hd <= max_head_dim; hd += 16) {
        check(rng, 37, 2, 2, hd, 1.0f); // every head size
        cases++;
    }
    check(rng, 1182, 1, 1, 64, 1.0f); // the image prefix's length (6 frames of 197)
    check(rng, 300, 3, 1, 64, 1.0f);  // more keys than any tile
    check(rng, 64, 1, 1, 64, 4.0f);   // scores in the hundreds: the running max must hold them
    check(rng, 40, 1, 1, 32, 0.0f);   // all zero: uniform weights
    cases += 4;
    if (failures) return 1;
    std::printf("ok: %d cases (%s)\n", cases, kernel.c_str());
    if (kernel == "amx") {
        std::printf("scores of spread 1: largest error %.3f of the bound, root-mean-square error up to %.2g of the results\n", worst_share,
                    worst_rms);
    }
    return 0;
}
