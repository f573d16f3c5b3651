// lmc::Model and lmc::Session: loading (checkpoint → bound weights → transformer) and the
// scoring entry points.
#include <lmc/model.hpp>

#include "base/fail.hpp"
#include "base/thread_pool.hpp"
#include "model/checkpoint.hpp"
#include "model/model_fingerprint.hpp"
#include "model/model_tokenizer.hpp"
#include "model/rope_scaling.hpp"
#include "model/weight_binding.hpp"
#include "nn/cpu_features.hpp"
#include "nn/softmax.hpp"
#include "nn/transformer.hpp"

#include <algorithm>
#include <mutex>

LMC_BEGIN_NAMESPACE

struct Model::Impl {
  std::unique_ptr<model::Checkpoint> checkpoint;
  model::BoundModel bound;
  std::unique_ptr<nn::Transformer> transformer;
  std::shared_ptr<Tokenizer> tokenizer;  // shared_ptr: usable with the type incomplete here
  std::string tokenizer_error;
  std::unique_ptr<base::ThreadPool> pool;
  // Pools of other sizes for Session::feed_each(..., threads), made on first use.
  mutable std::mutex other_pools_mutex;
  mutable std::vector<std::unique_ptr<base::ThreadPool>> other_pools;

  // The model's pool, or one of `threads` threads (0: the model's).
  base::ThreadPool* pool_of(std::size_t threads) const {
    if (threads == 0 || threads == pool->size()) return pool.get();
    const std::lock_guard lock(other_pools_mutex);
    for (const auto& other : other_pools) {
      if (other->size() == threads) return other.get();
    }
    other_pools.push_back(std::make_unique<base::ThreadPool>(threads));
    return other_pools.back().get();
  }
  ModelInfo info;
  std::size_t context = 0;
  std::once_flag fingerprint_once;  // the fingerprint reads every weight byte: once, on demand
  std::string fingerprint;
};

Model::Model(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
Model::Model(Model&&) noexcept = default;
Model& Model::operator=(Model&&) noexcept = default;
Model::~Model() = default;

Model Model::load(const std::filesystem::path& path, const ModelOptions& options) {
  // A bad LMC_KERNEL_PATH is reported here, at load, rather than by the first forward pass.
  (void)nn::active_kernel_path();
  auto impl = std::make_unique<Impl>();
  impl->checkpoint = model::Checkpoint::open(path, options.memory_map);
  model::bind_weights(
      *impl->checkpoint, impl->bound,
      options.integer_products ? nn::QuantRecipe::integer : nn::QuantRecipe::float_exact);
  impl->transformer = std::make_unique<nn::Transformer>(impl->bound.config, impl->bound.weights);
  impl->tokenizer = model::load_tokenizer(*impl->checkpoint, impl->tokenizer_error);
  impl->pool = std::make_unique<base::ThreadPool>(options.threads);

  const model::HyperParameters& h = impl->checkpoint->hyper_parameters();
  const nn::TransformerConfig& c = impl->bound.config;
  impl->context =
      options.context != 0 ? options.context : (h.context_length != 0 ? h.context_length : 4096);
  if (impl->bound.weights.position_embedding) {
    impl->context = std::min(impl->context, impl->bound.weights.position_embedding.rows);
  }
  if (h.context_limit != 0 && impl->context > h.context_limit) {
    base::fail(ErrorCode::unsupported, "{}: a context of {} tokens is not supported: {}",
               impl->checkpoint->source(), impl->context, h.context_limit_reason);
  }
  model::apply_rope_context(h, impl->context, impl->bound.config.rope);
  ModelInfo& info = impl->info;
  info.architecture = std::string(impl->checkpoint->spec().name);
  info.name = h.name;
  info.format = std::string(impl->checkpoint->format());
  info.vocab_size = static_cast<std::int64_t>(c.n_vocab);
  info.n_embd = static_cast<std::int64_t>(c.n_embd);
  info.n_layers = static_cast<std::int64_t>(c.n_layers);
  info.n_heads = static_cast<std::int64_t>(c.n_heads);
  info.n_kv_heads = static_cast<std::int64_t>(c.n_kv_heads);
  info.head_dim = static_cast<std::int64_t>(c.key_dim);
  info.n_ff = static_cast<std::int64_t>(c.n_ff);
  info.n_experts = static_cast<std::int64_t>(c.n_experts);
  info.n_experts_used = static_cast<std::int64_t>(c.n_experts_used);
  info.trained_context = static_cast<std::int64_t>(h.context_length);
  info.n_parameters = impl->bound.n_parameters;
  info.weight_bytes = impl->bound.weight_bytes;
  info.weight_type = impl->bound.weight_type;
  info.copied_weight_bytes = impl->bound.copied_weight_bytes;
  return Model(std::move(impl));
}

const ModelInfo& Model::info() const noexcept { return impl_->info; }
bool Model::has_tokenizer() const noexcept { return impl_->tokenizer != nullptr; }

const Tokenizer& Model::tokenizer() const {
  if (!impl_->tokenizer) {
    base::fail(ErrorCode::unsupported, "{}: the model has no tokenizer lmc can read{}{}",
               impl_->checkpoint->source(), impl_->tokenizer_error.empty() ? "" : ": ",
               impl_->tokenizer_error);
  }
  return *impl_->tokenizer;
}

std::size_t Model::context() const noexcept { return impl_->context; }
std::size_t Model::threads() const noexcept { return impl_->pool->size(); }

std::size_t Model::session_bytes(std::size_t positions) const noexcept {
  return impl_->transformer->cache_bytes(positions);
}

std::vector<float> Model::token_logprobs(std::span<const Token> tokens) const {
  if (tokens.size() < 2) {
    for (Token t : tokens) {
      if (t < 0 || static_cast<std::size_t>(t) >= impl_->bound.config.n_vocab) {
        base::fail(ErrorCode::invalid_argument, "token id {} is outside the vocabulary (size {})",
                   t, impl_->bound.config.n_vocab);
      }
    }
    return {};
  }
  const std::size_t n_vocab = impl_->bound.config.n_vocab;
  // The last token is only predicted, never fed.
  const std::span<const Token> fed = tokens.first(tokens.size() - 1);
  nn::KvCache cache = impl_->transformer->make_cache(impl_->context);
  std::vector<float> result(fed.size());
  for (Token t : tokens) {
    if (t < 0 || static_cast<std::size_t>(t) >= n_vocab) {
      base::fail(ErrorCode::invalid_argument, "token id {} is outside the vocabulary (size {})", t,
                 n_vocab);
    }
  }
  // Chunks bound the logits buffer; results do not depend on the chunking.
  std::vector<float> logits;
  for (std::size_t begin = 0; begin < fed.size(); begin += nn::Transformer::max_batch) {
    const std::size_t count = std::min(nn::Transformer::max_batch, fed.size() - begin);
    logits.resize(count * n_vocab);
    impl_->transformer->forward(fed.subspan(begin, count), cache, impl_->pool.get(),
                                nn::LogitsFor::all, logits.data());
    std::vector<double> normalizer(count);
    impl_->pool->parallel_for(count, [&](std::size_t t) {
      normalizer[t] = nn::log_sum_exp(logits.data() + t * n_vocab, n_vocab);
    });
    for (std::size_t t = 0; t < count; ++t) {
      const Token next = tokens[begin + t + 1];
      result[begin + t] =
          static_cast<float>(logits[t * n_vocab + static_cast<std::size_t>(next)] - normalizer[t]);
    }
  }
  return result;
}

struct Session::Impl {
  const Model::Impl* model;
  nn::KvCache cache;
  std::vector<float> logits;
  std::size_t n_outputs = 0;
};

Session::Session(const Model& model)
    : impl_(std::make_unique<Impl>(Impl{
          model.impl_.get(), model.impl_->transformer->make_cache(model.impl_->context), {}, 0})) {}
Session::Session(Session&&) noexcept = default;
Session& Session::operator=(Session&&) noexcept = default;
Session::~Session() = default;

void Session::feed(std::span<const Token> tokens, Outputs outputs) {
  if (tokens.empty()) {
    impl_->n_outputs = 0;
    return;
  }
  const std::size_t n_vocab = impl_->model->bound.config.n_vocab;
  const std::size_t start = impl_->cache.length();
  if (start + tokens.size() > impl_->cache.max_length()) {
    base::fail(ErrorCode::out_of_range,
               "context overflow: {} + {} tokens exceed the session's {} positions", start,
               tokens.size(), impl_->cache.max_length());
  }
  for (Token t : tokens) {
    if (t < 0 || static_cast<std::size_t>(t) >= n_vocab) {
      base::fail(ErrorCode::invalid_argument, "token id {} is outside the vocabulary (size {})", t,
                 n_vocab);
    }
  }
  const std::size_t rows = outputs == Outputs::all ? tokens.size() : 1;
  std::vector<float> logits(rows * n_vocab);
  try {
    impl_->model->transformer->forward(
        tokens, impl_->cache, impl_->model->pool.get(),
        outputs == Outputs::all ? nn::LogitsFor::all : nn::LogitsFor::last, logits.data());
  } catch (...) {
    // Everything the caller can get wrong is checked above; what fails here failed mid-pass
    // (memory). Keys and values rewind; a recurrent state cannot, so it starts over.
    if (impl_->cache.has_recurrent()) {
      impl_->cache.reset();
    } else {
      impl_->cache.truncate(start);
    }
    throw;
  }
  impl_->logits = std::move(logits);
  impl_->n_outputs = rows;
}

void Session::feed(Token token) { feed(std::span<const Token>(&token, 1), Outputs::last); }

void Session::feed_each(std::span<Session* const> sessions, std::span<const Token> tokens) {
  feed_each(sessions, tokens, 0);
}

void Session::feed_each(std::span<Session* const> sessions, std::span<const Token> tokens,
                        std::size_t threads) {
  if (sessions.empty() || sessions.size() != tokens.size() || !sessions[0]) {
    // feed_each below refuses these (or has nothing to do) before it needs the buffer.
    feed_each(sessions, tokens, threads, {});
    return;
  }
  const std::size_t n_vocab = sessions[0]->vocab_size();
  std::vector<float> logits(sessions.size() * n_vocab);
  feed_each(sessions, tokens, threads, logits);
  for (std::size_t i = 0; i < sessions.size(); ++i) {
    Impl& impl = *sessions[i]->impl_;
    impl.logits.assign(logits.begin() + static_cast<std::ptrdiff_t>(i * n_vocab),
                       logits.begin() + static_cast<std::ptrdiff_t>((i + 1) * n_vocab));
    impl.n_outputs = 1;
  }
}

void Session::feed_each(std::span<Session* const> sessions, std::span<const Token> tokens,
                        std::size_t threads, std::span<float> logits) {
  if (sessions.size() != tokens.size()) {
    base::fail(ErrorCode::invalid_argument, "feed_each: {} sessions, {} tokens", sessions.size(),
               tokens.size());
  }
  if (sessions.empty()) return;
  if (sessions.size() > nn::Transformer::max_batch) {
    base::fail(ErrorCode::invalid_argument, "feed_each: {} sessions, at most {}", sessions.size(),
               nn::Transformer::max_batch);
  }
  const Model::Impl* model = nullptr;
  std::vector<nn::SequenceFeed> feeds(sessions.size());
  for (std::size_t i = 0; i < sessions.size(); ++i) {
    if (!sessions[i]) base::fail(ErrorCode::invalid_argument, "feed_each: session {} is null", i);
    Impl& impl = *sessions[i]->impl_;
    if (i == 0) model = impl.model;
    if (impl.model != model) {
      base::fail(ErrorCode::invalid_argument,
                 "feed_each: session {} belongs to another model than session 0", i);
    }
    const std::size_t n_vocab = model->bound.config.n_vocab;
    if (tokens[i] < 0 || static_cast<std::size_t>(tokens[i]) >= n_vocab) {
      base::fail(ErrorCode::invalid_argument,
                 "feed_each: session {}: token id {} is outside the vocabulary (size {})", i,
                 tokens[i], n_vocab);
    }
    if (impl.cache.length() + 1 > impl.cache.max_length()) {
      base::fail(ErrorCode::out_of_range,
                 "feed_each: session {}: context overflow: {} + 1 tokens exceed the session's {} "
                 "positions",
                 i, impl.cache.length(), impl.cache.max_length());
    }
    for (std::size_t j = 0; j < i; ++j) {
      if (sessions[j] == sessions[i]) {
        base::fail(ErrorCode::invalid_argument, "feed_each: sessions {} and {} are the same", j, i);
      }
    }
    feeds[i] = nn::SequenceFeed{tokens.subspan(i, 1), &impl.cache};
  }
  const std::size_t n_vocab = model->bound.config.n_vocab;
  if (logits.size() != sessions.size() * n_vocab) {
    base::fail(ErrorCode::invalid_argument,
               "feed_each: {} floats of logits for {} sessions of a vocabulary of {}",
               logits.size(), sessions.size(), n_vocab);
  }
  std::vector<std::size_t> start(sessions.size());
  for (std::size_t i = 0; i < sessions.size(); ++i) start[i] = sessions[i]->impl_->cache.length();
  try {
    model->transformer->forward_many(feeds, model->pool_of(threads), nn::LogitsFor::last,
                                     logits.data());
  } catch (...) {
    // As in feed(): only a failure inside the pass (memory) gets here.
    for (std::size_t i = 0; i < sessions.size(); ++i) {
      nn::KvCache& cache = sessions[i]->impl_->cache;
      if (cache.has_recurrent()) {
        cache.reset();
      } else {
        cache.truncate(start[i]);
      }
    }
    throw;
  }
  for (Session* session : sessions) session->impl_->n_outputs = 0;
}

std::size_t Session::state_bytes(std::size_t positions) const noexcept {
  return impl_->model->transformer->cache_bytes(impl_->cache.capacity_for(positions));
}

std::size_t Session::position() const noexcept { return impl_->cache.length(); }
std::size_t Session::context() const noexcept { return impl_->cache.max_length(); }
std::size_t Session::n_outputs() const noexcept { return impl_->n_outputs; }
std::size_t Session::vocab_size() const noexcept { return impl_->model->bound.config.n_vocab; }

std::span<const float> Session::logits(std::size_t i) const {
  if (i >= impl_->n_outputs) {
    base::fail(ErrorCode::out_of_range, "output row {} requested, the last feed kept {}", i,
               impl_->n_outputs);
  }
  const std::size_t n_vocab = impl_->model->bound.config.n_vocab;
  return std::span<const float>(impl_->logits).subspan(i * n_vocab, n_vocab);
}

std::vector<float> Session::logprobs(std::size_t i) const {
  const std::span<const float> row = logits(i);
  std::vector<float> out(row.size());
  nn::log_softmax(row.data(), row.size(), out.data());
  return out;
}

float Session::logprob(std::size_t i, Token next) const {
  const std::span<const float> row = logits(i);
  if (next < 0 || static_cast<std::size_t>(next) >= row.size()) {
    base::fail(ErrorCode::invalid_argument, "token id {} is outside the vocabulary (size {})", next,
               row.size());
  }
  return static_cast<float>(row[static_cast<std::size_t>(next)] -
                            nn::log_sum_exp(row.data(), row.size()));
}

void Session::reset() {
  impl_->cache.reset();
  impl_->n_outputs = 0;
}

void Session::truncate(std::size_t n) {
  impl_->cache.truncate(n);
  impl_->n_outputs = 0;
}

std::string Model::fingerprint() const {
  std::call_once(impl_->fingerprint_once, [this] {
    impl_->fingerprint =
        model::fingerprint(impl_->info.architecture, impl_->bound, impl_->tokenizer.get());
  });
  return impl_->fingerprint;
}

std::uint32_t Model::numeric_profile() const { return model::numeric_profile(impl_->bound); }

LMC_END_NAMESPACE
