#include "stats/kendall_exact.hpp"

#include "base/fail.hpp"

#include <algorithm>
#include <cmath>
#include <vector>

LMC_BEGIN_NAMESPACE
namespace stats::detail {

namespace {

// P(inversions <= k) for k = 0..c over uniformly random permutations of n items, built one
// item at a time: inserting item j adds 0..j-1 inversions with equal probability, so the new
// mass at k is the mean of the old masses at k-j+1..k (a sliding window over the prefix sums).
// Long double keeps the window differences accurate; probabilities never overflow.
std::vector<long double> inversion_masses(std::int64_t n, std::int64_t c) {
  std::vector<long double> mass(static_cast<std::size_t>(c) + 1, 0.0L);
  mass[0] = 1.0L;  // one item: no inversion
  std::vector<long double> prefix(mass.size() + 1);
  for (std::int64_t j = 2; j <= n; ++j) {
    prefix[0] = 0;
    for (std::size_t k = 0; k < mass.size(); ++k) prefix[k + 1] = prefix[k] + mass[k];
    for (std::size_t k = 0; k < mass.size(); ++k) {
      std::size_t from =
          k + 1 >= static_cast<std::size_t>(j) ? k + 1 - static_cast<std::size_t>(j) : 0;
      mass[k] = (prefix[k + 1] - prefix[from]) / static_cast<long double>(j);
    }
  }
  return mass;
}

// n! as a double (inf beyond 170!), as SciPy divides by math.factorial(n).
double factorial(std::int64_t n) {
  double result = 1;
  for (std::int64_t i = 2; i <= n; ++i) result *= static_cast<double>(i);
  return result;
}

}  // namespace

double kendall_exact_pvalue(std::int64_t n, std::int64_t concordant, Alternative alternative) {
  const std::int64_t pairs = n * (n - 1) / 2;
  if (n <= 0 || concordant < 0 || concordant > pairs) {
    base::fail(ErrorCode::internal, "kendall: exact p-value asked for n = {}, c = {}", n,
               concordant);
  }
  // The distribution is symmetric: work in the left tail, where c <= pairs - c.
  const bool in_right_tail = concordant >= pairs - concordant;
  const std::int64_t c = std::min(concordant, pairs - concordant);

  double two_sided = 1;  // twice the left-tail probability P(C <= c)
  double mass_at_c = 0;  // P(C = c)
  if (n == 1) {
    mass_at_c = 1;
  } else if (n == 2) {
    mass_at_c = 0.5;
  } else if (c == 0) {
    two_sided = 2.0 / factorial(n);
    mass_at_c = two_sided / 2;
  } else if (c == 1) {
    two_sided = 2.0 / factorial(n - 1);
    mass_at_c = static_cast<double>(n - 1) / factorial(n);
  } else if (4 * c == n * (n - 1) && alternative == Alternative::two_sided) {
    two_sided = 1;  // the observed value is the centre of the distribution
  } else {
    std::vector<long double> mass = inversion_masses(n, c);
    long double tail = 0;
    for (long double m : mass) tail += m;
    two_sided = static_cast<double>(2 * tail);
    mass_at_c = static_cast<double>(mass.back());
  }

  double p = two_sided;
  if (alternative != Alternative::two_sided) {
    // The one-sided p-value is half the two-sided one when the data lie on the side the
    // alternative predicts; otherwise it is the complement plus the mass at c.
    if (in_right_tail == (alternative == Alternative::greater)) {
      p = two_sided / 2;
    } else {
      p = 1 - two_sided / 2 + mass_at_c;
    }
  }
  return std::clamp(p, 0.0, 1.0);
}

}  // namespace stats::detail
LMC_END_NAMESPACE
