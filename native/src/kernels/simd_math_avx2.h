// exp and the two GELUs over 8 floats for the AVX2 kernels, the same polynomials as
// simd_math.h's 16-float ones (include after <immintrin.h>, in code built for x86 with GCC or
// Clang).
#pragma once

#include <cstdint>

namespace gitcap::simd_avx2 {

#define GITCAP_SIMD_AVX2_TARGET __attribute__((target("avx2,fma")))

// e^x for every lane, within 2 ulp: x = n ln2 + r, e^r by a degree-6 polynomial, 2^n put in
// the exponent bits. x is clamped to [-87, 88] (no scalef here): below -87 the result is about
// 1e-38 where AVX-512's gives a smaller denormal or 0.
GITCAP_SIMD_AVX2_TARGET static inline __m256 exp_ps(__m256 x) {
    x = _mm256_min_ps(_mm256_max_ps(x, _mm256_set1_ps(-87.0f)), _mm256_set1_ps(88.0f));
    const __m256 n = _mm256_round_ps(_mm256_mul_ps(x, _mm256_set1_ps(1.44269504088896341f)), _MM_FROUND_TO_NEAREST_INT | _MM_FROUND_NO_EXC);
    __m256 r = _mm256_fnmadd_ps(n, _mm256_set1_ps(0.693359375f), x);
    r = _mm256_fnmadd_ps(n, _mm256_set1_ps(-2.12194440e-4f), r);
    __m256 p = _mm256_set1_ps(1.9875691500e-4f);
    p = _mm256_fmadd_ps(p, r, _mm256_set1_ps(1.3981999507e-3f));
    p = _mm256_fmadd_ps(p, r, _mm256_set1_ps(8.3334519073e-3f));
    p = _mm256_fmadd_ps(p, r, _mm256_set1_ps(4.1665795894e-2f));
    p = _mm256_fmadd_ps(p, r, _mm256_set1_ps(1.6666665459e-1f));
    p = _mm256_fmadd_ps(p, r, _mm256_set1_ps(5.0000001201e-1f));
    p = _mm256_fmadd_ps(p, _mm256_mul_ps(r, r), _mm256_add_ps(r, _mm256_set1_ps(1.0f)));
    // 2^n: n + 127 in the exponent field; n is in [-126, 127] after the clamp
    const __m256i bits = _mm256_slli_epi32(_mm256_add_epi32(_mm256_cvtps_epi32(n), _mm256_set1_epi32(127)), 23);
    return _mm256_mul_ps(p, _mm256_castsi256_ps(bits));
}

// BERT's GELU, x/2 (1 + erf(x / sqrt 2)), erf by Abramowitz & Stegun 7.1.26 as in simd_math.h.
GITCAP_SIMD_AVX2_TARGET static inline __m256 gelu_erf_ps(__m256 x) {
    const __m256 sign_bit = _mm256_castsi256_ps(_mm256_set1_epi32(int32_t(0x80000000u)));
    const __m256 z = _mm256_andnot_ps(sign_bit, _mm256_mul_ps(x, _mm256_set1_ps(0.70710678118654752f)));
    const __m256 t = _mm256_div_ps(_mm256_set1_ps(1.0f), _mm256_fmadd_ps(z, _mm256_set1_ps(0.3275911f), _mm256_set1_ps(1.0f)));
    __m256 poly = _mm256_set1_ps(1.061405429f);
    poly = _mm256_fmadd_ps(poly, t, _mm256_set1_ps(-1.453152027f));
    poly = _mm256_fmadd_ps(poly, t, _mm256_set1_ps(1.421413741f));
    poly = _mm256_fmadd_ps(poly, t, _mm256_set1_ps(-0.284496736f));
    poly = _mm256_fmadd_ps(poly, t, _mm256_set1_ps(0.254829592f));
    poly = _mm256_mul_ps(poly, t);
    const __m256 erf_abs = _mm256_fnmadd_ps(poly, exp_ps(_mm256_sub_ps(_mm256_setzero_ps(), _mm256_mul_ps(z, z))), _mm256_set1_ps(1.0f));
    const __m256 erf = _mm256_or_ps(erf_abs, _mm256_and_ps(x, sign_bit)); // erf is odd: take x's sign
    return _mm256_mul_ps(_mm256_mul_ps(x, _mm256_set1_ps(0.5f)), _mm256_add_ps(_mm256_set1_ps(1.0f), erf));
}

// CLIP's quick GELU, x sigmoid(1.702 x) = x / (1 + e^(-1.702 x)).
GITCAP_SIMD_AVX2_TARGET static inline __m256 quick_gelu_ps(__m256 x) {
    const __m256 e = exp_ps(_mm256_mul_ps(x, _mm256_set1_ps(-1.702f)));
    return _mm256_div_ps(x, _mm256_add_ps(_mm256_set1_ps(1.0f), e));
}

} // namespace gitcap::simd_avx2
