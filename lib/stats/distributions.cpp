#include "stats/distributions.hpp"

#include <boost/math/distributions/normal.hpp>
#include <boost/math/distributions/students_t.hpp>
#include <boost/math/special_functions/beta.hpp>
#include <boost/math/special_functions/gamma.hpp>

#include <cmath>

LMC_BEGIN_NAMESPACE
namespace stats::detail {

namespace {

// Boost's default policy throws on domain and overflow errors; callers validate arguments
// first, and the tails underflow to 0 quietly, as SciPy's do.
using Policy = boost::math::policies::policy<
    boost::math::policies::underflow_error<boost::math::policies::ignore_error>>;

const boost::math::normal_distribution<double, Policy> standard_normal;

}  // namespace

double incomplete_beta(double a, double b, double x) {
  return boost::math::ibeta(a, b, x, Policy());
}

double incomplete_beta_complement(double a, double b, double x) {
  return boost::math::ibetac(a, b, x, Policy());
}

double normal_cdf(double z) {
  if (std::isinf(z)) return z < 0 ? 0.0 : 1.0;
  return boost::math::cdf(standard_normal, z);
}

double normal_sf(double z) {
  if (std::isinf(z)) return z < 0 ? 1.0 : 0.0;
  return boost::math::cdf(boost::math::complement(standard_normal, z));
}

double normal_quantile(double p) { return boost::math::quantile(standard_normal, p); }

double student_t_cdf(double t, double df) {
  if (std::isinf(t)) return t < 0 ? 0.0 : 1.0;
  return boost::math::cdf(boost::math::students_t_distribution<double, Policy>(df), t);
}

double student_t_sf(double t, double df) { return student_t_cdf(-t, df); }

double student_t_quantile(double p, double df) {
  return boost::math::quantile(boost::math::students_t_distribution<double, Policy>(df), p);
}

double log_gamma(double x) { return boost::math::lgamma(x, Policy()); }

}  // namespace stats::detail
LMC_END_NAMESPACE
