// What lib/nn's SIMD files share: the target regions their functions are compiled in, and the
// fixed 8-lane float tree of the reduction orders (matmul.hpp). Include it first, open a region
// with one of the LMC_NN_TARGET_*_BEGIN macros before the code (and before any header whose
// inline functions must use those instructions), and close it with LMC_NN_TARGET_END.
//
// The helpers below have internal linkage: each SIMD file gets its own copy compiled for its
// own instructions, so an AVX-512 copy can never serve the AVX2 path.
#pragma once

#include <lmc/version.hpp>

#include <immintrin.h>

// clang ignores GCC target pragmas; its attribute pragma does the same for every function.
// GCC 12's AVX-512 intrinsics build "undefined" vectors by self-initialization, which its own
// -Wuninitialized then reports inside them: a region silences that (it says nothing about the
// code in it) and restores the warnings at its end.
#define LMC_NN_STRINGIZE(...) #__VA_ARGS__
#if defined(__clang__)
#define LMC_NN_TARGET_BEGIN(targets) \
  _Pragma(LMC_NN_STRINGIZE(          \
      clang attribute push(__attribute__((target(targets))), apply_to = function)))
#define LMC_NN_TARGET_END _Pragma("clang attribute pop")
#else
#define LMC_NN_TARGET_BEGIN(targets)                                                       \
  _Pragma("GCC push_options") _Pragma(LMC_NN_STRINGIZE(GCC target(targets)))               \
      _Pragma("GCC diagnostic push") _Pragma("GCC diagnostic ignored \"-Wuninitialized\"") \
          _Pragma("GCC diagnostic ignored \"-Wmaybe-uninitialized\"")
#define LMC_NN_TARGET_END _Pragma("GCC diagnostic pop") _Pragma("GCC pop_options")
#endif

/// The AVX2 path's instructions.
#define LMC_NN_TARGET_AVX2_BEGIN LMC_NN_TARGET_BEGIN("avx2,fma,f16c")
/// The AVX-512 path's instructions (matmul_avx512.cpp, attention_avx512.cpp).
#define LMC_NN_TARGET_AVX512_BEGIN \
  LMC_NN_TARGET_BEGIN("avx512f,avx512bw,avx512vl,avx512dq,avx2,fma,f16c")
/// The AVX-512 path's instructions and VNNI (matmul_quant_avx512.cpp).
#define LMC_NN_TARGET_AVX512_VNNI_BEGIN \
  LMC_NN_TARGET_BEGIN("avx512f,avx512bw,avx512vl,avx512dq,avx512vnni,avx2,fma,f16c")

LMC_BEGIN_NAMESPACE
namespace nn::detail {
namespace {  // NOLINT(google-build-namespaces): one private copy per including file

/// The fixed tree of 8 float lanes: s4[j] = v[j] + v[j+4], s2[j] = s4[j] + s4[j+2], s2[0] + s2[1].
/// Only SSE3/AVX instructions, so every path's region can compile it.
__attribute__((target("avx"))) inline float reduce_tree_8(__m256 v) {
  const __m128 s4 = _mm_add_ps(_mm256_castps256_ps128(v), _mm256_extractf128_ps(v, 1));
  const __m128 s2 = _mm_add_ps(s4, _mm_movehl_ps(s4, s4));
  return _mm_cvtss_f32(_mm_add_ss(s2, _mm_movehdup_ps(s2)));
}

}  // namespace
}  // namespace nn::detail
LMC_END_NAMESPACE
