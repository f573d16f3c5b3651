// Correlation coefficients with their tests: Pearson, Spearman and Kendall, shaped like SciPy's
// pearsonr, spearmanr and kendalltau (SciPy 1.10 semantics) so results can be checked against it.
#pragma once

#include <lmc/export.hpp>
#include <lmc/version.hpp>

#include <cstddef>
#include <span>
#include <vector>

LMC_BEGIN_NAMESPACE
namespace stats {

/// The alternative hypothesis of a test, as SciPy's `alternative=` argument.
enum class Alternative {
  two_sided,  ///< the correlation is not zero
  less,       ///< the correlation is negative
  greater,    ///< the correlation is positive
};

/// Pearson's product-moment correlation (scipy.stats.pearsonr).
struct PearsonResult {
  double r = 0;       ///< the correlation coefficient, in [-1, 1]
  double pvalue = 1;  ///< p-value of the t test with n-2 degrees of freedom (exact under normality)
  /// Confidence interval for r from Fisher's z transform, as SciPy's
  /// PearsonRResult.confidence_interval(): one-sided alternatives give (-1, high] or [low, 1);
  /// with n = 3 the interval is [-1, 1].
  double ci_low = -1;
  double ci_high = 1;
  double confidence_level = 0.95;  ///< of the interval, in (0, 1)
  Alternative alternative = Alternative::two_sided;
  std::size_t n = 0;  ///< number of pairs
};

/// Spearman's rank correlation (scipy.stats.spearmanr): Pearson's r of the average ranks
/// (ties share the mean of the ranks they span).
struct SpearmanResult {
  double rho = 0;     ///< the rank correlation, in [-1, 1]
  double pvalue = 1;  ///< from t = rho·sqrt((n-2)/(1-rho²)) with n-2 degrees of freedom
  Alternative alternative = Alternative::two_sided;
  std::size_t n = 0;
};

/// How Kendall's p-value is computed.
enum class KendallMethod {
  automatic,   ///< as SciPy's method='auto': exact without ties when n <= 33 (or when at most
               ///< one pair is discordant or concordant), asymptotic otherwise
  exact,       ///< exact null distribution of the number of concordant pairs (no ties allowed)
  asymptotic,  ///< normal approximation with the tie-corrected variance
};

/// Kendall's tau-b (scipy.stats.kendalltau, variant 'b').
struct KendallResult {
  double tau = 0;     ///< tau-b, in [-1, 1], corrected for ties in x and in y
  double pvalue = 1;  ///< of the test of tau = 0
  KendallMethod method = KendallMethod::exact;  ///< the one used: exact or asymptotic
  Alternative alternative = Alternative::two_sided;
  std::size_t n = 0;
};

/// Pearson's r of x and y with its p-value and Fisher-z confidence interval.
/// Throws lmc::Error (invalid_argument) when the lengths differ, n < 3, a value is NaN or
/// infinite, x or y is constant, or confidence_level is not in (0, 1).
LMC_EXPORT PearsonResult pearson(std::span<const double> x, std::span<const double> y,
                                 Alternative alternative = Alternative::two_sided,
                                 double confidence_level = 0.95);

/// Spearman's rho of x and y. Throws lmc::Error as pearson() does.
LMC_EXPORT SpearmanResult spearman(std::span<const double> x, std::span<const double> y,
                                   Alternative alternative = Alternative::two_sided);

/// Kendall's tau-b of x and y. Throws lmc::Error as pearson() does, and when method is exact
/// but x or y has ties or n > 1000 (beyond that the exact distribution is too costly and the
/// normal approximation is excellent).
LMC_EXPORT KendallResult kendall(std::span<const double> x, std::span<const double> y,
                                 Alternative alternative = Alternative::two_sided,
                                 KendallMethod method = KendallMethod::automatic);

/// Average ranks (1-based) of the values, ties sharing the mean of the ranks they span, as
/// scipy.stats.rankdata(method='average'). Throws lmc::Error on NaN.
LMC_EXPORT std::vector<double> average_ranks(std::span<const double> values);

}  // namespace stats
LMC_END_NAMESPACE
