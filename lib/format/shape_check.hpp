// Internal: a shape read from a file must keep every partial product of its dimensions inside
// int64, even when another dimension is 0 (Tensor::rows() and friends multiply them).
#pragma once

#include "base/fail.hpp"

#include <cstdint>
#include <limits>
#include <string_view>
#include <vector>

LMC_BEGIN_NAMESPACE
namespace format {

inline void check_shape_product(const std::vector<std::int64_t>& shape, std::string_view source,
                                std::string_view what) {
  std::uint64_t product = 1;
  for (std::int64_t d : shape) {
    if (d == 0) continue;
    if (__builtin_mul_overflow(product, static_cast<std::uint64_t>(d), &product) ||
        product > static_cast<std::uint64_t>(std::numeric_limits<std::int64_t>::max())) {
      base::fail(ErrorCode::format, "{}: {} shape has a dimension product that overflows", source,
                 what);
    }
  }
}

}  // namespace format
LMC_END_NAMESPACE
