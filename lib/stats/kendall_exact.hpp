// The exact null distribution of Kendall's statistic without ties: the number of
// permutations of n items with a given number of inversions (Mahonian numbers).
#pragma once

#include <lmc/stats/correlation.hpp>

#include <cstdint>

LMC_BEGIN_NAMESPACE
namespace stats::detail {

/// P-value of observing `concordant` concordant pairs among n untied items under
/// independence, for the given alternative ('greater': many concordant pairs). Matches
/// SciPy 1.10's _kendall_p_exact, including its conventions at the centre of the distribution.
double kendall_exact_pvalue(std::int64_t n, std::int64_t concordant, Alternative alternative);

}  // namespace stats::detail
LMC_END_NAMESPACE
