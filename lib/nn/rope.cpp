#include "nn/rope.hpp"

#include <cmath>

LMC_BEGIN_NAMESPACE
namespace nn {

RopeTable::RopeTable(const RopeConfig& config, const std::size_t* positions, std::size_t count)
    : config_(config), pairs_(config.rotated_dims / 2), cos_(count * pairs_), sin_(count * pairs_) {
  // Angles in double from std::pow/std::cos/std::sin (see docs/forward_pass.md, numerics).
  std::vector<double> inverse_frequency(pairs_);
  for (std::size_t i = 0; i < pairs_; ++i) {
    double f = std::pow(config.base,
                        -2.0 * static_cast<double>(i) / static_cast<double>(config.rotated_dims));
    if (!config.freq_factors.empty()) f /= config.freq_factors[i];
    inverse_frequency[i] = f * config.freq_scale;
  }
  for (std::size_t t = 0; t < count; ++t) {
    for (std::size_t i = 0; i < pairs_; ++i) {
      const double angle = static_cast<double>(positions[t]) * inverse_frequency[i];
      cos_[t * pairs_ + i] = static_cast<float>(std::cos(angle));
      sin_[t * pairs_ + i] = static_cast<float>(std::sin(angle));
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
