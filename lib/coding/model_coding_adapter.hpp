// lmc::Model as the compressor's CodingModel: what Compressor(const Model&) builds and owns.
#pragma once

#include <lmc/coding_model.hpp>
#include <lmc/model.hpp>

#include "base/thread_pool.hpp"

#include <memory>
#include <span>

LMC_BEGIN_NAMESPACE
namespace coding {

/// An adapter that references `model` (which must outlive it): Model::fingerprint() and
/// numeric_profile(), the tokenizer's BOS as start token, encode without special tokens, decode,
/// Model::context(), sessions on lmc::Session keeping every fed position's logits. Throws
/// Error(unsupported) when the model has no tokenizer or no BOS token.
std::unique_ptr<CodingModel> adapt_model(const Model& model);

/// Most chunks the decompressor advances in lock step by default (rows of one forward pass).
inline constexpr std::size_t kMaxDefaultLockstepLanes = 64;
/// Bytes of session state (keys, values, recurrent state) the lock-step sessions may hold.
inline constexpr std::size_t kLockstepCacheBudget = std::size_t{2} << 30;

/// Positions a session holds at most when its context restarts every `window_tokens` tokens:
/// its cache grows by doubling (from 64) up to the model's context.
std::size_t lockstep_positions(std::size_t window_tokens, std::size_t model_context);

/// Chunks the decompressor advances in lock step, all of them in one group whose batched
/// forward passes run on `threads` threads: for adapt_model's models as many sessions as fit
/// kLockstepCacheBudget (Model::session_bytes of lockstep_positions), at least 1 and at most
/// kMaxDefaultLockstepLanes; for any other CodingModel `threads` (one chunk per thread:
/// logits_next_each runs its sessions one by one, on the pool's threads).
std::size_t lockstep_lanes(const CodingModel& model, std::size_t window_tokens,
                           std::size_t threads);

/// Feeds tokens[i] to sessions[i] (each made by model.new_session()) and writes the logits
/// that follow into row i of `logits` (vocab_size() floats per row), as sessions[i]->
/// logits_next would: for adapt_model's models in one batched pass (Session::feed_each) split
/// over max(pool.size(), Model::threads()) threads, for any other CodingModel one logits_next
/// per session, spread over `pool`. The logits do not depend on the pool.
void logits_next_each(const CodingModel& model, std::span<CodingSession* const> sessions,
                      std::span<const Token> tokens, std::span<float> logits,
                      base::ThreadPool& pool);

}  // namespace coding
LMC_END_NAMESPACE
