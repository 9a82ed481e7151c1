// exp and the two GELUs over 16 floats for the AVX-512 kernels (include after <immintrin.h>, in
// code built for x86 with GCC or Clang).
#pragma once

#include <cstdint>

namespace gitcap::simd {

#define GITCAP_SIMD_MATH_TARGET __attribute__((target("avx512f,fma")))

// e^x for every lane, within 2 ulp: x = n ln2 + r, e^r by a degree-6 polynomial, 2^n by
// scalef (which also takes care of underflow). Inputs below -100 give 0 or a denormal.
GITCAP_SIMD_MATH_TARGET static inline __m512 exp_ps(__m512 x) {
    x = _mm512_max_ps(x, _mm512_set1_ps(-100.0f));
    const __m512 n = _mm512_roundscale_ps(_mm512_mul_ps(x, _mm512_set1_ps(1.44269504088896341f)), _MM_FROUND_TO_NEAREST_INT);
    __m512 r = _mm512_fnmadd_ps(n, _mm512_set1_ps(0.693359375f), x);
    r = _mm512_fnmadd_ps(n, _mm512_set1_ps(-2.12194440e-4f), r);
    __m512 p = _mm512_set1_ps(1.9875691500e-4f);
    p = _mm512_fmadd_ps(p, r, _mm512_set1_ps(1.3981999507e-3f));
    p = _mm512_fmadd_ps(p, r, _mm512_set1_ps(8.3334519073e-3f));
    p = _mm512_fmadd_ps(p, r, _mm512_set1_ps(4.1665795894e-2f));
    p = _mm512_fmadd_ps(p, r, _mm512_set1_ps(1.6666665459e-1f));
    p = _mm512_fmadd_ps(p, r, _mm512_set1_ps(5.0000001201e-1f));
    p = _mm512_fmadd_ps(p, _mm512_mul_ps(r, r), _mm512_add_ps(r, _mm512_set1_ps(1.0f)));
    return _mm512_scalef_ps(p, n);
}

// BERT's GELU, x/2 (1 + erf(x / sqrt 2)), with erf by Abramowitz & Stegun 7.1.26 (absolute
// error below 1.5e-7): erf(z) = 1 - t (a1 + t (a2 + ... a5 t)) e^(-z^2), t = 1 / (1 + p z), z >= 0.
GITCAP_SIMD_MATH_TARGET static inline __m512 gelu_erf_ps(__m512 x) {
    const __m512 z = _mm512_abs_ps(_mm512_mul_ps(x, _mm512_set1_ps(0.70710678118654752f)));
    const __m512 t = _mm512_div_ps(_mm512_set1_ps(1.0f), _mm512_fmadd_ps(z, _mm512_set1_ps(0.3275911f), _mm512_set1_ps(1.0f)));
    __m512 poly = _mm512_set1_ps(1.061405429f);
    poly = _mm512_fmadd_ps(poly, t, _mm512_set1_ps(-1.453152027f));
    poly = _mm512_fmadd_ps(poly, t, _mm512_set1_ps(1.421413741f));
    poly = _mm512_fmadd_ps(poly, t, _mm512_set1_ps(-0.284496736f));
    poly = _mm512_fmadd_ps(poly, t, _mm512_set1_ps(0.254829592f));
    poly = _mm512_mul_ps(poly, t);
    const __m512 erf_abs = _mm512_fnmadd_ps(poly, exp_ps(_mm512_sub_ps(_mm512_setzero_ps(), _mm512_mul_ps(z, z))), _mm512_set1_ps(1.0f));
    // erf is odd: take x's sign
    const __m512 erf = _mm512_castsi512_ps(_mm512_or_si512(_mm512_castps_si512(erf_abs),
                                                            _mm512_and_si512(_mm512_castps_si512(x), _mm512_set1_epi32(int32_t(0x80000000u)))));
    return _mm512_mul_ps(_mm512_mul_ps(x, _mm512_set1_ps(0.5f)), _mm512_add_ps(_mm512_set1_ps(1.0f), erf));
}

// CLIP's quick GELU, x sigmoid(1.702 x) = x / (1 + e^(-1.702 x)).
GITCAP_SIMD_MATH_TARGET static inline __m512 quick_gelu_ps(__m512 x) {
    const __m512 e = exp_ps(_mm512_mul_ps(x, _mm512_set1_ps(-1.702f)));
    return _mm512_div_ps(x, _mm512_add_ps(_mm512_set1_ps(1.0f), e));
}

} // namespace gitcap::simd
