// Coding one chunk (an independent piece of the input) into one range-coder stream.
//
// Stream layout, all through the range coder (docs/container.md, "Chunk stream"): segments in
// order until the chunk's original size is reached, each as
//   kind        1 bit uniform: 0 model, 1 escape
//   size        bytes of original data (1 .. bytes left in the chunk), as a coded integer
//   model:  count    tokens (1 .. size + 16), then each token with the model's frequencies
//   escape: size bytes with an adaptive order-0 byte model
// A coded integer is its bit length k (0..64, uniform over 65) then its k-1 bits below the
// leading one (uniform, at most 32 at a time).
// Model tokens form one stream across the segments of a chunk; every window_tokens tokens the
// model context restarts (reset, then the start token).
#pragma once

#include <lmc/coding_model.hpp>

#include "base/thread_pool.hpp"

#include <cstddef>
#include <cstdint>
#include <functional>
#include <span>
#include <string>
#include <vector>

LMC_BEGIN_NAMESPACE
namespace coding {

struct ChunkCoding {
  std::size_t window_tokens = 0;  // tokens per model context, >= 1
  std::size_t batch_tokens = 0;   // tokens per logits_batch call (compressor only)
  bool choose_by_cost = true;     // escape where cheaper than the model (compressor only)
};

struct ChunkCost {
  std::uint64_t tokens = 0;
  std::uint64_t escaped_bytes = 0;
  double ideal_token_bits = 0;
  double coded_bits = 0;
};

std::vector<std::byte> encode_chunk(const CodingModel& model, std::span<const std::byte> chunk,
                                    const ChunkCoding& coding);

/// The cost of encode_chunk's output in bits, without coding.
ChunkCost estimate_chunk(const CodingModel& model, std::span<const std::byte> chunk,
                         const ChunkCoding& coding);

/// Decodes a stream of `original_size` bytes into `out` (which has that size). `where` names
/// the chunk in error messages. Throws Error(corrupt_data) when the stream is not one
/// encode_chunk can have written.
void decode_chunk(const CodingModel& model, std::span<const std::byte> stream,
                  std::span<std::byte> out, const ChunkCoding& coding, const std::string& where);

/// One chunk for decode_chunks: its stream, the bytes it decodes into (its original size) and
/// its name in error messages.
struct ChunkJob {
  std::span<const std::byte> stream;
  std::span<std::byte> out;
  std::string where;
};

/// Most chunks decode_chunks advances in lock step (one forward pass holds at most 512 rows).
inline constexpr std::size_t kMaxLockstepLanes = 512;

/// What a lock-step decode did: batched passes, the rows (tokens) fed in them, and the most
/// session state (coding::session_state) its sessions held at once.
struct LockstepStats {
  std::size_t steps = 0;
  std::size_t rows = 0;
  std::size_t peak_state_bytes = 0;
};

/// Decodes `jobs` as decode_chunk does each, with up to `lanes` of them in flight in lock
/// step: every step advances chunks that wait for the model by one token, all of them in one
/// logits_next_each call (one batched forward pass for an lmc::Model, split over the pool's
/// threads: its weights are read once per step for all of them), then decodes those tokens on
/// the pool's threads. A chunk that completes makes room for the next job. The sessions hold
/// at most `state_budget` bytes of state (coding::session_state) plus the session of the
/// oldest chunk in flight: a chunk whose next token would grow its session past the budget
/// waits while older ones advance (the oldest always advances), and a completed chunk's
/// session is dropped while the budget is exceeded, else kept for the oldest chunk in flight
/// without one. done(i) is
/// called (on this thread) when jobs[i] is decoded. The bytes depend neither on `lanes`, the
/// budget nor the pool: each chunk's logits are those of decoding it alone (the determinism
/// contract).
LockstepStats decode_chunks(const CodingModel& model, std::span<const ChunkJob> jobs,
                            const ChunkCoding& coding, std::size_t lanes, std::size_t state_budget,
                            base::ThreadPool& pool, const std::function<void(std::size_t)>& done);

}  // namespace coding
LMC_END_NAMESPACE
