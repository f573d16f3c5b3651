// Least-squares line through (x, y): the fit, its standard errors, prediction intervals and
// leave-one-out validation. Fit fields follow scipy.stats.linregress (SciPy 1.10).
#pragma once

#include <lmc/export.hpp>
#include <lmc/version.hpp>

#include <cstddef>
#include <span>
#include <vector>

LMC_BEGIN_NAMESPACE
namespace stats {

/// y ≈ intercept + slope·x by ordinary least squares.
struct LinearFit {
  double slope = 0;
  double intercept = 0;
  double slope_stderr = 0;      ///< standard error of the slope (linregress's stderr)
  double intercept_stderr = 0;  ///< standard error of the intercept
  double r = 0;                 ///< Pearson's r of x and y (linregress's rvalue)
  double r2 = 0;                ///< coefficient of determination, r²
  double pvalue = 1;            ///< two-sided p-value of slope = 0 (t test, n-2 degrees of freedom)
  /// Root mean square of the residuals dividing by n, as the paper reports it, in y's units.
  double rmse = 0;
  /// sqrt(sum of squared residuals / (n-2)): the residual standard error, in y's units.
  double residual_stderr = 0;
  std::size_t n = 0;
  double x_mean = 0;                ///< mean of x
  double x_sum_of_squares = 0;      ///< Σ(x - x_mean)², used by predict()
  std::vector<double> residuals{};  ///< y_i - (intercept + slope·x_i), in input order
};

/// The fitted value at a new x with its uncertainty.
struct Prediction {
  double x = 0;
  double y = 0;  ///< intercept + slope·x
  /// Interval for a new observation at x: y ± t·s·sqrt(1 + 1/n + (x-x̄)²/Sxx), with t the
  /// two-sided quantile of Student's t with n-2 degrees of freedom and s the residual
  /// standard error.
  double prediction_low = 0;
  double prediction_high = 0;
  /// Interval for the mean of y at x (the regression line's confidence band):
  /// y ± t·s·sqrt(1/n + (x-x̄)²/Sxx).
  double mean_low = 0;
  double mean_high = 0;
  double confidence_level = 0.95;
};

/// Leave-one-out validation: each point's y predicted by a line fitted to all the others.
struct LeaveOneOut {
  std::vector<double> predicted{};  ///< in input order
  std::vector<double> errors{};     ///< predicted - observed, in input order
  double mae = 0;                   ///< mean absolute error, in y's units
  double rmse = 0;                  ///< root mean square error, in y's units
};

/// Fits the least-squares line. Throws lmc::Error (invalid_argument) when the lengths differ,
/// n < 3, a value is NaN or infinite, or x or y is constant.
LMC_EXPORT LinearFit linear_fit(std::span<const double> x, std::span<const double> y);

/// The fitted value at x with prediction and mean intervals at confidence_level.
/// Throws lmc::Error when x is not finite, confidence_level is not in (0, 1) or fit.n < 3.
LMC_EXPORT Prediction predict(const LinearFit& fit, double x, double confidence_level = 0.95);

/// Leave-one-out predictions. Needs n >= 4 (each fit sees n-1 >= 3 points) and x that stays
/// non-constant when any one point is left out; throws lmc::Error otherwise.
LMC_EXPORT LeaveOneOut leave_one_out(std::span<const double> x, std::span<const double> y);

}  // namespace stats
LMC_END_NAMESPACE
