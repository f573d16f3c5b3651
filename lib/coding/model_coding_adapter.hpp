// lmc::Model as the compressor's CodingModel: what Compressor(const Model&) builds and owns.
#pragma once

#include <lmc/coding_model.hpp>
#include <lmc/model.hpp>

#include <memory>
#include <span>

LMC_BEGIN_NAMESPACE
namespace coding {

/// An adapter that references `model` (which must outlive it): Model::fingerprint() and
/// numeric_profile(), the tokenizer's BOS as start token, encode without special tokens, decode,
/// Model::context(), sessions on lmc::Session keeping every fed position's logits. Throws
/// Error(unsupported) when the model has no tokenizer or no BOS token.
std::unique_ptr<CodingModel> adapt_model(const Model& model);

/// Most chunks one decompressing thread advances in lock step.
inline constexpr std::size_t kMaxDefaultLockstepLanes = 16;
/// Bytes of KV caches the lock-step sessions of all threads may hold at once (estimated).
inline constexpr std::size_t kLockstepCacheBudget = std::size_t{2} << 30;

/// Chunks per thread the decompressor advances in lock step: for adapt_model's models as many
/// sessions of `window_tokens` positions as fit kLockstepCacheBudget on `threads` threads, at
/// least 1 and at most kMaxDefaultLockstepLanes; 1 for any other CodingModel (which gains
/// nothing from it: logits_next_each runs its sessions one by one).
std::size_t lockstep_lanes(const CodingModel& model, std::size_t window_tokens,
                           std::size_t threads);

/// Feeds tokens[i] to sessions[i] (each made by model.new_session()) and writes the logits
/// that follow into row i of `logits` (vocab_size() floats per row), as sessions[i]->
/// logits_next would: for adapt_model's models in one batched pass (Session::feed_each), for
/// any other CodingModel one logits_next per session.
void logits_next_each(const CodingModel& model, std::span<CodingSession* const> sessions,
                      std::span<const Token> tokens, std::span<float> logits);

}  // namespace coding
LMC_END_NAMESPACE
