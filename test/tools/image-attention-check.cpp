// Checks the decode steps' products over the cached image keys and values
// (native/src/kernels/image_attention.cpp) against sums in double precision: odd key counts, head
// sizes, strided rows, several queries and heads, and identical results for every thread split.
// Built and run by test/model/cpu-kernels.test.ts; prints "skip" where the CPU lacks AVX-512.
#include "kernels/image_attention.h"
#include "check_util.h"

#include <cmath>
#include <cstdio>
#include <cstring>
#include <immintrin.h>
#include <random>
#include <vector>

using namespace gitcap::image_attention;

// k [hd, n_img, heads] f16, q [hd, n, heads] f32, then v [hd, n_img, heads] f16, p [n_img, n, heads] f32;
// every row padded by a few elements, so that strides are not widths.
static void check(std::mt19937 & rng, int64_t hd, int64_t n_img, int64_t n, int64_t heads) {
    std::normal_distribution<float> normal(0.0f, 1.0f);
    const size_t k_row = size_t(hd) + 16, q_row = size_t(hd) + 3, s_row = size_t(n_img) + 5, v_row = size_t(hd) + 32,
                 p_row = size_t(n_img) + 2, o_row = size_t(hd) + 1;
    std::vector<uint16_t> k((size_t) (k_row * n_img * heads)), v((size_t) (v_row * n_img * heads));
    std::vector<float> q((size_t) (q_row * n * heads)), p((size_t) (p_row * n * heads));
    for (auto & x : k) x = to_fp16(normal(rng));
    for (auto & x : v) x = to_fp16(normal(rng));
    for (auto & x : q) x = normal(rng);
    for (auto & x : p) x = std::fabs(normal(rng)) / float(n_img);
    const rows<const uint16_t> kr{k.data(), k_row * 2, (size_t) (k_row * n_img * 2)}, vr{v.data(), v_row * 2, (size_t) (v_row * n_img * 2)};
    const rows<const float> qr{q.data(), q_row * 4, (size_t) (q_row * n * 4)}, pr{p.data(), p_row * 4, (size_t) (p_row * n * 4)};

    std::vector<float> first_s, first_o;
    for (int nth : {1, 2, 3}) {
        std::vector<float> s((size_t) (s_row * n * heads), NAN), o((size_t) (o_row * n * heads), NAN);
        const rows<float> sr{s.data(), s_row * 4, (size_t) (s_row * n * 4)}, orow{o.data(), o_row * 4, (size_t) (o_row * n * 4)};
        for (int ith = 0; ith < nth; ith++) {
            scores(kr, qr, sr, hd, n_img, n, heads, ith, nth);
            values(vr, pr, orow, hd, n_img, n, heads, ith, nth);
        }
        if (!first_s.empty()) {
            CHECK(std::memcmp(first_s.data(), s.data(), s.size() * 4) == 0, "scores hd=%ld n_img=%ld: %d threads differ", (long) hd, (long) n_img, nth);
            CHECK(std::memcmp(first_o.data(), o.data(), o.size() * 4) == 0, "values hd=%ld n_img=%ld: %d threads differ", (long) hd, (long) n_img, nth);
            continue;
        }
        first_s = s;
        first_o = o;
        for (int64_t h = 0; h < heads; h++) {
            for (int64_t i = 0; i < n; i++) {
                for (int64_t j = 0; j < n_img; j++) {
                    double exact = 0, magnitude = 0;
                    for (int64_t d = 0; d < hd; d++) {
                        const double t = (double) from_fp16(kr.row(j, h)[d]) * qr.row(i, h)[d];
                        exact += t;
                        magnitude += std::fabs(t);
                    }
                    const double got = sr.row(i, h)[j];
                    CHECK(std::fabs(got - exact) <= 1e-6 * magnitude + 1e-30, "scores hd=%ld n_img=%ld [%ld][%ld][%ld]: %g != %g", (long) hd,
                          (long) n_img, (long) h, (long) i, (long) j, got, exact);
                }
                for (size_t j = size_t(n_img); j < s_row; j++) CHECK(std::isnan(sr.row(i, h)[j]), "scores wrote past a row");
                for (int64_t d = 0; d < hd; d++) {
                    double exact = 0, magnitude = 0;
                    for (int64_t j = 0; j < n_img; j++) {
                        const double t = (double) from_fp16(vr.row(j, h)[d]) * pr.row(i, h)[j];
                        exact += t;
                        magnitude += std::fabs(t);
                    }
                    const double got = orow.row(i, h)[d];
                    CHECK(std::fabs(got - exact) <= 1e-6 * magnitude + 1e-30, "values hd=%ld n_img=%ld [%ld][%ld][%ld]: %g != %g", (long) hd,
                          (long) n_img, (long) h, (long) i, (long) d, got, exact);
                }
                CHECK(std::isnan(orow.row(i, h)[hd]), "values wrote past a row");
            }
        }
    }
}

int main() {
    if (!available()) {
        std::printf("skip: this CPU or build lacks AVX-512\n");
        return 0;
    }
    std::mt19937 rng(11);
    int cases = 0;
    for (int64_t hd : {16, 64, 128}) {
        for (int64_t n_img : {1, 5, 16, 17, 33, 197, 1182}) {
            for (int64_t n : {1, 3}) {
                check(rng, hd, n_img, n, hd == 64 ? 12 : 2);
                cases++;
            }
        }
    }
    if (failures) return 1;
    std::printf("ok: %d cases\n", cases);
    return 0;
}
