#include "kernels/attention_kernel.h"

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <cstring>
#include <vector>

#if (defined(__x86_64__) || defined(__i386__)) && (defined(__GNUC__) || defined(__clang__))
#define GITCAP_ATTENTION_KERNEL 1
#include <immintrin.h>

#include "kernels/simd_math.h"
#endif

namespace gitcap::attention_kernel {

#ifdef GITCAP_ATTENTION_KERNEL

#define GITCAP_TARGET __attribute__((target("avx512f,fma")))

bool available() {
    __builtin_cpu_init();
    return __builtin_cpu_supports("avx512f") && __builtin_cpu_supports("fma");
}

// The vector width of the body below: one query per lane of a 512-bit register.
namespace {
using vec = __m512;
constexpr int lanes = 16;
// 32 registers: 12 keys x 2 query vectors of scores, the 2 query vectors and a broadcast; 8 value
// dimensions x 2 query vectors of sums (the fastest of the shapes measured, bench/attention-speed.cpp).
constexpr int qvecs = 2;
constexpr int key_tile = 12;
constexpr int value_dims = 8;
GITCAP_TARGET inline vec vzero() { return _mm512_setzero_ps(); }
GITCAP_TARGET inline vec vset1(float x) { return _mm512_set1_ps(x); }
GITCAP_TARGET inline vec vload(const float * p) { return _mm512_loadu_ps(p); }
GITCAP_TARGET inline void vstore(float * p, vec a) { _mm512_storeu_ps(p, a); }
GITCAP_TARGET inline vec vfmadd(vec a, vec b, vec c) { return _mm512_fmadd_ps(a, b, c); }
GITCAP_TARGET inline vec vmax(vec a, vec b) { return _mm512_max_ps(a, b); }
GITCAP_TARGET inline vec vadd(vec a, vec b) { return _mm512_add_ps(a, b); }
GITCAP_TARGET inline vec vsub(vec a, vec b) { return _mm512_sub_ps(a, b); }
GITCAP_TARGET inline vec vmul(vec a, vec b) { return _mm512_mul_ps(a, b); }
GITCAP_TARGET inline vec vdiv(vec a, vec b) { return _mm512_div_ps(a, b); }
GITCAP_TARGET inline vec vexp(vec a) { return simd::exp_ps(a); }
} // namespace

#include "kernels/attention_kernel_body.inc"

#else

bool available() { return false; }
void run(const view &, const view &, const view &, float *, size_t, int64_t, int64_t, int64_t, int, float, int, int) {}

#endif

} // namespace gitcap::attention_kernel
