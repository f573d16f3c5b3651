// Size arithmetic on values read from files: overflow is an lmc::Error, never a wrap-around.
#pragma once

#include "base/fail.hpp"

#include <cstdint>
#include <string_view>

LMC_BEGIN_NAMESPACE
namespace base {

inline std::uint64_t checked_add(std::uint64_t a, std::uint64_t b, std::string_view what) {
  std::uint64_t sum = 0;
  if (__builtin_add_overflow(a, b, &sum)) {
    fail(ErrorCode::format, "{}: {} + {} overflows 64 bits", what, a, b);
  }
  return sum;
}

inline std::uint64_t checked_mul(std::uint64_t a, std::uint64_t b, std::string_view what) {
  std::uint64_t product = 0;
  if (__builtin_mul_overflow(a, b, &product)) {
    fail(ErrorCode::format, "{}: {} * {} overflows 64 bits", what, a, b);
  }
  return product;
}

}  // namespace base
LMC_END_NAMESPACE
