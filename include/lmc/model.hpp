// lmc::Model: a decoder-only language model loaded from a GGUF file or a Hugging Face folder,
// and lmc::Session, incremental scoring with a KV cache.
//
// Log-probabilities are natural logarithms. Results do not depend on the thread count, on
// how tokens are split into feed() calls, or on the SIMD path the CPU offers (see
// docs/forward_pass.md), so a batched pass and one-token-at-a-time decoding agree bit for bit.
#pragma once

#include <lmc/error.hpp>
#include <lmc/export.hpp>
#include <lmc/token.hpp>
#include <lmc/version.hpp>

#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <memory>
#include <span>
#include <string>
#include <vector>

LMC_BEGIN_NAMESPACE

class Tokenizer;

/// How to load a model.
struct ModelOptions {
  /// Threads for the forward pass, counting the caller; 0 means one per hardware thread.
  std::size_t threads = 0;
  /// Positions a session can hold (KV cache size). 0 means the model's trained context length,
  /// or 4096 when the file does not state one. token_logprobs refuses more than context + 1 ids.
  std::size_t context = 0;
  /// Map weight files into memory (true) or read them into memory (false).
  bool memory_map = true;
  /// How block-quantized matrices (Q4_0 … Q8_0, Q2_K … Q6_K, IQ4_NL, IQ4_XS) are multiplied
  /// (docs/forward_pass.md, "Numerics"). false: exactly dequantized weights times F32
  /// activations, the F32 product of the dequantized matrix. true: the activations are
  /// quantized per block to int8 as llama.cpp does and multiplied with the weight codes in exact
  /// integer sums, as llama.cpp computes by default: several times faster, but a single
  /// activation code that rounds the other way moves later log-probabilities by a few
  /// hundredths of a nat on sensitive models. Either way the results do not depend on threads,
  /// batch split or SIMD path; the numeric profile records the choice.
  bool integer_products = false;
};

/// What a loaded model is.
struct ModelInfo {
  std::string architecture;     ///< lmc's architecture name: "llama", "qwen2", "gpt2", ...
  std::string name;             ///< general.name or the folder name
  std::string format;           ///< "gguf" or "safetensors"
  std::int64_t vocab_size = 0;  ///< rows of the output layer (Tokenizer::vocab_size() may be less)
  std::int64_t n_embd = 0;
  std::int64_t n_layers = 0;
  std::int64_t n_heads = 0;
  std::int64_t n_kv_heads = 0;
  std::int64_t head_dim = 0;
  std::int64_t n_ff = 0;
  std::int64_t n_experts = 0;  ///< 0 for a dense model
  std::int64_t n_experts_used = 0;
  std::int64_t trained_context = 0;  ///< context the model was trained with (0: not stated)
  std::int64_t n_parameters = 0;     ///< elements of every weight tensor the model uses
  std::uint64_t weight_bytes = 0;    ///< bytes of those tensors as stored
  std::string weight_type;           ///< the matrices' type ("F32", "Q8_0", ...) or "mixed"
  /// Bytes of weight matrices held in memory as F32 copies, outside the file's mapping: 0 for
  /// every type the kernels read in place (F32, F16, BF16, Q4_0 … Q8_0, Q2_K … Q6_K, IQ4_NL,
  /// IQ4_XS); the rest (integer tensors, ...) is dequantized once at load.
  std::uint64_t copied_weight_bytes = 0;
};

class Session;

/// A loaded model. Weights stay memory-mapped. Move-only; const member functions may be
/// called from several threads at once.
class LMC_EXPORT Model {
 public:
  /// Loads a `.gguf` file, or a Hugging Face folder (config.json and model.safetensors or a
  /// sharded index, plus tokenizer.json when present). Throws Error: io when files cannot be
  /// read; format when they are malformed or a tensor is missing or has the wrong shape
  /// (naming the tensor or metadata key); unsupported for an unknown architecture or feature.
  static Model load(const std::filesystem::path& path, const ModelOptions& options = {});

  Model(Model&&) noexcept;
  Model& operator=(Model&&) noexcept;
  Model(const Model&) = delete;
  Model& operator=(const Model&) = delete;
  ~Model();

  const ModelInfo& info() const noexcept;

  /// Whether the model files carry a tokenizer lmc can use.
  bool has_tokenizer() const noexcept;
  /// The model's tokenizer; Error(unsupported) when has_tokenizer() is false.
  const Tokenizer& tokenizer() const;

  /// ln p(tokens[i] | tokens[0..i-1]) for i = 1..n-1 (n−1 values; none for n < 2), from one
  /// batched forward pass. The last id is only predicted, never fed, so n may be one more than
  /// the context. Error(invalid_argument) for an id outside the vocabulary,
  /// Error(out_of_range) when n − 1 exceeds the context (ModelOptions::context).
  std::vector<float> token_logprobs(std::span<const Token> tokens) const;

  /// Positions a session holds at most.
  std::size_t context() const noexcept;
  /// Threads the forward pass uses.
  std::size_t threads() const noexcept;
  /// Bytes of state a session holds at `positions` positions: keys and values (F32) of every
  /// attention layer at the widths its cache stores (the latent widths for latent attention),
  /// plus the fixed recurrent state of every state-space layer. What the decompressor budgets
  /// its lock-step sessions with.
  std::size_t session_bytes(std::size_t positions) const noexcept;

  /// Identifies the model exactly: "lmc-model/1 <architecture> <16 hex digits>", a 64-bit hash
  /// (lmc's own multiply-xorshift hash, not cryptographic) over the architecture, every
  /// hyper-parameter the forward pass uses, the tokenizer's vocabulary when there is one (every
  /// token's bytes, its special flag, BOS) and every weight byte the model uses (with tensor
  /// shapes and types). Computed on the first call (about 0.2 s per GB of weights), then kept.
  /// Containers record it; decompression refuses another.
  std::string fingerprint() const;
  /// Identifies the numeric recipe of the logits: lmc's kernel numerics version (high 16 bits)
  /// and a hash of the weight type as computed (low 16 bits). Two models with equal
  /// fingerprints and numeric profiles give bit-identical logits.
  std::uint32_t numeric_profile() const;

 private:
  friend class Session;
  struct Impl;
  explicit Model(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

/// Which fed positions keep their logits.
enum class Outputs {
  all,   ///< every token of a feed() call
  last,  ///< only the last one (faster: the output layer runs once)
};

/// Incremental scoring: a KV cache over the tokens fed so far. The model must outlive the
/// session. A session is not thread-safe; use one per thread.
class LMC_EXPORT Session {
 public:
  explicit Session(const Model& model);
  Session(Session&&) noexcept;
  Session& operator=(Session&&) noexcept;
  Session(const Session&) = delete;
  Session& operator=(const Session&) = delete;
  ~Session();

  /// Appends `tokens` at positions position()..., runs them in one batched pass, and keeps
  /// the logits of the fed positions that `outputs` asks for (replacing those of the previous
  /// call). Error(invalid_argument) for a bad id, Error(out_of_range) past context(); on error
  /// the session is unchanged (except after a failure inside the pass itself, such as running
  /// out of memory, in a model with state-space layers: their state cannot rewind, the session
  /// is reset).
  void feed(std::span<const Token> tokens, Outputs outputs = Outputs::all);
  /// Same as feed({&token, 1}, Outputs::last).
  void feed(Token token);

  /// Feeds tokens[i] to *sessions[i] for every i, as sessions[i]->feed(tokens[i]) would, in
  /// one batched pass: the weights are read once for all the sessions (lock-step decoding of
  /// independent sequences). Each session's logits and state are bit-identical to feeding it
  /// alone. The sessions must be distinct, of the same model, and at most 512. Errors as
  /// feed(), naming the session's index; on error every session is unchanged (with the
  /// exception feed() describes).
  static void feed_each(std::span<Session* const> sessions, std::span<const Token> tokens);
  /// As feed_each(sessions, tokens), with the pass split over `threads` threads (counting the
  /// caller) in place of the model's ModelOptions::threads; 0 means the model's. The results
  /// do not depend on it. A pool of each thread count asked for is made on first use and kept
  /// with the model.
  static void feed_each(std::span<Session* const> sessions, std::span<const Token> tokens,
                        std::size_t threads);
  /// As feed_each(sessions, tokens, threads), but the pass writes the logits that follow
  /// tokens[i] straight into row i of `logits` (tokens.size() × vocab_size() floats,
  /// row-major; the same bits feed_each would keep) instead of keeping them in the sessions, so
  /// that no copy of them is made: afterwards each session keeps no rows (n_outputs() is 0).
  /// Error(invalid_argument) when `logits` has another size; on error every session is
  /// unchanged (with the exception feed() describes) and `logits` may be partly written.
  static void feed_each(std::span<Session* const> sessions, std::span<const Token> tokens,
                        std::size_t threads, std::span<float> logits);

  /// Bytes of state the session holds once it holds `positions` positions (at least what it
  /// holds now: its cache grows in steps and keeps its room after reset()); state_bytes(
  /// position()) is what it holds now. Model::session_bytes of the positions its cache has room
  /// for.
  std::size_t state_bytes(std::size_t positions) const noexcept;

  /// Tokens held (the next position).
  std::size_t position() const noexcept;
  /// Positions the session can hold.
  std::size_t context() const noexcept;
  /// Rows of logits kept from the last feed() (0 before any).
  std::size_t n_outputs() const noexcept;
  /// Vocabulary size: the length of each row.
  std::size_t vocab_size() const noexcept;

  /// Logits of output row i of the last feed() (row n_outputs()-1 is the last fed token).
  /// Error(out_of_range) for i ≥ n_outputs().
  std::span<const float> logits(std::size_t i) const;
  /// ln softmax of output row i.
  std::vector<float> logprobs(std::size_t i) const;
  /// ln p(next | everything up to output row i).
  float logprob(std::size_t i, Token next) const;

  /// Forgets every position (and the kept logits).
  void reset();
  /// Keeps the first `n` positions (no-op when position() ≤ n) and drops the kept logits.
  /// A model with state-space (Mamba) layers keeps only the state after its last position, so
  /// there only n = 0 (a reset) is possible; another n < position() is Error(unsupported).
  void truncate(std::size_t n);

  /// Old names (docs/api.md, "Names"), kept for one release.
  [[deprecated("use vocab_size()")]] std::size_t n_vocab() const noexcept { return vocab_size(); }
  [[deprecated("use logprobs()")]] std::vector<float> log_probs(std::size_t i) const {
    return logprobs(i);
  }
  [[deprecated("use logprob()")]] float log_prob(std::size_t i, Token next) const {
    return logprob(i, next);
  }

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

LMC_END_NAMESPACE
