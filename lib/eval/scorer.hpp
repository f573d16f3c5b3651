// The evaluator's seams: what it needs from a tokenizer and from a model. lmc::evaluate_bpc
// fills them from an lmc::Model (model_scorer.cpp); the unit tests fill them with scorers whose
// sums are known in closed form, to check the window accounting exactly.
#pragma once

#include <lmc/corpus.hpp>
#include <lmc/eval.hpp>
#include <lmc/model.hpp>
#include <lmc/token.hpp>

#include <cstddef>
#include <functional>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

LMC_BEGIN_NAMESPACE
namespace eval {

/// What the evaluator needs from a model's tokenizer.
struct EvalTokenizer {
  /// Token ids of one document, with the special tokens the tokenizer adds by default
  /// (e.g. a leading BOS). Required.
  std::function<std::vector<Token>(std::string_view text)> encode;
  /// The BOS id `encode` puts first, if it does: a document's first token equal to it is a
  /// BOS target (it stands for no characters).
  std::optional<Token> bos;
  /// Text of a token, for the surprisal dump; optional (the column is empty without it).
  std::function<std::string(Token token)> token_text;
};

/// What the evaluator needs from a model: log-probabilities of tokens given their prefix.
/// The evaluator calls score() once per window, from one thread, and never concurrently.
class LogprobScorer {
 public:
  LogprobScorer() = default;
  LogprobScorer(const LogprobScorer&) = delete;
  LogprobScorer& operator=(const LogprobScorer&) = delete;
  virtual ~LogprobScorer() = default;

  /// Natural-log probabilities of the targets window[first_target .. window.size()), each
  /// given all tokens before it in the window: element j is
  /// ln p(window[first_target + j] | window[0 .. first_target + j)). The window starts a
  /// fresh context (position 0 is window[0]); the model reads window.size() - 1 tokens, at
  /// most BpcOptions::context. Preconditions: 1 <= first_target < window.size().
  /// Must return exactly window.size() - first_target finite values, or throw lmc::Error.
  virtual std::vector<float> score(std::span<const Token> window, std::size_t first_target) = 0;
};

/// Evaluates `scorer` on `corpus` (read from where it stands to its end, or max_documents).
/// `model_fingerprint` identifies the model in checkpoints (BpcOptions::checkpoint): a
/// checkpoint with another is refused. Throws lmc::Error: what the corpus, tokenizer or scorer
/// throw; invalid_argument for bad options or a checkpoint of another evaluation;
/// model_mismatch for a checkpoint of another model; out_of_range when the scorer returns a
/// wrong count or a non-finite value.
BpcResult evaluate_bpc(Corpus& corpus, const EvalTokenizer& tokenizer, LogprobScorer& scorer,
                       const BpcOptions& options = {}, std::string_view model_fingerprint = {});

/// An lmc::Model as a LogprobScorer. Each window runs in a fresh Session: the prefix before the
/// first target is fed keeping only its last output row, then the targets, so the output layer
/// runs only where a target is predicted and the window's last token is never fed (results
/// equal token_logprobs bit for bit, by Session's contract). The model must hold at least
/// BpcOptions::context positions (ModelOptions::context) and outlive the scorer.
class ModelScorer final : public LogprobScorer {
 public:
  explicit ModelScorer(const Model& model) : session_(model) {}
  std::vector<float> score(std::span<const Token> window, std::size_t first_target) override;

 private:
  Session session_;
};

/// A model's tokenizer as the evaluator needs it: documents are encoded with the tokenizer's
/// own special tokens, `bos` is set when the tokenizer adds a BOS, token_text is the vocabulary
/// spelling. The model must outlive the result. Throws lmc::Error (unsupported) when the model
/// has no tokenizer.
EvalTokenizer eval_tokenizer(const Model& model);

}  // namespace eval
LMC_END_NAMESPACE
