// Bits per character of a corpus under a language model, measured the way "Compression
// Represents Intelligence Linearly" (Huang et al., COLM 2024) measures it. See docs/bpc.md.
#pragma once

#include <lmc/corpus.hpp>
#include <lmc/error.hpp>
#include <lmc/export.hpp>
#include <lmc/model.hpp>
#include <lmc/version.hpp>

#include <cstddef>
#include <cstdint>
#include <functional>
#include <iosfwd>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

LMC_BEGIN_NAMESPACE

/// How windows are accounted (docs/bpc.md has the exact rules and a worked example).
enum class WindowMode {
  /// Every token after the first is scored exactly once, the tail included; BOS targets are
  /// left out of the loss unless BpcOptions::score_bos is set.
  exact,
  /// The released code of the paper, quirks included: only full windows are scored (up to
  /// stride - 1 tail tokens are dropped while their characters still count) and BOS targets
  /// are scored.
  paper,
};

/// "exact" or "paper".
LMC_EXPORT std::string_view to_string(WindowMode mode) noexcept;
/// Parses "exact" or "paper"; throws lmc::Error (invalid_argument) otherwise.
LMC_EXPORT WindowMode parse_window_mode(std::string_view text);

/// Progress of an evaluation, passed to BpcOptions::progress after each window.
struct EvalProgress {
  std::uint64_t windows_done = 0;         ///< windows this shard has scored
  std::uint64_t scored_tokens_done = 0;   ///< targets scored so far by this shard
  std::uint64_t forward_tokens_done = 0;  ///< tokens the model has read so far
  std::uint64_t tokens_read = 0;          ///< tokens of the corpus tokenized so far
  /// Estimate of this shard's scored tokens at the end (from the share of the corpus read;
  /// exact once the corpus is read whole).
  std::uint64_t scored_tokens_total = 0;
  double seconds = 0;            ///< since the evaluation started
  double tokens_per_second = 0;  ///< scored tokens per second
  double eta_seconds = 0;        ///< estimated seconds left
};

struct BpcOptions {
  std::size_t context = 1900;  ///< tokens the model reads per window (1 or more)
  std::size_t stride = 512;    ///< tokens between window starts, 1..context
  WindowMode mode = WindowMode::exact;
  /// exact mode: count BOS targets in the loss and in the scored tokens (paper mode always
  /// does).
  bool score_bos = false;
  /// Shard `shard_index` of `shard_count` scores windows k with k mod shard_count ==
  /// shard_index; every shard reads and tokenizes the whole corpus. Merged shards equal the
  /// unsharded result exactly (BpcResult::merge).
  std::size_t shard_index = 0;
  std::size_t shard_count = 1;
  /// Stop after this many (non-empty) documents; 0 reads them all.
  std::uint64_t max_documents = 0;
  /// Keep per-document figures in the result.
  bool per_document = false;
  /// A label (e.g. the model path) stored in the result; merge() requires equal labels.
  std::string model_name;
  /// When set, one TSV row per counted target is written here after a header line:
  /// document (0-based), position (token index in the document), token id, token text
  /// (with \\, \t, \n, \r escaped), bits (-log2 p). The bits column sums to total_bits up
  /// to rounding.
  std::ostream* token_dump = nullptr;
  /// Called after each scored window.
  std::function<void(const EvalProgress&)> progress;
  /// Resumable evaluation (docs/bpc.md, "Checkpoints"). When not empty, the evaluation's exact
  /// state (the integer loss sums and counts, the next window, a digest of the documents read
  /// so far, the model's fingerprint and these options) is written to this file, atomically,
  /// after a scored window once checkpoint_seconds have passed since the last write, and at
  /// the end. When the file exists as the evaluation starts, it continues from it: the corpus
  /// is read again (windows already scored are not), and the result equals an uninterrupted
  /// run's in every figure but the timings (seconds sums the runs). A checkpoint written for
  /// other options, another model or another corpus is refused (Error: invalid_argument, or
  /// model_mismatch for another model); so is a token_dump with a checkpoint (the dump of a
  /// resumed run would lack the windows scored before).
  std::string checkpoint;
  /// Seconds between checkpoint writes (0: after every scored window).
  double checkpoint_seconds = 60;
};

/// A shard "i/n" (0 <= i < n), as the --shard option writes it.
struct Shard {
  std::size_t index = 0;
  std::size_t count = 1;
};
/// Parses "i/n"; throws lmc::Error (invalid_argument) unless 0 <= i < n.
LMC_EXPORT Shard parse_shard(std::string_view text);

namespace eval {
struct Access;  // lib/eval/bpc_result_impl.hpp
}

/// Figures of one document (with BpcOptions::per_document).
struct DocumentFigures {
  std::string source;                      ///< file it came from
  std::uint64_t line = 0;                  ///< line of a JSONL record, 0 for a whole file
  std::uint64_t characters = 0;            ///< Unicode code points
  std::uint64_t bytes = 0;                 ///< UTF-8 bytes
  std::uint64_t tokens = 0;                ///< tokens, BOS included
  std::uint64_t scored_tokens = 0;         ///< targets of this document counted in the loss
  double bits = 0;                         ///< their -log2 p, summed
  LMC_EXPORT double bpc() const noexcept;  ///< bits / characters
};

/// The outcome of an evaluation, or of several shards merged.
///
/// Corpus-wide figures (documents, characters, bytes, tokens) are the same in every shard;
/// window figures (bits, scored tokens, windows, forward tokens, seconds) belong to the
/// shards included. The loss is kept as an integer count of 2^-32 nats, each target rounded
/// once, so that sums do not depend on the order in which shards are merged.
class LMC_EXPORT BpcResult {
 public:
  BpcResult();
  BpcResult(const BpcResult&);
  BpcResult(BpcResult&&) noexcept;
  BpcResult& operator=(const BpcResult&);
  BpcResult& operator=(BpcResult&&) noexcept;
  ~BpcResult();

  double total_bits() const noexcept;  ///< Σ -log2 p over counted targets
  double total_nats() const noexcept;  ///< Σ -ln p over counted targets
  std::uint64_t characters() const noexcept;
  std::uint64_t bytes() const noexcept;
  std::uint64_t tokens() const noexcept;  ///< tokens of the corpus, BOS included
  std::uint64_t scored_tokens() const noexcept;
  std::uint64_t documents() const noexcept;
  std::uint64_t windows() const noexcept;
  std::uint64_t forward_tokens() const noexcept;  ///< tokens the model read, all windows
  std::uint64_t skipped_records() const noexcept;
  std::uint64_t empty_documents() const noexcept;
  double seconds() const noexcept;  ///< evaluation time, summed over merged shards

  std::size_t context() const noexcept;
  std::size_t stride() const noexcept;
  WindowMode mode() const noexcept;
  bool score_bos() const noexcept;
  /// BpcOptions::max_documents of the evaluation (0: the whole corpus).
  std::uint64_t max_documents() const noexcept;
  const std::string& model_name() const noexcept;
  const std::string& corpus() const noexcept;
  std::size_t shard_count() const noexcept;
  /// Shards included, ascending.
  const std::vector<std::size_t>& shards() const noexcept;
  /// True when every shard 0..shard_count-1 is included.
  bool complete() const noexcept;

  /// Per-document figures (empty unless BpcOptions::per_document).
  const std::vector<DocumentFigures>& document_figures() const noexcept;

  /// Bits per character (Unicode code points); NaN when nothing was scored.
  double bpc() const noexcept;
  /// Bits per UTF-8 byte; NaN when nothing was scored.
  double bits_per_byte() const noexcept;
  /// Bits per counted target; NaN when nothing was scored.
  double bits_per_token() const noexcept;
  /// exp(nats per counted target); NaN when nothing was scored.
  double token_perplexity() const noexcept;
  /// Scored tokens per second, and tokens the model read per second.
  double tokens_per_second() const noexcept;
  double forward_tokens_per_second() const noexcept;

  /// Overrides the time (e.g. with the wall-clock time of a parallel run).
  void set_seconds(double seconds) noexcept;

  /// Adds the shards of `other`. Throws lmc::Error (invalid_argument) when the two are not
  /// shards of one evaluation (settings, model name, corpus, corpus-wide figures or shard
  /// count differ) or share a shard.
  void merge(const BpcResult& other);

  /// One JSON object (keys in docs/bpc.md). Figures that are NaN are written as null.
  std::string to_json() const;
  /// Reads what to_json wrote. `source` names the input in errors. Throws lmc::Error
  /// (format) naming the source and key.
  static BpcResult from_json(std::string_view json, std::string_view source = "<json>");

 private:
  friend struct eval::Access;
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

/// Bits per character of `corpus` (read from where it stands to its end, or max_documents)
/// under `model`. Documents are encoded with the model's tokenizer and its own special tokens
/// (EncodeOptions::add_special, as the paper's `tokenizer.encode` does); a document's first token
/// is a BOS target when the tokenizer adds a BOS. Each window runs in a fresh Session: the prefix
/// before the first target is fed keeping only its last output row, then the targets, so the
/// window's log-probabilities equal Model::token_logprobs bit for bit. The model must hold at
/// least options.context positions (ModelOptions::context). Throws lmc::Error: what the corpus
/// or the model throw; unsupported when the model has no tokenizer; invalid_argument for bad
/// options or a model holding fewer positions than options.context.
LMC_EXPORT BpcResult evaluate_bpc(const Model& model, Corpus& corpus,
                                  const BpcOptions& options = {});

LMC_END_NAMESPACE
