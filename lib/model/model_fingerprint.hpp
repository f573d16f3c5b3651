// What identifies a loaded model exactly: the fingerprint over everything that decides its
// logits, and the numeric profile of how they are computed (see Model::fingerprint()).
#pragma once

#include "model/weight_binding.hpp"

#include <lmc/tokenizer.hpp>

#include <cstdint>
#include <string>
#include <string_view>

LMC_BEGIN_NAMESPACE
namespace model {

/// "lmc-model/1 <architecture> <16 hex digits>": a 64-bit hash over the architecture, every
/// hyper-parameter the forward pass uses, the tokenizer (when there is one: every token's bytes,
/// its special flag, BOS) and every weight byte with tensor shapes and types.
std::string fingerprint(std::string_view architecture, const BoundModel& bound,
                        const Tokenizer* tokenizer);

/// lib/nn's numerics version (high 16 bits) and a hash of the weight type as computed (low 16).
std::uint32_t numeric_profile(const BoundModel& bound);

}  // namespace model
LMC_END_NAMESPACE
