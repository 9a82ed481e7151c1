#include "kernels/attention_kernel_avx2.h"

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <cstring>
#include <vector>

#if (defined(__x86_64__) || defined(__i386__)) && (defined(__GNUC__) || defined(__clang__))
#define GITCAP_ATTENTION_KERNEL_AVX2 1
#include <immintrin.h>

#include "kernels/simd_math_avx2.h"
#endif

namespace gitcap::attention_kernel_avx2 {

#ifdef GITCAP_ATTENTION_KERNEL_AVX2

using attention_kernel::max_head_dim;
using attention_kernel::view;

#define GITCAP_TARGET __attribute__((target("avx2,fma")))

bool available() {
    __builtin_cpu_init();
    return __builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma");
}

// The vector width of the body below: one query per lane of a 256-bit register.
namespace {
using vec = __m256;
constexpr int lanes = 8;
// 16 registers: 6 keys x 2 query vectors of scores, the 2 query vectors and a broadcast; 4 value
// dimensions x 2 query vectors of sums (the fastest of the shapes measured, bench/attention-speed.cpp).
constexpr int qvecs = 2;
constexpr int key_tile = 6;
constexpr int value_dims = 4;
GITCAP_TARGET inline vec vzero() { return _mm256_setzero_ps(); }
GITCAP_TARGET inline vec vset1(float x) { return _mm256_set1_ps(x); }
GITCAP_TARGET inline vec vload(const float * p) { return _mm256_loadu_ps(p); }
GITCAP_TARGET inline void vstore(float * p, vec a) { _mm256_storeu_ps(p, a); }
GITCAP_TARGET inline vec vfmadd(vec a, vec b, vec c) { return _mm256_fmadd_ps(a, b, c); }
GITCAP_TARGET inline vec vmax(vec a, vec b) { return _mm256_max_ps(a, b); }
GITCAP_TARGET inline vec vadd(vec a, vec b) { return _mm256_add_ps(a, b); }
GITCAP_TARGET inline vec vsub(vec a, vec b) { return _mm256_sub_ps(a, b); }
GITCAP_TARGET inline vec vmul(vec a, vec b) { return _mm256_mul_ps(a, b); }
GITCAP_TARGET inline vec vdiv(vec a, vec b) { return _mm256_div_ps(a, b); }
GITCAP_TARGET inline vec vexp(vec a) { return simd_avx2::exp_ps(a); }
} // namespace

#include "kernels/attention_kernel_body.inc"

#else

bool available() { return false; }
void run(const attention_kernel::view &, const attention_kernel::view &, const attention_kernel::view &, float *, size_t, int64_t,
         int64_t, int64_t, int, float, int, int) {}

#endif

} // namespace gitcap::attention_kernel_avx2
