// Register-only FMA throughput: enough independent chains to cover the FMA latency on every
// port. The vector path is enabled per function, so the file runs on any x86-64.
#include "peak.hpp"
#include "peak_internal.hpp"

#include <immintrin.h>

// GCC 12's avx512fintrin.h builds "undefined" vectors by self-initialization, which its own
// -Wuninitialized then reports inside the intrinsics; the warning says nothing about this file.
#pragma GCC diagnostic ignored "-Wuninitialized"
#pragma GCC diagnostic ignored "-Wmaybe-uninitialized"

namespace lmc_bench::detail {
namespace {
constexpr int chains = 16;
// 16 ymm registers hold 12 chains and the two constants; 16 chains spilled three of them to the
// stack (store-to-load latency in their chains), which understated the AVX2 peak by a third.
// 12 still cover the FMA latency on every port (4 cycles × 2 pipes on Zen and Skylake).
constexpr int chains_avx2 = 12;
}  // namespace

__attribute__((target("avx512f"))) double fma_loop_avx512(long iterations) {
  __m512 acc[chains];
  for (int i = 0; i < chains; ++i) acc[i] = _mm512_set1_ps(static_cast<float>(i) * 1e-3f);
  const __m512 a = _mm512_set1_ps(0.999999f), b = _mm512_set1_ps(1e-7f);
  for (long it = 0; it < iterations; ++it) {
    for (int i = 0; i < chains; ++i) acc[i] = _mm512_fmadd_ps(acc[i], a, b);
  }
  __m512 sum = acc[0];
  for (int i = 1; i < chains; ++i) sum = _mm512_add_ps(sum, acc[i]);
  sink(_mm512_reduce_add_ps(sum));
  return 2.0 * 16 * chains * static_cast<double>(iterations);
}

__attribute__((target("avx2,fma"))) double fma_loop_avx2(long iterations) {
  __m256 acc[chains_avx2];
  for (int i = 0; i < chains_avx2; ++i) acc[i] = _mm256_set1_ps(static_cast<float>(i) * 1e-3f);
  const __m256 a = _mm256_set1_ps(0.999999f), b = _mm256_set1_ps(1e-7f);
  for (long it = 0; it < iterations; ++it) {
    for (int i = 0; i < chains_avx2; ++i) acc[i] = _mm256_fmadd_ps(acc[i], a, b);
  }
  __m256 sum = acc[0];
  for (int i = 1; i < chains_avx2; ++i) sum = _mm256_add_ps(sum, acc[i]);
  alignas(32) float lanes[8];
  _mm256_store_ps(lanes, sum);
  sink(lanes[0] + lanes[7]);
  return 2.0 * 8 * chains_avx2 * static_cast<double>(iterations);
}

double fma_loop_sse2(long iterations) {
  // Without FMA: a multiply and an add per lane, counted as two operations.
  __m128 acc[chains];
  for (int i = 0; i < chains; ++i) acc[i] = _mm_set1_ps(static_cast<float>(i) * 1e-3f);
  const __m128 a = _mm_set1_ps(0.999999f), b = _mm_set1_ps(1e-7f);
  for (long it = 0; it < iterations; ++it) {
    for (int i = 0; i < chains; ++i) acc[i] = _mm_add_ps(_mm_mul_ps(acc[i], a), b);
  }
  __m128 sum = acc[0];
  for (int i = 1; i < chains; ++i) sum = _mm_add_ps(sum, acc[i]);
  sink(_mm_cvtss_f32(sum));
  return 2.0 * 4 * chains * static_cast<double>(iterations);
}

}  // namespace lmc_bench::detail
