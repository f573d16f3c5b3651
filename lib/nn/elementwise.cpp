#include "nn/elementwise.hpp"

#include "nn/cpu_features.hpp"
#include "nn/exp_simd.hpp"

#include <immintrin.h>

#include <algorithm>
#include <bit>
#include <cmath>
#include <cstdint>
#include <limits>

LMC_BEGIN_NAMESPACE
namespace nn {

double exp_fixed(double x) {
  if (x != x) return x;
  if (x < -745.0) return 0.0;
  if (x > 709.0) return std::numeric_limits<double>::infinity();
  // x = n·ln2 + r with |r| ≤ ln2/2; ln2 split in two so that n·ln2_high is exact.
  constexpr double log2e = 1.4426950408889634;
  constexpr double ln2_high = 6.93147180369123816490e-01;
  constexpr double ln2_low = 1.90821492927058770002e-10;
  const double n = std::nearbyint(x * log2e);
  const double r = (x - n * ln2_high) - n * ln2_low;
  // Taylor series to r^13: truncation error < 1e-17 for |r| ≤ 0.35.
  double p = 1.0 / 6227020800.0;
  constexpr double inverse_factorials[] = {1.0 / 479001600.0,
                                           1.0 / 39916800.0,
                                           1.0 / 3628800.0,
                                           1.0 / 362880.0,
                                           1.0 / 40320.0,
                                           1.0 / 5040.0,
                                           1.0 / 720.0,
                                           1.0 / 120.0,
                                           1.0 / 24.0,
                                           1.0 / 6.0,
                                           0.5,
                                           1.0,
                                           1.0};
  for (double c : inverse_factorials) p = p * r + c;
  // Scale by 2^n in two steps so that results near the subnormal range stay exact.
  const auto exponent = static_cast<std::int64_t>(n);
  const std::int64_t half = exponent / 2;
  const double scale_a = std::bit_cast<double>(static_cast<std::uint64_t>(half + 1023) << 52);
  const double scale_b =
      std::bit_cast<double>(static_cast<std::uint64_t>(exponent - half + 1023) << 52);
  return p * scale_a * scale_b;
}

double log_fixed(double x) {
  if (!(x > 0.0))
    return x == 0.0 ? -std::numeric_limits<double>::infinity()
                    : std::numeric_limits<double>::quiet_NaN();
  if (x == std::numeric_limits<double>::infinity()) return x;
  // x = m·2^e with m in [√½, √2); ln m = 2·atanh(s), s = (m−1)/(m+1), |s| < 0.172.
  int e = 0;
  double m = std::frexp(x, &e);  // exact: m in [0.5, 1)
  if (m < 0.70710678118654752) {
    m *= 2.0;
    --e;
  }
  const double s = (m - 1.0) / (m + 1.0);
  const double s2 = s * s;
  double series = 0.0;
  for (int k = 27; k >= 1; k -= 2) series = series * s2 + 1.0 / k;
  constexpr double ln2 = 0.69314718055994530942;
  return 2.0 * s * series + static_cast<double>(e) * ln2;
}

double tanh_fixed(double x) {
  const double a = std::abs(x);
  if (a > 20.0) return x > 0 ? 1.0 : -1.0;
  if (a < 1e-5) return x - x * x * x / 3.0;
  const double e = exp_fixed(2.0 * a);
  const double t = (e - 1.0) / (e + 1.0);
  return x < 0 ? -t : t;
}

namespace {

using detail::exp_coefficients;
using detail::exp_ln2_high;
using detail::exp_ln2_low;
using detail::exp_log2e;
using detail::exp_round_magic;

void exp_in_place_scalar(float* x, std::size_t n) {
  for (std::size_t i = 0; i < n; ++i) {
    float v = x[i];
    v = v < -87.0f ? -87.0f : (v > 88.0f ? 88.0f : v);
    const float k = (v * exp_log2e + exp_round_magic) - exp_round_magic;
    const float r = (v - k * exp_ln2_high) - k * exp_ln2_low;
    float p = exp_coefficients[0];
    for (std::size_t c = 1; c < 8; ++c) p = p * r + exp_coefficients[c];
    const auto exponent = static_cast<std::int32_t>(k) + 127;
    x[i] = p * std::bit_cast<float>(static_cast<std::uint32_t>(exponent) << 23);
  }
}

__attribute__((target("avx2,fma"))) void exp_in_place_avx2(float* x, std::size_t n) {
  std::size_t i = 0;
  for (; i + 8 <= n; i += 8) _mm256_storeu_ps(x + i, detail::exp_avx2(_mm256_loadu_ps(x + i)));
  exp_in_place_scalar(x + i, n - i);
}

__attribute__((target("avx512f,avx2,fma"))) void exp_in_place_avx512(float* x, std::size_t n) {
  for (std::size_t i = 0; i < n; i += 16) {
    const auto mask = static_cast<__mmask16>(n - i >= 16 ? 0xFFFFu : (1u << (n - i)) - 1u);
    _mm512_mask_storeu_ps(x + i, mask, detail::exp_avx512(_mm512_maskz_loadu_ps(mask, x + i)));
  }
}

}  // namespace

void exp_in_place(float* x, std::size_t n) {
  switch (active_kernel_path()) {
    case KernelPath::avx512: return exp_in_place_avx512(x, n);
    case KernelPath::avx2: return exp_in_place_avx2(x, n);
    case KernelPath::scalar: return exp_in_place_scalar(x, n);
  }
}

void silu(float* x, std::size_t n) {
  // x / (1 + e^-x), with e^-x from exp_in_place on a stack block.
  constexpr std::size_t block = 256;
  float e[block];
  for (std::size_t start = 0; start < n; start += block) {
    const std::size_t m = std::min(block, n - start);
    for (std::size_t i = 0; i < m; ++i) e[i] = -x[start + i];
    exp_in_place(e, m);
    for (std::size_t i = 0; i < m; ++i) x[start + i] = x[start + i] / (1.0f + e[i]);
  }
}

void gelu_tanh(float* x, std::size_t n) {
  constexpr double sqrt_2_over_pi = 0.79788456080286535588;
  for (std::size_t i = 0; i < n; ++i) {
    const double v = x[i];
    x[i] = static_cast<float>(0.5 * v *
                              (1.0 + tanh_fixed(sqrt_2_over_pi * (v + 0.044715 * v * v * v))));
  }
}

double erf_fixed(double x) {
  const double a = std::abs(x);
  double r = 1.0;
  if (a < 2.0) {
    // erf(a) = 2/√π · Σ (−1)^k a^(2k+1) / (k! (2k+1)); terms fall below 1e-17 of the sum
    // well before k = 40 for a < 2.
    const double a2 = a * a;
    double power = a, sum = a;
    for (int k = 1; k < 40; ++k) {
      power *= -a2 / k;
      sum += power / (2 * k + 1);
    }
    r = sum * 1.12837916709551257390;  // 2/√π
  } else if (a < 6.0) {
    // erfc(a) = e^(−a²)/√π · 1/(a + (1/2)/(a + 1/(a + (3/2)/(a + …)))), from depth 120 up.
    double f = a;
    for (int k = 120; k >= 1; --k) f = a + 0.5 * k / f;
    r = 1.0 - exp_fixed(-a * a) / (f * 1.77245385090551602730);  // √π
  }
  return x < 0 ? -r : r;
}

void gelu_erf(float* x, std::size_t n) {
  constexpr double inverse_sqrt_2 = 0.70710678118654752440;
  for (std::size_t i = 0; i < n; ++i) {
    const double v = x[i];
    x[i] = static_cast<float>(0.5 * v * (1.0 + erf_fixed(v * inverse_sqrt_2)));
  }
}

void soft_cap(float* x, std::size_t n, float cap) {
  const double c = cap;
  for (std::size_t i = 0; i < n; ++i) x[i] = static_cast<float>(c * tanh_fixed(x[i] / c));
}

namespace {

void axpy_scalar(float a, const float* x, float* y, std::size_t n) {
  for (std::size_t i = 0; i < n; ++i) y[i] = std::fma(a, x[i], y[i]);
}

__attribute__((target("avx2,fma"))) void axpy_avx2(float a, const float* x, float* y,
                                                   std::size_t n) {
  const __m256 av = _mm256_set1_ps(a);
  std::size_t i = 0;
  for (; i + 8 <= n; i += 8) {
    _mm256_storeu_ps(y + i, _mm256_fmadd_ps(av, _mm256_loadu_ps(x + i), _mm256_loadu_ps(y + i)));
  }
  for (; i < n; ++i) y[i] = std::fma(a, x[i], y[i]);
}

__attribute__((target("avx512f,avx2,fma"))) void axpy_avx512(float a, const float* x, float* y,
                                                             std::size_t n) {
  const __m512 av = _mm512_set1_ps(a);
  std::size_t i = 0;
  for (; i + 16 <= n; i += 16) {
    _mm512_storeu_ps(y + i, _mm512_fmadd_ps(av, _mm512_loadu_ps(x + i), _mm512_loadu_ps(y + i)));
  }
  for (; i < n; ++i) y[i] = std::fma(a, x[i], y[i]);
}

void weighted_row_sum_scalar(const float* w, const float* rows, std::size_t stride,
                             std::size_t count, float* out, std::size_t n) {
  for (std::size_t j = 0; j < count; ++j) axpy_scalar(w[j], rows + j * stride, out, n);
}

__attribute__((target("avx512f,avx2,fma"))) void weighted_row_sum_avx512(
    const float* w, const float* rows, std::size_t stride, std::size_t count, float* out,
    std::size_t n) {
  std::size_t i = 0;
  for (; i + 64 <= n; i += 64) {
    __m512 a0 = _mm512_loadu_ps(out + i), a1 = _mm512_loadu_ps(out + i + 16),
           a2 = _mm512_loadu_ps(out + i + 32), a3 = _mm512_loadu_ps(out + i + 48);
    for (std::size_t j = 0; j < count; ++j) {
      const __m512 wj = _mm512_set1_ps(w[j]);
      const float* r = rows + j * stride + i;
      a0 = _mm512_fmadd_ps(wj, _mm512_loadu_ps(r), a0);
      a1 = _mm512_fmadd_ps(wj, _mm512_loadu_ps(r + 16), a1);
      a2 = _mm512_fmadd_ps(wj, _mm512_loadu_ps(r + 32), a2);
      a3 = _mm512_fmadd_ps(wj, _mm512_loadu_ps(r + 48), a3);
    }
    _mm512_storeu_ps(out + i, a0);
    _mm512_storeu_ps(out + i + 16, a1);
    _mm512_storeu_ps(out + i + 32, a2);
    _mm512_storeu_ps(out + i + 48, a3);
  }
  for (std::size_t j = 0; j < count && i < n; ++j)
    axpy_avx512(w[j], rows + j * stride + i, out + i, n - i);
}

__attribute__((target("avx2,fma"))) void weighted_row_sum_avx2(const float* w, const float* rows,
                                                               std::size_t stride,
                                                               std::size_t count, float* out,
                                                               std::size_t n) {
  std::size_t i = 0;
  for (; i + 32 <= n; i += 32) {
    __m256 a0 = _mm256_loadu_ps(out + i), a1 = _mm256_loadu_ps(out + i + 8),
           a2 = _mm256_loadu_ps(out + i + 16), a3 = _mm256_loadu_ps(out + i + 24);
    for (std::size_t j = 0; j < count; ++j) {
      const __m256 wj = _mm256_set1_ps(w[j]);
      const float* r = rows + j * stride + i;
      a0 = _mm256_fmadd_ps(wj, _mm256_loadu_ps(r), a0);
      a1 = _mm256_fmadd_ps(wj, _mm256_loadu_ps(r + 8), a1);
      a2 = _mm256_fmadd_ps(wj, _mm256_loadu_ps(r + 16), a2);
      a3 = _mm256_fmadd_ps(wj, _mm256_loadu_ps(r + 24), a3);
    }
    _mm256_storeu_ps(out + i, a0);
    _mm256_storeu_ps(out + i + 8, a1);
    _mm256_storeu_ps(out + i + 16, a2);
    _mm256_storeu_ps(out + i + 24, a3);
  }
  for (std::size_t j = 0; j < count && i < n; ++j)
    axpy_avx2(w[j], rows + j * stride + i, out + i, n - i);
}

}  // namespace

void weighted_row_sum(const float* w, const float* rows, std::size_t stride, std::size_t count,
                      float* out, std::size_t n) {
  switch (active_kernel_path()) {
    case KernelPath::avx512: return weighted_row_sum_avx512(w, rows, stride, count, out, n);
    case KernelPath::avx2: return weighted_row_sum_avx2(w, rows, stride, count, out, n);
    case KernelPath::scalar: return weighted_row_sum_scalar(w, rows, stride, count, out, n);
  }
}

void axpy(float a, const float* x, float* y, std::size_t n) {
  switch (active_kernel_path()) {
    case KernelPath::avx512: return axpy_avx512(a, x, y, n);
    case KernelPath::avx2: return axpy_avx2(a, x, y, n);
    case KernelPath::scalar: return axpy_scalar(a, x, y, n);
  }
}

}  // namespace nn
LMC_END_NAMESPACE
