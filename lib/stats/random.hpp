// Reproducible random integers: std::mt19937_64 is fully specified by the standard, but the
// std distributions are not, so lmc maps its output to a range itself (Lemire's multiply-shift
// with rejection, unbiased).
#pragma once

#include <lmc/version.hpp>

#include <cstdint>
#include <random>

LMC_BEGIN_NAMESPACE
namespace stats::detail {

class RandomIndices {
 public:
  explicit RandomIndices(std::uint64_t seed) : engine_(seed) {}

  /// Uniform in [0, bound), bound >= 1.
  std::uint64_t below(std::uint64_t bound) {
    __extension__ using Wide = unsigned __int128;
    Wide product = static_cast<Wide>(engine_()) * bound;
    auto low = static_cast<std::uint64_t>(product);
    if (low < bound) {
      const std::uint64_t threshold = (0 - bound) % bound;
      while (low < threshold) {
        product = static_cast<Wide>(engine_()) * bound;
        low = static_cast<std::uint64_t>(product);
      }
    }
    return static_cast<std::uint64_t>(product >> 64);
  }

 private:
  std::mt19937_64 engine_;
};

}  // namespace stats::detail
LMC_END_NAMESPACE
