// Closed-form stand-ins for the evaluator's internal seams (lib/eval/scorer.hpp), not a model:
// a byte tokenizer and scorers whose log-probabilities are known in closed form, so that
// expected sums can be written by hand or computed directly from the token stream.
#pragma once

#include <lmc/eval.hpp>

#include "eval/scorer.hpp"

#include <cmath>
#include <cstdint>
#include <functional>
#include <string>
#include <vector>

namespace eval_test {

/// Token of byte b is b + 1; 0 is BOS (prepended when `with_bos`).
inline lmc::eval::EvalTokenizer byte_tokenizer(bool with_bos) {
  lmc::eval::EvalTokenizer tokenizer;
  tokenizer.encode = [with_bos](std::string_view text) {
    std::vector<lmc::Token> ids;
    if (with_bos) ids.push_back(0);
    for (unsigned char c : text) ids.push_back(static_cast<lmc::Token>(c) + 1);
    return ids;
  };
  if (with_bos) tokenizer.bos = 0;
  tokenizer.token_text = [](lmc::Token token) {
    return token == 0 ? std::string("<s>") : std::string(1, static_cast<char>(token - 1));
  };
  return tokenizer;
}

/// Scores with a function of (window, index of the target in the window), and records calls.
class FunctionScorer final : public lmc::eval::LogprobScorer {
 public:
  using Function = std::function<float(std::span<const lmc::Token> window, std::size_t target)>;
  explicit FunctionScorer(Function function) : function_(std::move(function)) {}

  struct Call {
    std::vector<lmc::Token> window;
    std::size_t first_target;
  };
  std::vector<Call> calls;
  bool record = false;

  std::vector<float> score(std::span<const lmc::Token> window, std::size_t first_target) override {
    if (record) calls.push_back({{window.begin(), window.end()}, first_target});
    std::vector<float> out;
    for (std::size_t i = first_target; i < window.size(); ++i) out.push_back(function_(window, i));
    return out;
  }

 private:
  Function function_;
};

/// -2 nats for every target (a value a float holds exactly): 2 / ln 2 bits each.
inline float uniform_byte(std::span<const lmc::Token>, std::size_t) { return -2.0f; }
inline const double kUniformBits = 2.0 / std::log(2.0);

/// A bigram-like value that depends only on the target and the token before it, with many
/// significant bits, in (-12, -0.01) nats.
inline float bigram(lmc::Token previous, lmc::Token token) {
  std::uint32_t h = static_cast<std::uint32_t>(previous) * 2654435761u ^
                    static_cast<std::uint32_t>(token) * 40503u;
  h ^= h >> 15;
  h *= 2246822519u;
  h ^= h >> 13;
  return -0.01f - static_cast<float>(h % 1000003u) * (12.0f / 1000003.0f);
}

inline float bigram_scorer(std::span<const lmc::Token> window, std::size_t target) {
  return bigram(window[target - 1], window[target]);
}

}  // namespace eval_test
