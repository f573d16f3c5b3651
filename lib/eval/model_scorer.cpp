// The evaluator's view of an lmc::Model: its tokenizer hooks and a Session-based scorer.
#include "eval/scorer.hpp"

#include <lmc/tokenizer.hpp>

#include "base/fail.hpp"

LMC_BEGIN_NAMESPACE
namespace eval {

std::vector<float> ModelScorer::score(std::span<const Token> window, std::size_t first_target) {
  if (first_target < 1 || first_target >= window.size()) {
    base::fail(ErrorCode::invalid_argument, "ModelScorer: first target {} outside [1, {})",
               first_target, window.size());
  }
  Session& session = session_;
  session.reset();
  std::vector<float> logprobs;
  logprobs.reserve(window.size() - first_target);
  // The prefix window[0, first_target) yields one row: the prediction of window[first_target].
  session.feed(window.first(first_target), Outputs::last);
  logprobs.push_back(session.logprob(0, window[first_target]));
  // window[first_target, size - 1) predict the remaining targets, one row each.
  const std::size_t rest = window.size() - 1 - first_target;
  if (rest > 0) {
    session.feed(window.subspan(first_target, rest), Outputs::all);
    for (std::size_t row = 0; row < rest; ++row) {
      logprobs.push_back(session.logprob(row, window[first_target + 1 + row]));
    }
  }
  return logprobs;
}

EvalTokenizer eval_tokenizer(const Model& model) {
  const Tokenizer& tokenizer = model.tokenizer();
  EvalTokenizer hooks;
  hooks.encode = [&tokenizer](std::string_view text) {
    EncodeOptions options;
    options.add_special = true;
    return tokenizer.encode(text, options);
  };
  if (tokenizer.add_bos_by_default()) hooks.bos = tokenizer.bos();
  hooks.token_text = [&tokenizer](Token token) { return std::string(tokenizer.token_text(token)); };
  return hooks;
}

}  // namespace eval

BpcResult evaluate_bpc(const Model& model, Corpus& corpus, const BpcOptions& options) {
  if (model.context() < options.context) {
    base::fail(ErrorCode::invalid_argument,
               "the model holds {} positions but the evaluation context is {} (load it with "
               "ModelOptions::context >= {})",
               model.context(), options.context, options.context);
  }
  const eval::EvalTokenizer tokenizer = eval::eval_tokenizer(model);
  eval::ModelScorer scorer(model);
  // The fingerprint hashes every weight byte, so it is computed only when a checkpoint needs it.
  const std::string fingerprint = options.checkpoint.empty() ? std::string() : model.fingerprint();
  return eval::evaluate_bpc(corpus, tokenizer, scorer, options, fingerprint);
}

LMC_END_NAMESPACE
