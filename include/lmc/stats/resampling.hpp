// Resampling for small samples: a permutation test of Pearson's r and bootstrap percentile
// intervals for r and the slope. Seeded and reproducible on every platform: lmc draws its own
// integers from a 64-bit Mersenne Twister instead of the implementation-defined std
// distributions.
#pragma once

#include <lmc/export.hpp>
#include <lmc/stats/correlation.hpp>
#include <lmc/version.hpp>

#include <cstddef>
#include <cstdint>
#include <span>

LMC_BEGIN_NAMESPACE
namespace stats {

struct ResamplingOptions {
  std::size_t resamples = 9999;    ///< random permutations or bootstrap samples, >= 1
  std::uint64_t seed = 1;          ///< same seed, same data → same result
  double confidence_level = 0.95;  ///< of bootstrap intervals, in (0, 1)
};

/// Permutation test of Pearson's r: y is shuffled against x.
struct PermutationResult {
  double r = 0;       ///< observed Pearson r
  double pvalue = 1;  ///< fraction of permutations at least as extreme as the observed r
  /// True when all n! permutations were enumerated (n! <= resamples): then pvalue is the exact
  /// permutation p-value count/n!. Otherwise pvalue = (count + 1)/(resamples + 1), counting the
  /// observed arrangement once, so that it is never 0.
  bool exact = false;
  std::size_t permutations = 0;  ///< arrangements evaluated
  Alternative alternative = Alternative::two_sided;
};

/// Bootstrap percentile intervals: pairs (x_i, y_i) drawn with replacement.
struct BootstrapResult {
  double r_low = 0, r_high = 0;          ///< percentile interval for Pearson's r
  double slope_low = 0, slope_high = 0;  ///< percentile interval for the least-squares slope
  double confidence_level = 0.95;
  std::size_t resamples = 0;  ///< samples used
  /// Samples drawn but not used because x or y was constant in them (their r is undefined);
  /// they are replaced by further draws, so `resamples` samples are always used.
  std::size_t degenerate = 0;
};

/// "At least as extreme": |r*| >= |r| for two_sided, r* <= r for less, r* >= r for greater,
/// with a relative tolerance of 1e-12 so that rounding does not split ties.
/// Throws lmc::Error as pearson() does, or when options.resamples is 0.
LMC_EXPORT PermutationResult permutation_test(std::span<const double> x, std::span<const double> y,
                                              Alternative alternative = Alternative::two_sided,
                                              const ResamplingOptions& options = {});

/// Percentiles interpolate linearly between order statistics (NumPy's default percentile).
/// Throws lmc::Error as pearson() does, or when options are out of range.
LMC_EXPORT BootstrapResult bootstrap(std::span<const double> x, std::span<const double> y,
                                     const ResamplingOptions& options = {});

}  // namespace stats
LMC_END_NAMESPACE
