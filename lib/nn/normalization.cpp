#include "nn/normalization.hpp"

#include <cmath>

LMC_BEGIN_NAMESPACE
namespace nn {

void rms_norm(const float* x, const float* weight, float eps, std::size_t n, float* out) {
  double sum_squares = 0.0;
  for (std::size_t i = 0; i < n; ++i) sum_squares += static_cast<double>(x[i]) * x[i];
  const auto scale =
      static_cast<float>(1.0 / std::sqrt(sum_squares / static_cast<double>(n) + eps));
  for (std::size_t i = 0; i < n; ++i) {
    const float v = x[i] * scale;
    out[i] = weight ? v * weight[i] : v;
  }
}

void layer_norm(const float* x, const float* weight, const float* bias, float eps, std::size_t n,
                float* out) {
  double sum = 0.0;
  for (std::size_t i = 0; i < n; ++i) sum += x[i];
  const double mean = sum / static_cast<double>(n);
  double sum_squares = 0.0;
  for (std::size_t i = 0; i < n; ++i) {
    const double d = x[i] - mean;
    sum_squares += d * d;
  }
  const double scale = 1.0 / std::sqrt(sum_squares / static_cast<double>(n) + eps);
  for (std::size_t i = 0; i < n; ++i) {
    float v = static_cast<float>((x[i] - mean) * scale);
    if (weight) v = v * weight[i];
    if (bias) v = v + bias[i];
    out[i] = v;
  }
}

}  // namespace nn
LMC_END_NAMESPACE
