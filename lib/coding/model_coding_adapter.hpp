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
inline constexpr std::size_t kMaxDefaultLockstepLanes = 128;
/// The budget of session state where the machine's memory is unknown.
inline constexpr std::size_t kLockstepCacheBudget = std::size_t{2} << 30;

/// Bytes of session state (keys, values, recurrent state) the decompressor's lock-step
/// sessions may hold (decode_chunks: only the oldest chunk in flight may grow its session past
/// it): a quarter of the machine's physical memory, kLockstepCacheBudget where that cannot be
/// read. What a container can make the decoder hold is this plus one session of its context
/// (plus the decoded bytes of one wave), whatever its chunks claim. The bytes decoded do not
/// depend on it.
std::size_t lockstep_state_budget() noexcept;

/// Chunks the decompressor keeps in flight in lock step, all of them in one group whose
/// batched forward passes run on `threads` threads: kMaxDefaultLockstepLanes for adapt_model's
/// models (lockstep_state_budget() decides, step by step, how many of them advance); for any
/// other CodingModel `threads` (one chunk per thread: logits_next_each runs its sessions one by
/// one, on the pool's threads).
std::size_t lockstep_lanes(const CodingModel& model, std::size_t threads);

/// Bytes of state a session of `model` holds now and once fed one more token
/// (Session::state_bytes for adapt_model's models; 0 and 0 for any other CodingModel, whose
/// sessions decode_chunks does not budget).
struct SessionState {
  std::size_t now = 0;
  std::size_t next = 0;
};
SessionState session_state(const CodingModel& model, const CodingSession& session);

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
