#include "stats/moments.hpp"

#include <algorithm>
#include <cmath>

LMC_BEGIN_NAMESPACE
namespace stats::detail {

double mean(std::span<const double> values) {
  double sum = 0;
  for (double v : values) sum += v;
  return sum / static_cast<double>(values.size());
}

double correlation(std::span<const double> x, std::span<const double> y) {
  const double x_mean = mean(x);
  const double y_mean = mean(y);
  double xx = 0, yy = 0;
  for (std::size_t i = 0; i < x.size(); ++i) {
    xx += (x[i] - x_mean) * (x[i] - x_mean);
    yy += (y[i] - y_mean) * (y[i] - y_mean);
  }
  // Normalise each side before the product, as SciPy does, so that huge or tiny values neither
  // overflow nor underflow.
  const double x_norm = std::sqrt(xx);
  const double y_norm = std::sqrt(yy);
  double r = 0;
  for (std::size_t i = 0; i < x.size(); ++i) {
    r += ((x[i] - x_mean) / x_norm) * ((y[i] - y_mean) / y_norm);
  }
  return std::clamp(r, -1.0, 1.0);
}

double covariance_correlation(std::span<const double> x, std::span<const double> y) {
  const double x_mean = mean(x);
  const double y_mean = mean(y);
  double xx = 0, yy = 0, xy = 0;
  for (std::size_t i = 0; i < x.size(); ++i) {
    xx += (x[i] - x_mean) * (x[i] - x_mean);
    yy += (y[i] - y_mean) * (y[i] - y_mean);
    xy += (x[i] - x_mean) * (y[i] - y_mean);
  }
  const double degrees = static_cast<double>(x.size()) - 1;
  const double r = xy / degrees / std::sqrt(xx / degrees) / std::sqrt(yy / degrees);
  return std::clamp(r, -1.0, 1.0);
}

}  // namespace stats::detail
LMC_END_NAMESPACE
