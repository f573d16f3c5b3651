// The version of lib/nn's numeric recipe (docs/forward_pass.md, "Numerics"): fixed reduction
// orders, no split-K, no FMA-contraction differences between paths, lmc's own exp/log. Logits
// are bit-identical for equal inputs under one version, on every thread count and SIMD path.
#pragma once

#include <lmc/version.hpp>

#include <cstdint>

LMC_BEGIN_NAMESPACE
namespace nn {

/// Raise by one whenever a change to lib/nn can move any logit bit (a new kernel recipe, another
/// reduction order, another exp/log approximation, a new integer path for a weight type).
/// Containers record it (docs/container.md, "Numeric profile"); those made under an older
/// version are refused as model_mismatch instead of decoding to garbage.
inline constexpr std::uint32_t numerics_version = 2;

}  // namespace nn
LMC_END_NAMESPACE
