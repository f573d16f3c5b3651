#include <lmc/stats/resampling.hpp>

#include "base/fail.hpp"
#include "stats/moments.hpp"
#include "stats/random.hpp"
#include "stats/validate.hpp"

#include <algorithm>
#include <cmath>
#include <numeric>
#include <vector>

LMC_BEGIN_NAMESPACE
namespace stats {

namespace {

void validate_options(const char* function, const ResamplingOptions& options) {
  if (options.resamples == 0) {
    base::fail(ErrorCode::invalid_argument, "{}: resamples is 0; at least 1 is needed", function);
  }
  detail::validate_confidence_level(function, options.confidence_level);
}

// n! when it is at most `limit`, otherwise 0.
std::size_t factorial_up_to(std::size_t n, std::size_t limit) {
  std::size_t result = 1;
  for (std::size_t i = 2; i <= n; ++i) {
    if (result > limit / i) return 0;
    result *= i;
  }
  return result;
}

class ExtremeCounter {
 public:
  ExtremeCounter(double observed, Alternative alternative)
      : observed_(observed), alternative_(alternative), tolerance_(1e-12 * std::abs(observed)) {}

  bool is_extreme(double r) const {
    switch (alternative_) {
      case Alternative::two_sided: return std::abs(r) >= std::abs(observed_) - tolerance_;
      case Alternative::less: return r <= observed_ + tolerance_;
      case Alternative::greater: return r >= observed_ - tolerance_;
    }
    return false;
  }

 private:
  double observed_;
  Alternative alternative_;
  double tolerance_;
};

// Percentile with linear interpolation between order statistics (NumPy's default).
double percentile(std::vector<double>& sorted, double fraction) {
  const double position = fraction * static_cast<double>(sorted.size() - 1);
  const auto below = static_cast<std::size_t>(std::floor(position));
  const std::size_t above = std::min(below + 1, sorted.size() - 1);
  const double weight = position - static_cast<double>(below);
  return sorted[below] + weight * (sorted[above] - sorted[below]);
}

bool is_constant(const std::vector<double>& values) {
  return std::all_of(values.begin(), values.end(), [&](double v) { return v == values[0]; });
}

}  // namespace

PermutationResult permutation_test(std::span<const double> x, std::span<const double> y,
                                   Alternative alternative, const ResamplingOptions& options) {
  detail::validate_pairs("permutation_test", x, y);
  validate_options("permutation_test", options);
  PermutationResult result;
  result.alternative = alternative;
  result.r = detail::correlation(x, y);
  const ExtremeCounter counter(result.r, alternative);
  std::vector<double> shuffled(y.begin(), y.end());
  std::size_t extreme = 0;

  const std::size_t all = factorial_up_to(x.size(), options.resamples);
  if (all != 0) {
    // Every arrangement of y once, starting from the sorted one.
    std::vector<std::size_t> order(y.size());
    std::iota(order.begin(), order.end(), std::size_t{0});
    do {
      for (std::size_t i = 0; i < order.size(); ++i) shuffled[i] = y[order[i]];
      if (counter.is_extreme(detail::correlation(x, shuffled))) ++extreme;
    } while (std::next_permutation(order.begin(), order.end()));
    result.exact = true;
    result.permutations = all;
    result.pvalue = static_cast<double>(extreme) / static_cast<double>(all);
    return result;
  }

  detail::RandomIndices random(options.seed);
  for (std::size_t draw = 0; draw < options.resamples; ++draw) {
    // Fisher–Yates shuffle, continuing from the previous arrangement.
    for (std::size_t i = shuffled.size() - 1; i > 0; --i) {
      std::swap(shuffled[i], shuffled[random.below(i + 1)]);
    }
    if (counter.is_extreme(detail::correlation(x, shuffled))) ++extreme;
  }
  result.permutations = options.resamples;
  result.pvalue = static_cast<double>(extreme + 1) / static_cast<double>(options.resamples + 1);
  return result;
}

BootstrapResult bootstrap(std::span<const double> x, std::span<const double> y,
                          const ResamplingOptions& options) {
  detail::validate_pairs("bootstrap", x, y);
  validate_options("bootstrap", options);
  const std::size_t n = x.size();
  BootstrapResult result;
  result.confidence_level = options.confidence_level;
  std::vector<double> rs, slopes;
  rs.reserve(options.resamples);
  slopes.reserve(options.resamples);
  std::vector<double> xs(n), ys(n);
  detail::RandomIndices random(options.seed);
  // A sample with constant x or y has no r; such samples are redrawn. They are rare unless n
  // is tiny, so a generous cap only guards against pathological input.
  const std::size_t max_degenerate = 100 * options.resamples + 1000;
  while (rs.size() < options.resamples) {
    for (std::size_t i = 0; i < n; ++i) {
      const auto k = static_cast<std::size_t>(random.below(n));
      xs[i] = x[k];
      ys[i] = y[k];
    }
    if (is_constant(xs) || is_constant(ys)) {
      if (++result.degenerate > max_degenerate) {
        base::fail(ErrorCode::invalid_argument,
                   "bootstrap: {} of the samples drawn had a constant x or y; the data has too few "
                   "distinct values to bootstrap",
                   result.degenerate);
      }
      continue;
    }
    rs.push_back(detail::correlation(xs, ys));
    const double x_mean = detail::mean(xs);
    const double y_mean = detail::mean(ys);
    double sxx = 0, sxy = 0;
    for (std::size_t i = 0; i < n; ++i) {
      sxx += (xs[i] - x_mean) * (xs[i] - x_mean);
      sxy += (xs[i] - x_mean) * (ys[i] - y_mean);
    }
    slopes.push_back(sxy / sxx);
  }
  std::sort(rs.begin(), rs.end());
  std::sort(slopes.begin(), slopes.end());
  const double tail = (1 - options.confidence_level) / 2;
  result.r_low = percentile(rs, tail);
  result.r_high = percentile(rs, 1 - tail);
  result.slope_low = percentile(slopes, tail);
  result.slope_high = percentile(slopes, 1 - tail);
  result.resamples = rs.size();
  return result;
}

}  // namespace stats
LMC_END_NAMESPACE
