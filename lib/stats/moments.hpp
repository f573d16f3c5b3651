// Centred sums the correlation and regression code share, computed as NumPy does (two passes:
// the mean first, then sums of centred products), which keeps r accurate for data far from 0.
#pragma once

#include <lmc/version.hpp>

#include <span>

LMC_BEGIN_NAMESPACE
namespace stats::detail {

double mean(std::span<const double> values);

/// Pearson's r of two non-constant, equally long samples, clamped to [-1, 1], computed as
/// scipy.stats.pearsonr does: the dot product of the normalised centred samples.
double correlation(std::span<const double> x, std::span<const double> y);

/// The same r computed as numpy.corrcoef does (covariance divided by both standard
/// deviations), which scipy.stats.spearmanr uses: for identical rank vectors it gives exactly 1,
/// and so an infinite t statistic and a p-value of exactly 0, as SciPy does.
double covariance_correlation(std::span<const double> x, std::span<const double> y);

}  // namespace stats::detail
LMC_END_NAMESPACE
