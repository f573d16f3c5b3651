// exp_in_place's operation sequence on a whole vector, for the kernels that need it
// (elementwise.cpp, attention_avx2.cpp, attention_avx512.cpp). Each function repeats the
// scalar steps one for one, so every lane gives the scalar result's bits.
#pragma once

#include <lmc/version.hpp>

#include <immintrin.h>

#include <cstddef>

LMC_BEGIN_NAMESPACE
namespace nn::detail {

// The constants and steps of exp_in_place; the SIMD versions repeat them operation for
// operation (no fused multiply-adds: lib/nn builds with -ffp-contract=off).
// x = k·ln2 + r, |r| ≤ ln2/2, with k rounded by the 1.5·2^23 trick (no libm, no branches).
inline constexpr float exp_log2e = 1.44269504088896341f;
inline constexpr float exp_ln2_high = 0.693145751953125f;
inline constexpr float exp_ln2_low = 1.428606765330187045e-06f;
inline constexpr float exp_round_magic = 12582912.0f;
inline constexpr float exp_coefficients[] = {
    1.0f / 5040.0f, 1.0f / 720.0f, 1.0f / 120.0f, 1.0f / 24.0f, 1.0f / 6.0f, 0.5f, 1.0f, 1.0f};

// The clamp keeps NaN (both ordered compares are false), as the scalar ?: does.
__attribute__((target("avx2,fma"))) inline __m256 exp_avx2(__m256 v) {
  const __m256 low = _mm256_set1_ps(-87.0f), high = _mm256_set1_ps(88.0f);
  v = _mm256_blendv_ps(v, low, _mm256_cmp_ps(v, low, _CMP_LT_OQ));
  v = _mm256_blendv_ps(v, high, _mm256_cmp_ps(v, high, _CMP_GT_OQ));
  const __m256 magic = _mm256_set1_ps(exp_round_magic);
  const __m256 k =
      _mm256_sub_ps(_mm256_add_ps(_mm256_mul_ps(v, _mm256_set1_ps(exp_log2e)), magic), magic);
  const __m256 r = _mm256_sub_ps(_mm256_sub_ps(v, _mm256_mul_ps(k, _mm256_set1_ps(exp_ln2_high))),
                                 _mm256_mul_ps(k, _mm256_set1_ps(exp_ln2_low)));
  __m256 p = _mm256_set1_ps(exp_coefficients[0]);
  for (std::size_t c = 1; c < 8; ++c) {
    p = _mm256_add_ps(_mm256_mul_ps(p, r), _mm256_set1_ps(exp_coefficients[c]));
  }
  const __m256i exponent = _mm256_add_epi32(_mm256_cvttps_epi32(k), _mm256_set1_epi32(127));
  return _mm256_mul_ps(p, _mm256_castsi256_ps(_mm256_slli_epi32(exponent, 23)));
}

// GCC 12's avx512fintrin.h builds "undefined" vectors by self-initialization, which its own
// -Wuninitialized then reports inside the intrinsics (as in matmul_avx512.cpp).
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wuninitialized"
#ifndef __clang__  // clang has no -Wmaybe-uninitialized (and does not need it)
#pragma GCC diagnostic ignored "-Wmaybe-uninitialized"
#endif
__attribute__((target("avx512f,avx2,fma"))) inline __m512 exp_avx512(__m512 v) {
  const __m512 low = _mm512_set1_ps(-87.0f), high = _mm512_set1_ps(88.0f);
  const __m512 magic = _mm512_set1_ps(exp_round_magic);
  v = _mm512_mask_blend_ps(_mm512_cmp_ps_mask(v, low, _CMP_LT_OQ), v, low);
  v = _mm512_mask_blend_ps(_mm512_cmp_ps_mask(v, high, _CMP_GT_OQ), v, high);
  const __m512 k =
      _mm512_sub_ps(_mm512_add_ps(_mm512_mul_ps(v, _mm512_set1_ps(exp_log2e)), magic), magic);
  const __m512 r = _mm512_sub_ps(_mm512_sub_ps(v, _mm512_mul_ps(k, _mm512_set1_ps(exp_ln2_high))),
                                 _mm512_mul_ps(k, _mm512_set1_ps(exp_ln2_low)));
  __m512 p = _mm512_set1_ps(exp_coefficients[0]);
  for (std::size_t c = 1; c < 8; ++c) {
    p = _mm512_add_ps(_mm512_mul_ps(p, r), _mm512_set1_ps(exp_coefficients[c]));
  }
  const __m512i exponent = _mm512_add_epi32(_mm512_cvttps_epi32(k), _mm512_set1_epi32(127));
  return _mm512_mul_ps(p, _mm512_castsi512_ps(_mm512_slli_epi32(exponent, 23)));
}
#pragma GCC diagnostic pop

}  // namespace nn::detail
LMC_END_NAMESPACE
