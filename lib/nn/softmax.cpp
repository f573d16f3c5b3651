#include "nn/softmax.hpp"

#include "nn/elementwise.hpp"

#include <algorithm>

LMC_BEGIN_NAMESPACE
namespace nn {

void softmax(float* x, std::size_t n) {
  const float max = *std::max_element(x, x + n);
  for (std::size_t i = 0; i < n; ++i) x[i] = x[i] - max;
  exp_in_place(x, n);
  double sum = 0.0;  // in index order
  for (std::size_t i = 0; i < n; ++i) sum += x[i];
  const auto inverse = static_cast<float>(1.0 / sum);
  for (std::size_t i = 0; i < n; ++i) x[i] = x[i] * inverse;
}

double log_sum_exp(const float* x, std::size_t n) {
  const float max = *std::max_element(x, x + n);
  double sum = 0.0;
  for (std::size_t i = 0; i < n; ++i) sum += exp_fixed(static_cast<double>(x[i]) - max);
  return max + log_fixed(sum);
}

void log_softmax(const float* x, std::size_t n, float* out) {
  const double normalizer = log_sum_exp(x, n);
  for (std::size_t i = 0; i < n; ++i) out[i] = static_cast<float>(x[i] - normalizer);
}

}  // namespace nn
LMC_END_NAMESPACE
