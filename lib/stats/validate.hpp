// Checks shared by every statistic: paired inputs of equal length, enough of them, all
// finite, neither side constant. Each failure is an lmc::Error naming the function.
#pragma once

#include <lmc/version.hpp>

#include <cstddef>
#include <span>

LMC_BEGIN_NAMESPACE
namespace stats::detail {

/// Throws lmc::Error (invalid_argument) unless x and y have the same length n >= minimum_n,
/// every value is finite and, when require_variation, neither x nor y is constant.
void validate_pairs(const char* function, std::span<const double> x, std::span<const double> y,
                    std::size_t minimum_n = 3, bool require_variation = true);

/// Throws lmc::Error (invalid_argument) unless 0 < level < 1.
void validate_confidence_level(const char* function, double level);

}  // namespace stats::detail
LMC_END_NAMESPACE
