// RMSNorm and LayerNorm of one row, with sums in double in a fixed order.
#pragma once

#include <lmc/version.hpp>

#include <cstddef>

LMC_BEGIN_NAMESPACE
namespace nn {

/// out[i] = x[i] / sqrt(mean(x²) + eps) · weight[i] (weight may be null: 1). out may be x.
void rms_norm(const float* x, const float* weight, float eps, std::size_t n, float* out);

/// out[i] = (x[i] − mean) / sqrt(var + eps) · weight[i] + bias[i], biased variance;
/// weight and bias may be null. out may be x.
void layer_norm(const float* x, const float* weight, const float* bias, float eps, std::size_t n,
                float* out);

}  // namespace nn
LMC_END_NAMESPACE
