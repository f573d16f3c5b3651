#include "nn/rope.hpp"

#include <algorithm>
#include <cmath>
#include <numbers>

LMC_BEGIN_NAMESPACE
namespace nn {

std::pair<double, double> yarn_correction_range(std::size_t rotated_dims, double base,
                                                double original_context, double beta_fast,
                                                double beta_slow, bool truncate) {
  const double dims = static_cast<double>(rotated_dims);
  auto pair_of = [&](double rotations) {
    return dims * std::log(original_context / (rotations * 2.0 * std::numbers::pi)) /
           (2.0 * std::log(base));
  };
  double low = pair_of(beta_fast), high = pair_of(beta_slow);
  if (truncate) {
    low = std::floor(low);
    high = std::ceil(high);
  }
  return {std::max(low, 0.0), std::min(high, dims - 1.0)};
}

RopeTable::RopeTable(const RopeConfig& config, const std::size_t* positions, std::size_t count)
    : config_(config), pairs_(config.rotated_dims / 2), cos_(count * pairs_), sin_(count * pairs_) {
  // Angles in double from std::pow/std::cos/std::sin (see docs/forward_pass.md, numerics).
  std::vector<double> inverse_frequency(pairs_);
  for (std::size_t i = 0; i < pairs_; ++i) {
    double f = std::pow(config.base,
                        -2.0 * static_cast<double>(i) / static_cast<double>(config.rotated_dims));
    if (!config.freq_factors.empty()) f /= config.freq_factors[i];
    inverse_frequency[i] = f * config.freq_scale;
    if (config.yarn_ext_factor != 0.0) {
      const double y = (static_cast<double>(i) - config.yarn_low) /
                       std::max(0.001, config.yarn_high - config.yarn_low);
      const double ramp = (1.0 - std::clamp(y, 0.0, 1.0)) * config.yarn_ext_factor;
      inverse_frequency[i] = inverse_frequency[i] * (1.0 - ramp) + f * ramp;
    }
  }
  const double magnitude = config.attention_factor;
  for (std::size_t t = 0; t < count; ++t) {
    for (std::size_t i = 0; i < pairs_; ++i) {
      const double angle = static_cast<double>(positions[t]) * inverse_frequency[i];
      cos_[t * pairs_ + i] = static_cast<float>(std::cos(angle) * magnitude);
      sin_[t * pairs_ + i] = static_cast<float>(std::sin(angle) * magnitude);
    }
  }
}

void RopeTable::apply(std::size_t t, float* x, std::size_t n_heads, std::size_t head_dim) const {
  const float* c = cos_.data() + t * pairs_;
  const float* s = sin_.data() + t * pairs_;
  const bool adjacent = config_.pairing == RopePairing::adjacent;
  for (std::size_t h = 0; h < n_heads; ++h) {
    float* head = x + h * head_dim;
    for (std::size_t i = 0; i < pairs_; ++i) {
      float& a = adjacent ? head[2 * i] : head[i];
      float& b = adjacent ? head[2 * i + 1] : head[i + pairs_];
      const float x0 = a, x1 = b;
      a = x0 * c[i] - x1 * s[i];
      b = x0 * s[i] + x1 * c[i];
    }
  }
}

}  // namespace nn
LMC_END_NAMESPACE
