// Centred sums the correlation and regression code share, computed as NumPy does (two passes:
// the mean first, then sums of centred products), which keeps r accurate for data far from 0.
#pragma once

#include <span>

namespace lmc::stats::detail {

double mean(std::span<const double> values);

/// Pearson's r of two non-constant, equally long samples, clamped to [-1, 1].
double correlation(std::span<const double> x, std::span<const double> y);

}  // namespace lmc::stats::detail
