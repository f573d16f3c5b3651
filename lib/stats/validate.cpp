#include "stats/validate.hpp"

#include "base/fail.hpp"

#include <algorithm>
#include <cmath>

LMC_BEGIN_NAMESPACE
namespace stats::detail {

namespace {

void validate_finite(const char* function, const char* name, std::span<const double> values) {
  for (std::size_t i = 0; i < values.size(); ++i) {
    if (!std::isfinite(values[i])) {
      base::fail(ErrorCode::invalid_argument, "{}: {}[{}] is {}; every value must be finite",
                 function, name, i, values[i]);
    }
  }
}

bool is_constant(std::span<const double> values) {
  return std::all_of(values.begin(), values.end(), [&](double v) { return v == values[0]; });
}

}  // namespace

void validate_pairs(const char* function, std::span<const double> x, std::span<const double> y,
                    std::size_t minimum_n, bool require_variation) {
  if (x.size() != y.size()) {
    base::fail(ErrorCode::invalid_argument, "{}: x has {} values but y has {}; they must be paired",
               function, x.size(), y.size());
  }
  if (x.size() < minimum_n) {
    base::fail(ErrorCode::invalid_argument, "{}: {} pairs given, at least {} are needed", function,
               x.size(), minimum_n);
  }
  validate_finite(function, "x", x);
  validate_finite(function, "y", y);
  if (require_variation) {
    if (is_constant(x)) {
      base::fail(ErrorCode::invalid_argument,
                 "{}: every x equals {}; a correlation with a constant is undefined", function,
                 x[0]);
    }
    if (is_constant(y)) {
      base::fail(ErrorCode::invalid_argument,
                 "{}: every y equals {}; a correlation with a constant is undefined", function,
                 y[0]);
    }
  }
}

void validate_confidence_level(const char* function, double level) {
  if (!(level > 0 && level < 1)) {
    base::fail(ErrorCode::invalid_argument, "{}: confidence level {} is not in (0, 1)", function,
               level);
  }
}

}  // namespace stats::detail
LMC_END_NAMESPACE
