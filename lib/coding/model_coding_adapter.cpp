// lmc::Model as an lmc::CodingModel, through the model's public interface only: the tokenizer,
// lmc::Session for the logits, Model::fingerprint() and Model::numeric_profile().
#include "coding/model_coding_adapter.hpp"

#include <lmc/tokenizer.hpp>

#include "base/fail.hpp"

#include <algorithm>
#include <cstdint>

#include <unistd.h>

LMC_BEGIN_NAMESPACE
namespace coding {
namespace {

class ModelCodingSession final : public CodingSession {
 public:
  explicit ModelCodingSession(const Model& model) : session_(model) {}

  void reset() override { session_.reset(); }

  Session& session() { return session_; }
  const Session& session() const { return session_; }

  void logits_batch(std::span<const Token> tokens, std::span<float> logits) override {
    const std::size_t n_vocab = session_.vocab_size();
    if (logits.size() != tokens.size() * n_vocab) {
      base::fail(ErrorCode::invalid_argument, "logits_batch: {} floats for {} tokens of {}",
                 logits.size(), tokens.size(), n_vocab);
    }
    if (tokens.empty()) return;
    session_.feed(tokens, Outputs::all);
    for (std::size_t i = 0; i < tokens.size(); ++i) {
      const std::span<const float> row = session_.logits(i);
      std::copy(row.begin(), row.end(), logits.begin() + static_cast<std::ptrdiff_t>(i * n_vocab));
    }
  }

 private:
  Session session_;
};

class ModelCodingModel final : public CodingModel {
 public:
  explicit ModelCodingModel(const Model& model) : model_(model), tokenizer_(model.tokenizer()) {
    const std::optional<Token> bos = tokenizer_.bos();
    if (!bos) {
      base::fail(ErrorCode::unsupported,
                 "model {}: its tokenizer has no BOS token to start coding with",
                 model.info().name);
    }
    start_token_ = *bos;
    fingerprint_ = model.fingerprint();
    numeric_profile_ = model.numeric_profile();
  }

  std::size_t vocab_size() const override {
    return static_cast<std::size_t>(model_.info().vocab_size);
  }
  std::size_t context() const override { return model_.context(); }
  Token start_token() const override { return start_token_; }
  std::string fingerprint() const override { return fingerprint_; }
  std::uint32_t numeric_profile() const override { return numeric_profile_; }

  std::vector<Token> encode(std::string_view text) const override {
    return tokenizer_.encode(text);
  }
  std::string decode(std::span<const Token> tokens) const override {
    return tokenizer_.decode(tokens);
  }
  std::unique_ptr<CodingSession> new_session() const override {
    return std::make_unique<ModelCodingSession>(model_);
  }

  const Model& model() const { return model_; }

 private:
  const Model& model_;
  const Tokenizer& tokenizer_;
  Token start_token_ = 0;
  std::string fingerprint_;
  std::uint32_t numeric_profile_ = 0;
};

}  // namespace

std::unique_ptr<CodingModel> adapt_model(const Model& model) {
  return std::make_unique<ModelCodingModel>(model);
}

std::size_t lockstep_state_budget() noexcept {
  const long pages = sysconf(_SC_PHYS_PAGES);
  const long page_bytes = sysconf(_SC_PAGESIZE);
  if (pages <= 0 || page_bytes <= 0) return kLockstepCacheBudget;
  const auto quarter = static_cast<std::size_t>(pages) / 4;
  const auto bytes = static_cast<std::size_t>(page_bytes);
  return quarter > SIZE_MAX / bytes ? SIZE_MAX : quarter * bytes;
}

std::size_t lockstep_lanes(const CodingModel& model, std::size_t threads) {
  if (dynamic_cast<const ModelCodingModel*>(&model) == nullptr) {
    return std::max<std::size_t>(1, threads);
  }
  return kMaxDefaultLockstepLanes;
}

SessionState session_state(const CodingModel& model, const CodingSession& session) {
  if (dynamic_cast<const ModelCodingModel*>(&model) == nullptr) return {};
  // The model's new_session() made the session: a ModelCodingSession.
  const Session& s = static_cast<const ModelCodingSession&>(session).session();
  return {s.state_bytes(s.position()), s.state_bytes(s.position() + 1)};
}

void logits_next_each(const CodingModel& model, std::span<CodingSession* const> sessions,
                      std::span<const Token> tokens, std::span<float> logits,
                      base::ThreadPool& pool) {
  const std::size_t n_vocab = model.vocab_size();
  if (sessions.size() != tokens.size() || logits.size() != tokens.size() * n_vocab) {
    base::fail(ErrorCode::invalid_argument,
               "logits_next_each: {} sessions, {} tokens, {} floats for a vocabulary of {}",
               sessions.size(), tokens.size(), logits.size(), n_vocab);
  }
  const auto* adapted = dynamic_cast<const ModelCodingModel*>(&model);
  if (adapted == nullptr) {
    pool.parallel_for(sessions.size(), [&](std::size_t i) {
      sessions[i]->logits_next(tokens[i], logits.subspan(i * n_vocab, n_vocab));
    });
    return;
  }
  // The model's new_session() made every session: each is a ModelCodingSession.
  std::vector<Session*> models(sessions.size());
  for (std::size_t i = 0; i < sessions.size(); ++i) {
    models[i] = &static_cast<ModelCodingSession*>(sessions[i])->session();
  }
  // The pass writes the rows straight into `logits`: no copy.
  Session::feed_each(models, tokens, std::max(pool.size(), adapted->model().threads()), logits);
}

}  // namespace coding

std::unique_ptr<CodingModel> make_coding_model(const Model& model) {
  return coding::adapt_model(model);
}

LMC_END_NAMESPACE
