#include <lmc/stats/correlation.hpp>

#include "base/fail.hpp"
#include "stats/distributions.hpp"
#include "stats/kendall_exact.hpp"
#include "stats/moments.hpp"
#include "stats/validate.hpp"

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <limits>
#include <map>

LMC_BEGIN_NAMESPACE
namespace stats {

namespace {

// P-value of a t statistic with `df` degrees of freedom, as SciPy's _ttest_finish.
double t_test_pvalue(double t, double df, Alternative alternative) {
  switch (alternative) {
    case Alternative::less: return detail::student_t_cdf(t, df);
    case Alternative::greater: return detail::student_t_sf(t, df);
    case Alternative::two_sided: return 2 * detail::student_t_cdf(-std::abs(t), df);
  }
  return 1;
}

// P-value of a standard normal statistic, as SciPy's _normtest_finish.
double z_test_pvalue(double z, Alternative alternative) {
  switch (alternative) {
    case Alternative::less: return detail::normal_cdf(z);
    case Alternative::greater: return detail::normal_sf(z);
    case Alternative::two_sided: return 2 * detail::normal_sf(std::abs(z));
  }
  return 1;
}

// Under independence and normality (r+1)/2 follows Beta(n/2-1, n/2-1); SciPy 1.10 computes
// Pearson's p-value from that distribution (the t test in another form).
double pearson_pvalue(double r, std::size_t n, Alternative alternative) {
  const double shape = static_cast<double>(n) / 2 - 1;
  auto sf = [&](double value) {  // P(R > value)
    return detail::incomplete_beta_complement(shape, shape, (value + 1) / 2);
  };
  auto cdf = [&](double value) { return detail::incomplete_beta(shape, shape, (value + 1) / 2); };
  switch (alternative) {
    case Alternative::less: return cdf(r);
    case Alternative::greater: return sf(r);
    case Alternative::two_sided: return 2 * sf(std::abs(r));
  }
  return 1;
}

void fisher_interval(PearsonResult& result) {
  const double z = result.r == 1    ? std::numeric_limits<double>::infinity()
                   : result.r == -1 ? -std::numeric_limits<double>::infinity()
                                    : std::atanh(result.r);
  result.ci_low = -1;
  result.ci_high = 1;
  if (result.n <= 3) return;
  const double standard_error = std::sqrt(1.0 / static_cast<double>(result.n - 3));
  switch (result.alternative) {
    case Alternative::two_sided: {
      const double h = detail::normal_quantile(0.5 + result.confidence_level / 2);
      result.ci_low = std::tanh(z - h * standard_error);
      result.ci_high = std::tanh(z + h * standard_error);
      break;
    }
    case Alternative::less:
      result.ci_high =
          std::tanh(z + detail::normal_quantile(result.confidence_level) * standard_error);
      break;
    case Alternative::greater:
      result.ci_low =
          std::tanh(z - detail::normal_quantile(result.confidence_level) * standard_error);
      break;
  }
}

// Tie statistics of one variable, as SciPy's kendalltau needs them: Σ t(t-1)/2 (tied pairs),
// Σ t(t-1)(t-2) and Σ t(t-1)(2t+5) over groups of t equal values.
struct TieStatistics {
  std::int64_t tied_pairs = 0;
  double cubic = 0;
  double variance_term = 0;
};

TieStatistics tie_statistics(std::span<const double> values) {
  std::map<double, std::int64_t> counts;
  for (double v : values) ++counts[v];
  TieStatistics ties;
  for (const auto& [value, count] : counts) {
    if (count < 2) continue;
    const auto t = static_cast<double>(count);
    ties.tied_pairs += count * (count - 1) / 2;
    ties.cubic += t * (t - 1) * (t - 2);
    ties.variance_term += t * (t - 1) * (2 * t + 5);
  }
  return ties;
}

}  // namespace

PearsonResult pearson(std::span<const double> x, std::span<const double> y, Alternative alternative,
                      double confidence_level) {
  detail::validate_pairs("pearson", x, y);
  detail::validate_confidence_level("pearson", confidence_level);
  PearsonResult result;
  result.n = x.size();
  result.alternative = alternative;
  result.confidence_level = confidence_level;
  result.r = detail::correlation(x, y);
  result.pvalue = pearson_pvalue(result.r, result.n, alternative);
  fisher_interval(result);
  return result;
}

SpearmanResult spearman(std::span<const double> x, std::span<const double> y,
                        Alternative alternative) {
  detail::validate_pairs("spearman", x, y);
  const std::vector<double> x_ranks = average_ranks(x);
  const std::vector<double> y_ranks = average_ranks(y);
  SpearmanResult result;
  result.n = x.size();
  result.alternative = alternative;
  result.rho = detail::covariance_correlation(x_ranks, y_ranks);
  const double df = static_cast<double>(result.n) - 2;
  // t = rho·sqrt(df/((1+rho)(1-rho))), infinite at |rho| = 1, as SciPy computes it.
  const double ratio = df / ((result.rho + 1) * (1 - result.rho));
  const double t = result.rho * std::sqrt(std::max(ratio, 0.0));
  result.pvalue = t_test_pvalue(t, df, alternative);
  return result;
}

KendallResult kendall(std::span<const double> x, std::span<const double> y, Alternative alternative,
                      KendallMethod method) {
  detail::validate_pairs("kendall", x, y);
  const auto n = static_cast<std::int64_t>(x.size());
  // Pair counts are exact integers; O(n²) is fine for the tens to thousands of models a
  // study holds.
  std::int64_t concordant = 0, discordant = 0, joint_ties = 0;
  for (std::size_t i = 0; i < x.size(); ++i) {
    for (std::size_t j = i + 1; j < x.size(); ++j) {
      const double dx = x[i] - x[j];
      const double dy = y[i] - y[j];
      if (dx == 0 && dy == 0) {
        ++joint_ties;
      } else if ((dx > 0 && dy > 0) || (dx < 0 && dy < 0)) {
        ++concordant;
      } else if ((dx > 0 && dy < 0) || (dx < 0 && dy > 0)) {
        ++discordant;
      }
    }
  }
  const TieStatistics x_ties = tie_statistics(x);
  const TieStatistics y_ties = tie_statistics(y);
  const std::int64_t total = n * (n - 1) / 2;
  const std::int64_t difference =
      total - x_ties.tied_pairs - y_ties.tied_pairs + joint_ties - 2 * discordant;
  (void)concordant;

  KendallResult result;
  result.n = x.size();
  result.alternative = alternative;
  result.tau = static_cast<double>(difference) /
               std::sqrt(static_cast<double>(total - x_ties.tied_pairs)) /
               std::sqrt(static_cast<double>(total - y_ties.tied_pairs));
  result.tau = std::clamp(result.tau, -1.0, 1.0);

  const bool has_ties = x_ties.tied_pairs != 0 || y_ties.tied_pairs != 0;
  if (method == KendallMethod::exact && has_ties) {
    base::fail(ErrorCode::invalid_argument,
               "kendall: the exact p-value needs data without ties, but x has {} and y has {} tied "
               "pairs",
               x_ties.tied_pairs, y_ties.tied_pairs);
  }
  // The exact distribution costs O(n·c) with c up to n²/4 pairs: bounded so that a forced
  // exact test on a huge sample cannot run for hours.
  constexpr std::int64_t exact_limit = 1000;
  if (method == KendallMethod::exact && n > exact_limit &&
      std::min(discordant, total - discordant) > 1) {
    base::fail(
        ErrorCode::invalid_argument,
        "kendall: the exact p-value is offered up to n = {} (n = {} given); use the asymptotic "
        "method",
        exact_limit, n);
  }
  if (method == KendallMethod::automatic) {
    const bool small = n <= 33 || std::min(discordant, total - discordant) <= 1;
    method = !has_ties && small ? KendallMethod::exact : KendallMethod::asymptotic;
  }
  result.method = method;
  if (method == KendallMethod::exact) {
    result.pvalue = detail::kendall_exact_pvalue(n, total - discordant, alternative);
  } else {
    const double m = static_cast<double>(n) * static_cast<double>(n - 1);
    const double nd = static_cast<double>(n);
    const double variance =
        (m * (2 * nd + 5) - x_ties.variance_term - y_ties.variance_term) / 18 +
        2 * static_cast<double>(x_ties.tied_pairs) * static_cast<double>(y_ties.tied_pairs) / m +
        x_ties.cubic * y_ties.cubic / (9 * m * (nd - 2));
    result.pvalue =
        z_test_pvalue(static_cast<double>(difference) / std::sqrt(variance), alternative);
  }
  return result;
}

}  // namespace stats
LMC_END_NAMESPACE
