#include <lmc/stats/regression.hpp>

#include "base/fail.hpp"
#include "stats/distributions.hpp"
#include "stats/moments.hpp"
#include "stats/validate.hpp"

#include <algorithm>
#include <cmath>
#include <vector>

LMC_BEGIN_NAMESPACE
namespace stats {

LinearFit linear_fit(std::span<const double> x, std::span<const double> y) {
  detail::validate_pairs("linear_fit", x, y);
  const std::size_t n = x.size();
  const auto count = static_cast<double>(n);
  LinearFit fit;
  fit.n = n;
  fit.x_mean = detail::mean(x);
  const double y_mean = detail::mean(y);
  double sxx = 0, sxy = 0, syy = 0;
  for (std::size_t i = 0; i < n; ++i) {
    const double dx = x[i] - fit.x_mean;
    const double dy = y[i] - y_mean;
    sxx += dx * dx;
    sxy += dx * dy;
    syy += dy * dy;
  }
  fit.x_sum_of_squares = sxx;
  fit.slope = sxy / sxx;
  fit.intercept = y_mean - fit.slope * fit.x_mean;
  fit.r = std::clamp(sxy / std::sqrt(sxx * syy), -1.0, 1.0);
  fit.r2 = fit.r * fit.r;

  // As scipy.stats.linregress: the t statistic with a tiny guard against division by zero at
  // |r| = 1, and the standard errors expressed through r.
  const double df = count - 2;
  constexpr double tiny = 1.0e-20;
  const double t = fit.r * std::sqrt(df / ((1.0 - fit.r + tiny) * (1.0 + fit.r + tiny)));
  fit.pvalue = 2 * detail::student_t_cdf(-std::abs(t), df);
  fit.slope_stderr = std::sqrt(std::max(0.0, 1 - fit.r2) * (syy / count) / (sxx / count) / df);
  fit.intercept_stderr = fit.slope_stderr * std::sqrt(sxx / count + fit.x_mean * fit.x_mean);

  fit.residuals.resize(n);
  double squared = 0;
  for (std::size_t i = 0; i < n; ++i) {
    fit.residuals[i] = y[i] - (fit.intercept + fit.slope * x[i]);
    squared += fit.residuals[i] * fit.residuals[i];
  }
  fit.rmse = std::sqrt(squared / count);
  fit.residual_stderr = std::sqrt(squared / df);
  return fit;
}

Prediction predict(const LinearFit& fit, double x, double confidence_level) {
  if (!std::isfinite(x)) base::fail(ErrorCode::invalid_argument, "predict: x is {}, not finite", x);
  detail::validate_confidence_level("predict", confidence_level);
  if (fit.n < 3 || !(fit.x_sum_of_squares > 0)) {
    base::fail(ErrorCode::invalid_argument,
               "predict: the fit has n = {} and Σ(x-x̄)² = {}; it needs n >= 3 and a positive sum "
               "(use a LinearFit from linear_fit())",
               fit.n, fit.x_sum_of_squares);
  }
  const auto count = static_cast<double>(fit.n);
  Prediction prediction;
  prediction.x = x;
  prediction.confidence_level = confidence_level;
  prediction.y = fit.intercept + fit.slope * x;
  const double t = detail::student_t_quantile(0.5 + confidence_level / 2, count - 2);
  const double leverage = 1 / count + (x - fit.x_mean) * (x - fit.x_mean) / fit.x_sum_of_squares;
  const double mean_half_width = t * fit.residual_stderr * std::sqrt(leverage);
  const double new_half_width = t * fit.residual_stderr * std::sqrt(1 + leverage);
  prediction.mean_low = prediction.y - mean_half_width;
  prediction.mean_high = prediction.y + mean_half_width;
  prediction.prediction_low = prediction.y - new_half_width;
  prediction.prediction_high = prediction.y + new_half_width;
  return prediction;
}

LeaveOneOut leave_one_out(std::span<const double> x, std::span<const double> y) {
  detail::validate_pairs("leave_one_out", x, y, 4, false);
  const std::size_t n = x.size();
  LeaveOneOut result;
  result.predicted.resize(n);
  result.errors.resize(n);
  std::vector<double> x_rest(n - 1), y_rest(n - 1);
  double absolute = 0, squared = 0;
  for (std::size_t left_out = 0; left_out < n; ++left_out) {
    for (std::size_t i = 0, k = 0; i < n; ++i) {
      if (i == left_out) continue;
      x_rest[k] = x[i];
      y_rest[k] = y[i];
      ++k;
    }
    if (std::all_of(x_rest.begin(), x_rest.end(), [&](double v) { return v == x_rest[0]; })) {
      base::fail(ErrorCode::invalid_argument,
                 "leave_one_out: without point {} every x equals {}, so no line can be fitted",
                 left_out, x_rest[0]);
    }
    // The least-squares line alone; y may be constant among the others (then the line is flat).
    const double x_mean = detail::mean(x_rest);
    const double y_mean = detail::mean(y_rest);
    double sxx = 0, sxy = 0;
    for (std::size_t k = 0; k + 1 < n; ++k) {
      sxx += (x_rest[k] - x_mean) * (x_rest[k] - x_mean);
      sxy += (x_rest[k] - x_mean) * (y_rest[k] - y_mean);
    }
    const double slope = sxy / sxx;
    result.predicted[left_out] = y_mean + slope * (x[left_out] - x_mean);
    result.errors[left_out] = result.predicted[left_out] - y[left_out];
    absolute += std::abs(result.errors[left_out]);
    squared += result.errors[left_out] * result.errors[left_out];
  }
  result.mae = absolute / static_cast<double>(n);
  result.rmse = std::sqrt(squared / static_cast<double>(n));
  return result;
}

}  // namespace stats
LMC_END_NAMESPACE
