// The compressor's plug-in interface: what lmc::Compressor needs from a language model, and
// nothing more (a tokenizer, a way to score tokens, and what identifies the numbers it computes).
//
// lmc::Model needs none of this: Compressor(const Model&) adapts it inside. Implement CodingModel
// only to compress with a model lmc does not load itself (another runtime, an n-gram model, a
// test's fake); it is the one place where lmc takes a model other than lmc::Model, because the
// container format is defined for any model that keeps the determinism contract below.
#pragma once

#include <lmc/export.hpp>
#include <lmc/token.hpp>
#include <lmc/version.hpp>

#include <cstddef>
#include <cstdint>
#include <memory>
#include <span>
#include <string>
#include <string_view>
#include <vector>

LMC_BEGIN_NAMESPACE

/// One scoring state of a CodingModel (for a transformer: its KV cache). Not thread-safe; the
/// compressor creates one session per chunk it codes.
///
/// The determinism contract, on which decoding depends: after reset(), feeding the same tokens
/// yields bit-identical logits for each position however the tokens are split into calls —
/// one logits_batch over all of them (what the compressor does), one logits_next per token
/// (what the decompressor does), or any mix — whatever the thread count of the process and
/// whatever SIMD path the CPU dispatches to (see LMC_DISPATCH in docs/container.md). The
/// compressor turns logits into integer frequencies with integer arithmetic only, so identical
/// logits give identical frequency tables. A model that breaks the contract is caught by the
/// per-chunk checksums (lmc::Error, never wrong output), but its containers will not decode.
class LMC_EXPORT CodingSession {
 public:
  CodingSession() = default;
  CodingSession(const CodingSession&) = delete;
  CodingSession& operator=(const CodingSession&) = delete;
  virtual ~CodingSession();

  /// Forgets every token fed so far.
  virtual void reset() = 0;

  /// Appends `tokens` to the tokens fed so far and writes, for each of them, the logits of
  /// the token that follows it: row i of `logits` (vocab_size() floats, row-major) holds the
  /// unnormalized log-probabilities of the next token given everything fed up to and
  /// including tokens[i]. `logits.size()` must be tokens.size() * vocab_size(). The total
  /// number of tokens fed since reset() never exceeds CodingModel::context().
  virtual void logits_batch(std::span<const Token> tokens, std::span<float> logits) = 0;

  /// The same as logits_batch() with one token; the default implementation calls it.
  /// Overriding it (a matrix-vector path) is allowed only if the results stay bit-identical.
  virtual void logits_next(Token token, std::span<float> logits);
};

/// A tokenizer plus a scorer, as the compressor sees a language model. All const members are
/// called from several threads at once and must be thread-safe.
class LMC_EXPORT CodingModel {
 public:
  CodingModel() = default;
  CodingModel(const CodingModel&) = delete;
  CodingModel& operator=(const CodingModel&) = delete;
  virtual ~CodingModel();

  /// Number of tokens; ids are 0 .. vocab_size()-1. lmc supports 2 .. 2^24.
  virtual std::size_t vocab_size() const = 0;

  /// Most tokens one session may hold (the context the model was set up with), at least 2.
  /// The compressor restarts the context (reset + start_token) every context() tokens.
  virtual std::size_t context() const = 0;

  /// The token fed first after reset() so that its logits predict the first real token
  /// (usually BOS).
  virtual Token start_token() const = 0;

  /// Identifies the model exactly: a hash over architecture, hyper-parameters, tokenizer and
  /// weights, as printable text (1..1024 bytes). Stored in every container; decompression
  /// refuses a container made with another fingerprint.
  virtual std::string fingerprint() const = 0;

  /// Identifies the numeric recipe of the logits (kernels, reduction orders, weight types as
  /// computed). Two processes whose models report the same fingerprint and numeric profile
  /// must produce bit-identical logits. Stored in every container and checked on decompress.
  virtual std::uint32_t numeric_profile() const = 0;

  /// Text to token ids, without the start token. Need not round-trip: the compressor checks
  /// decode(encode(x)) == x and codes what fails through its escape path.
  virtual std::vector<Token> encode(std::string_view text) const = 0;

  /// Token ids to text; the inverse of encode() where encode is reversible.
  virtual std::string decode(std::span<const Token> tokens) const = 0;

  /// A fresh scoring state.
  virtual std::unique_ptr<CodingSession> new_session() const = 0;
};

class Model;

/// lmc::Model as a CodingModel, referenced (the model must outlive the result): what
/// Compressor(const Model&) builds inside, with Model::fingerprint(), Model::numeric_profile(),
/// the tokenizer's BOS as start token, encode without special tokens, decode, and
/// Model::context(). Throws Error(unsupported) when the model has no tokenizer or no BOS token.
[[deprecated("construct lmc::Compressor from the lmc::Model itself")]] LMC_EXPORT
    std::unique_ptr<CodingModel>
    make_coding_model(const Model& model);

LMC_END_NAMESPACE
