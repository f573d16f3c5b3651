// The probability functions the tests need, on top of Boost.Math (private to lmc; see
// docs/stats.md for why Boost rather than our own). All are accurate to a few ulps, far
// inside the 1e-10 relative the statistics need, and none throws for finite arguments in range.
#pragma once

#include <lmc/version.hpp>

LMC_BEGIN_NAMESPACE
namespace stats::detail {

/// Regularized incomplete beta I_x(a, b), a, b > 0, x in [0, 1].
double incomplete_beta(double a, double b, double x);
/// Its complement 1 - I_x(a, b), accurate when it is tiny.
double incomplete_beta_complement(double a, double b, double x);

/// Standard normal P(Z <= z) and P(Z > z); z may be ±infinity.
double normal_cdf(double z);
double normal_sf(double z);
/// The z with P(Z <= z) = p, p in (0, 1) (SciPy's ndtri).
double normal_quantile(double p);

/// Student's t with `df` > 0 degrees of freedom: P(T <= t) and P(T > t); t may be ±infinity.
double student_t_cdf(double t, double df);
double student_t_sf(double t, double df);
/// The t with P(T <= t) = p, p in (0, 1).
double student_t_quantile(double p, double df);

/// Log of the gamma function, x > 0.
double log_gamma(double x);

}  // namespace stats::detail
LMC_END_NAMESPACE
