// Checkpoints of a running evaluation (BpcOptions::checkpoint): the partial result with its
// exact integer sums, plus what the evaluator needs to continue and to recognise its own
// evaluation (the next window, a digest of the documents read, the model's fingerprint).
#pragma once

#include <lmc/eval.hpp>

#include <cstdint>
#include <string>
#include <string_view>

LMC_BEGIN_NAMESPACE
namespace eval {

/// FNV-1a (64 bits) over each document's length (8 bytes, little-endian) and bytes: tells a
/// resumed run whether it reads the same documents as the run that wrote the checkpoint.
/// Not cryptographic: it catches another or an edited corpus, not an adversary.
class CorpusDigest {
 public:
  void add(std::string_view text) noexcept;
  std::uint64_t value() const noexcept { return hash_; }

 private:
  void mix(unsigned char byte) noexcept;
  std::uint64_t hash_ = 0xcbf29ce484222325ULL;
};

struct Checkpoint {
  BpcResult partial;                 ///< the result so far (timings: all runs so far)
  std::string model_fingerprint;     ///< Model::fingerprint(), empty for a bare scorer
  std::uint64_t documents_read = 0;  ///< documents the digest covers
  std::uint64_t corpus_digest = 0;   ///< CorpusDigest of those documents
  std::uint64_t stream_tokens = 0;   ///< tokens of the stream after them
  std::uint64_t next_window = 0;     ///< the first window not yet handled
  std::uint64_t last_end = 0;        ///< end of the last window this shard scored
};

/// The checkpoint file's text: one JSON object, the members of BpcResult::to_json plus
/// "checkpoint": {"format": "lmc-bpc-checkpoint", "version": 1, ...}.
std::string checkpoint_to_json(const Checkpoint& checkpoint);
/// Reads checkpoint_to_json's output. Throws Error(format) naming `source` and the key.
Checkpoint checkpoint_from_json(std::string_view json, std::string_view source);

}  // namespace eval
LMC_END_NAMESPACE
