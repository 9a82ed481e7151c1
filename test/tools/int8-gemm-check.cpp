// Checks one of gitcap's kernels for q8_0 and q4_0 weights on its own: the quantizer against ggml's
// x86 q8_0 rule, the q8_0 and q4_0 matrix multiplies (plain and with each activation epilogue)
// against exact integer dot products, over awkward shapes and thread splits. The kernel is the first
// argument: avx512vnni (native/src/kernels/int8_gemm.cpp, the default), avxvnni or avx2
// (native/src/kernels/int8_gemm_avx2.cpp, built in as well for those), or amx
// (native/src/kernels/bf16_gemm_amx.cpp, on the same packed weights, for every row count): its
// rounding of activations and weights to bf16 is checked bit for bit, and its products against
// the sums of those rounded values in double.
// Built and run by test/model/cpu-kernels.test.ts; prints "skip" where the CPU lacks the kernel's instructions.
#include "kernels/bf16_gemm_amx.h"
#include "kernels/int8_gemm.h"
#include "check_util.h"
#ifdef GITCAP_CHECK_AVX2
#include "kernels/int8_gemm_avx2.h"
#endif

#include <cmath>
#include <cstdio>
#include <cstring>
#include <immintrin.h>
#include <random>
#include <string>
#include <vector>

using namespace gitcap::int8_gemm;

struct block_q8_0 {
    uint16_t d;
    int8_t qs[32];
};

struct block_q4_0 {
    uint16_t d;
    uint8_t qs[16];
};

__attribute__((target("f16c"))) static float fp16_round(float x) { return _cvtsh_ss(_cvtss_sh(x, _MM_FROUND_TO_NEAREST_INT)); }

// The kernel under test, from the command line.
static std::string kernel = "avx512vnni";

static bool kernel_available() {
    if (kernel == "avx512vnni") return available();
    if (kernel == "amx") return gitcap::bf16_amx::available();
#ifdef GITCAP_CHECK_AVX2
    if (kernel == "avxvnni") return gitcap::int8_gemm_avx2::available(gitcap::int8_gemm_avx2::variant::avxvnni);
    if (kernel == "avx2") return gitcap::int8_gemm_avx2::available(gitcap::int8_gemm_avx2::variant::avx2);
#endif
    return false;
}

static void kernel_quantize_rows(const float * x, size_t stride, int64_t k, uint8_t * dst, int64_t r0, int64_t r1) {
#ifdef GITCAP_CHECK_AVX2
    if (kernel == "avxvnni" || kernel == "avx2") return gitcap::int8_gemm_avx2::quantize_rows(x, stride, k, dst, r0, r1);
#endif
    quantize_rows(x, stride, k, dst, r0, r1);
}

static void kernel_gemm(weight_format f, epilogue act, const uint8_t * w, int64_t n, int64_t k, const uint8_t * xq, int64_t m, float * y,
                        size_t y_stride, const float * bias, int ith, int nth) {
#ifdef GITCAP_CHECK_AVX2
    if (kernel == "avxvnni" || kernel == "avx2") {
        const auto v = kernel == "avxvnni" ? gitcap::int8_gemm_avx2::variant::avxvnni : gitcap::int8_gemm_avx2::variant::avx2;
        return gitcap::int8_gemm_avx2::gemm(v, f, act, w, n, k, xq, m, y, y_stride, bias, ith, nth);
    }
#endif
    gemm(f, act, w, n, k, xq, m, y, y_stride, bias, ith, nth);
}

// The AMX kernel's activations (x rounded to bf16, to nearest even) and the residual it adds as it
// stores its results (rows of n + 5 floats; empty: none).
static std::vector<uint16_t> xb;
static std::vector<float> residual;

static void kernel_gemm_any(weight_format f, epilogue act, const uint8_t * w, int64_t n, int64_t k, const uint8_t * xq, int64_t m,
                            float * y, size_t y_stride, const float * bias, int ith, int nth) {
    if (kernel == "amx") {
        const gitcap::bf16_amx::destination out{y, y_stride, bias, residual.empty() ? nullptr : residual.data(), (n + 5) * sizeof(float)};
        return gitcap::bf16_amx::gemm(f, act, w, n, k, xb.data(), m, out, ith, nth);
    }
    kernel_gemm(f, act, w, n, k, xq, m, y, y_stride, bias, ith, nth);
}

// float -> bf16 (round to nearest even; no NaNs here) and back
static uint16_t to_bf16(float x) {
    uint32_t bits;
    std::memcpy(&bits, &x, 4);
    return uint16_t((bits + 0x7FFFu + ((bits >> 16) & 1u)) >> 16);
}
static double from_bf16(uint16_t h) {
    const uint32_t bits = uint32_t(h) << 16;
    float x;
    std::memcpy(&x, &bits, 4);
    return x;
}

static void check_shape(std::mt19937 & rng, weight_format format, epilogue act, int64_t m, int64_t k, int64_t n, bool with_bias) {
    const int64_t nb = k / 32;
    const bool q8 = format == weight_format::q8;
    std::uniform_int_distribution<int> byte(-128, 127);
    std::normal_distribution<float> normal(0.0f, 1.0f);
    // the weights as values and scales, and as ggml's blocks of the format
    std::vector<int> values((size_t) (n * k));
    std::vector<uint16_t> scales((size_t) (n * nb));
    for (auto & v : values) v = q8 ? byte(rng) : byte(rng) / 16; // q4_0 holds -8..7
    for (auto & d : scales) d = to_fp16(std::ldexp(1.0f + 0.5f * normal(rng), -8));
    std::vector<block_q8_0> w8((size_t) (n * nb));
    std::vector<block_q4_0> w4((size_t) (n * nb));
    for (int64_t i = 0; i < n * nb; i++) {
        w8[i].d = w4[i].d = scales[i];
        for (int j = 0; j < 32; j++) w8[i].qs[j] = (int8_t) values[i * 32 + j];
        for (int j = 0; j < 16; j++) w4[i].qs[j] = uint8_t(unsigned(values[i * 32 + j] + 8) & 15u | (unsigned(values[i * 32 + j + 16] + 8) & 15u) << 4);
    }
    const void * w = q8 ? (const void *) w8.data() : (const void *) w4.data();
    std::vector<float> x((size_t) (m * k)), bias((size_t) n);
    for (auto & v : x) v = normal(rng);
    if (m > 1) std::fill(x.begin() + k, x.begin() + k + 32, 0.0f); // an all-zero block
    for (auto & v : bias) v = normal(rng);

    std::vector<uint8_t> packed(packed_size(format, n, k));
    const int64_t panels = (n + 15) / 16;
    pack(format, w, n, k, packed.data(), 0, panels / 2);
    pack(format, w, n, k, packed.data(), panels / 2, panels);

    // the quantizer: ggml's quantize_row_q8_0 on x86
    const size_t row_size = quantized_row_size(k);
    std::vector<uint8_t> xq(row_size * m);
    kernel_quantize_rows(x.data(), k * sizeof(float), k, xq.data(), 0, m);
    for (int64_t r = 0; r < m; r++) {
        const auto * q = reinterpret_cast<const int8_t *>(xq.data() + r * row_size);
        const auto * d = reinterpret_cast<const float *>(xq.data() + r * row_size + k);
        const auto * c = reinterpret_cast<const int32_t *>(xq.data() + r * row_size + k + nb * 4);
        for (int64_t b = 0; b < nb; b++) {
            float amax = 0;
            for (int i = 0; i < 32; i++) amax = std::fmax(amax, std::fabs(x[r * k + b * 32 + i]));
            const float id = amax != 0.0f ? 127.0f / amax : 0.0f;
            int sum = 0;
            for (int i = 0; i < 32; i++) {
                const int expect = (int) std::nearbyint(x[r * k + b * 32 + i] * id); // ties to even
                CHECK(q[b * 32 + i] == expect, "quantize m=%ld k=%ld row %ld block %ld item %d: %d != %d", (long) m, (long) k,
                      (long) r, (long) b, i, q[b * 32 + i], expect);
                sum += expect;
            }
            CHECK(d[b] == fp16_round(amax / 127.0f), "quantize scale row %ld block %ld", (long) r, (long) b);
            CHECK(c[b] == -128 * sum, "quantize correction row %ld block %ld", (long) r, (long) b);
        }
    }

    const bool bf16 = kernel == "amx";
    if (bf16) {
        xb.assign((size_t) (m * k), 0);
        gitcap::bf16_amx::convert_rows(x.data(), k * sizeof(float), k, xb.data(), 0, m);
        for (int64_t i = 0; i < m * k; i++) CHECK(xb[i] == to_bf16(x[i]), "bf16 rounding of x[%ld]", (long) i);
    }
    // the AMX kernel adds a residual after a plain product with bias (the vision tower's out and fc2)
    residual.clear();
    if (bf16 && act == epilogue::none && with_bias) {
        residual.resize((size_t) (m * (n + 5)));
        for (auto & v : residual) v = normal(rng);
    }

    // the product, against exact integer dot products (bf16: sums of the rounded values in double);
    // the same for every thread split; rows padded with NaN past n must stay untouched
    const int64_t stride = n + 3;
    std::vector<float> first;
    for (int nth : {1, 2, 3, 7}) {
        std::vector<float> y((size_t) (m * stride), NAN);
        for (int ith = 0; ith < nth; ith++) {
            kernel_gemm_any(format, act, packed.data(), n, k, xq.data(), m, y.data(), stride * sizeof(float), with_bias ? bias.data() : nullptr, ith, nth);
        }
        if (first.empty()) {
            first = y;
            for (int64_t r = 0; r < m; r++) {
                const auto * q = reinterpret_cast<const int8_t *>(xq.data() + r * row_size);
                const auto * d = reinterpret_cast<const float *>(xq.data() + r * row_size + k);
                for (int64_t j = 0; j < n; j++) {
                    double exact = with_bias ? bias[j] : 0.0, magnitude = std::fabs(exact);
                    for (int64_t b = 0; b < nb && bf16; b++) {
                        const float dw = from_fp16(scales[j * nb + b]);
                        for (int i = 0; i < 32; i++) {
                            const double term = from_bf16(to_bf16(dw * (float) values[(j * nb + b) * 32 + i])) *
                                                from_bf16(xb[r * k + b * 32 + i]);
                            exact += term;
                            magnitude += std::fabs(term);
                        }
                    }
                    for (int64_t b = 0; b < nb && !bf16; b++) {
                        long dot = 0;
                        for (int i = 0; i < 32; i++) dot += (long) values[(j * nb + b) * 32 + i] * q[b * 32 + i];
                        const double term = (double) from_fp16(scales[j * nb + b]) * d[b] * (double) dot;
                        exact += term;
                        magnitude += std::fabs(term);
                    }
                    const double got = y[r * stride + j];
                    // f32 sums: of 32 exact block sums (int8), of k products rounded one by one (bf16)
                    double tolerance = (bf16 ? 1e-5 : 1e-6) * magnitude + 1e-30;
                    if (!residual.empty()) {
                        exact += residual[r * (n + 5) + j];
                        tolerance += 1e-7 * std::fabs(exact);
                    }
                    if (act == epilogue::gelu_erf) {
                        // erf within 1.5e-7 (Abramowitz & Stegun 7.1.26); GELU's slope is below 1.13
                        exact = 0.5 * exact * (1.0 + std::erf(exact / std::sqrt(2.0)));
                        tolerance = 1.13 * tolerance + 1e-7 * std::fabs(exact) + 1e-7;
                    } else if (act == epilogue::quick_gelu) {
                        // the quick GELU's slope is below 1.1
                        exact = exact / (1.0 + std::exp(-1.702 * exact));
                        tolerance = 1.1 * tolerance + 1e-6 * std::fabs(exact) + 1e-7;
                    }
                    CHECK(std::fabs(got - exact) <= tolerance, "gemm %s m=%ld k=%ld n=%ld [%ld][%ld]: %g != %g",
                          q8 ? "q8" : "q4", (long) m, (long) k, (long) n, (long) r, (long) j, got, exact);
                }
                for (int64_t j = n; j < stride; j++) CHECK(std::isnan(y[r * stride + j]), "gemm wrote past row %ld", (long) r);
            }
        } else {
            CHECK(std::memcmp(first.data(), y.data(), y.size() * sizeof(float)) == 0,
                  "gemm m=%ld k=%ld n=%ld: %d threads differ from 1", (long) m, (long) k, (long) n, nth);
        }
    }
    // bf16 results (what the next product reads): the f32 results rounded, 2 threads
    if (bf16) {
        std::vector<uint16_t> yb((size_t) (m * stride), 0xFFFF);
        for (int ith = 0; ith < 2; ith++) {
            gitcap::bf16_amx::destination out{nullptr, stride * sizeof(uint16_t), with_bias ? bias.data() : nullptr,
                                              residual.empty() ? nullptr : residual.data(), (n + 5) * sizeof(float), yb.data()};
            gitcap::bf16_amx::gemm(format, act, packed.data(), n, k, xb.data(), m, out, ith, 2);
        }
        for (int64_t r = 0; r < m; r++) {
            for (int64_t j = 0; j < n; j++) {
                CHECK(yb[r * stride + j] == to_bf16(first[r * stride + j]), "bf16 output m=%ld k=%ld n=%ld [%ld][%ld]", (long) m, (long) k,
                      (long) n, (long) r, (long) j);
            }
            for (int64_t j = n; j < stride; j++) CHECK(yb[r * stride + j] == 0xFFFF, "bf16 output wrote past row %ld", (long) r);
        }
    }
}

int main(int argc, char ** argv) {
    if (argc > 1) kernel = argv[1];
    if (kernel != "avx512vnni" && kernel != "amx" && kernel != "avxvnni" && kernel != "avx2") {
        std::printf("unknown kernel %s: expected avx512vnni, amx, avxvnni or avx2\n", kernel.c_str());
        return 2;
    }
    if (!kernel_available()) {
        std::printf("skip: this CPU or build lacks the %s kernel\n", kernel.c_str());
        return 0;
    }
    std::mt19937 rng(7);
    const int64_t shapes[][3] = {
        {1, 32, 16},   {1, 32, 1},    {2, 64, 17},  {3, 96, 48},   {4, 128, 33},  {5, 256, 64},
        {7, 768, 770}, {9, 32, 200},  {1, 768, 30522}, {13, 3072, 48}, {64, 768, 96}, {4, 64, 31},
        {16, 96, 16},  {17, 64, 40},  {70, 288, 80},   {130, 768, 33},
    };
    int cases = 0;
    for (weight_format format : {weight_format::q8, weight_format::q4}) {
        for (const auto & s : shapes) {
            for (bool bias : {false, true}) {
                check_shape(rng, format, epilogue::none, s[0], s[1], s[2], bias);
                cases++;
            }
        }
        for (const auto & s : shapes) {
            for (epilogue act : {epilogue::gelu_erf, epilogue::quick_gelu}) {
                check_shape(rng, format, act, s[0], s[1], s[2], true);
                cases++;
            }
        }
    }
    if (failures) return 1;
    std::printf("ok: %d cases (%s)\n", cases, kernel.c_str());
    return 0;
}
