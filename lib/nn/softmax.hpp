// Softmax and log-softmax of one row, numerically safe (max subtracted first), sums in double.
#pragma once

#include <lmc/version.hpp>

#include <cstddef>

LMC_BEGIN_NAMESPACE
namespace nn {

/// x ← softmax(x) over n values (n ≥ 1). Entries equal to −inf get probability 0.
void softmax(float* x, std::size_t n);

/// out[i] = ln softmax(x)[i], computed as x[i] − max − ln Σ e^(x−max). out may be x.
void log_softmax(const float* x, std::size_t n, float* out);

/// ln Σ e^x[i] over n values, in double.
double log_sum_exp(const float* x, std::size_t n);

}  // namespace nn
LMC_END_NAMESPACE
