// Where the sliding windows of a BPC evaluation lie in the concatenated token stream.
//
// Both modes share one grid. With context C (tokens the model reads per window) and stride S
// (1 <= S <= C), window k covers the tokens [kS, kS + C + 1): the model reads the first C of
// them and predicts each token from the ones before it inside the window. Window 0 scores the
// targets 1..C (token 0 has no context and is never scored); window k >= 1 scores only the
// targets after the last one of window k - 1, that is [(k-1)S + C + 1, kS + C + 1), so each
// scored token has at least C - S + 1 tokens of context.
//
// - paper: the accounting of the released code of "Compression Represents Intelligence
//   Linearly" (hkust-nlp/llm-compression-intelligence, code/evaluation): only full windows,
//   floor((N - C - 1) / S) + 1 of them (none when N < C + 1, where the released code fails),
//   so the last (N - C - 1) mod S tokens are never scored.
// - exact: the same windows, plus at most one last window, cut short at the end of the
//   stream, that scores the remaining tail: every token 1..N-1 is scored exactly once.
#pragma once

#include <lmc/version.hpp>

#include <cstdint>

LMC_BEGIN_NAMESPACE
namespace eval {

enum class PlanMode { exact, paper };

/// One window: the model is given tokens [begin, end) and scores the targets
/// [first_target, end), each from the tokens [begin, target).
struct Window {
  std::uint64_t begin = 0;
  std::uint64_t first_target = 0;
  std::uint64_t end = 0;

  friend bool operator==(const Window&, const Window&) = default;
};

struct WindowGrid {
  std::uint64_t context = 1900;
  std::uint64_t stride = 512;

  /// Throws lmc::Error (invalid_argument) unless context >= 1 and 1 <= stride <= context.
  void validate() const;

  /// The tokens window k needs when it is full: it is ready once that many tokens are known.
  std::uint64_t full_end(std::uint64_t k) const { return k * stride + context + 1; }

  /// Number of windows for a stream of `n_tokens` tokens.
  std::uint64_t window_count(PlanMode mode, std::uint64_t n_tokens) const;

  /// Window k (k < window_count) of a stream of `n_tokens` tokens.
  Window window(std::uint64_t k, std::uint64_t n_tokens) const;
};

}  // namespace eval
LMC_END_NAMESPACE
