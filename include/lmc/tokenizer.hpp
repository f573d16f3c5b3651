// lmc::Tokenizer: text <-> token ids, exactly as a model's own tokenizer splits them.
//
// Supported families (see docs/tokenizers.md for the details and the conformance data):
//  - SentencePiece-style BPE (Llama-1/2, Mistral, Yi, Baichuan, Phi-3, Gemma): "▁" for spaces,
//    the dummy-prefix space, byte fallback <0xNN>, unknown token.
//  - byte-level BPE (GPT-2, Llama-3, Qwen, DeepSeek, Falcon, MPT, StarCoder, Refact, GPT-NeoX,
//    tiktoken rank files): the GPT-2 byte<->character mapping, rank-ordered merges and the
//    pre-tokenizer regexes of each family.
//  - WordPiece (BERT vocabularies).
// Loaded from GGUF metadata (tokenizer.ggml.*), Hugging Face tokenizer.json (with
// tokenizer_config.json next to it) or a tiktoken rank file.
#pragma once

#include <lmc/export.hpp>
#include <lmc/token.hpp>
#include <lmc/version.hpp>

#include <cstdint>
#include <filesystem>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

LMC_BEGIN_NAMESPACE

class GgufFile;

namespace tokenizer {
struct Access;  // lib/tokenizer/tokenizer_impl.hpp
}

/// How encode() treats special tokens.
struct EncodeOptions {
  /// Add the tokenizer's own special tokens around the text (BOS and/or EOS, as its
  /// configuration says: GGUF add_bos_token/add_eos_token, tokenizer_config.json, or the
  /// tokenizer.json post-processor). Off by default: encode() returns the text's tokens only.
  bool add_special = false;
  /// Recognise the text of special (control) tokens, such as "<s>" or "<|endoftext|>", inside
  /// the input and emit their ids. Off by default: text is text. Added tokens that are not
  /// special (user-defined tokens, e.g. Gemma's runs of newlines or Qwen's "<think>") are part
  /// of ordinary tokenization and are always matched, as the reference tokenizers do.
  bool parse_special = false;
};

/// A loaded tokenizer. Immutable after loading; encode(), decode() and every accessor may be
/// called concurrently from any number of threads. Cheap to move; copies share the same data.
class LMC_EXPORT Tokenizer {
 public:
  /// Loads the tokenizer stored in a GGUF file's metadata (tokenizer.ggml.model "llama",
  /// "gpt2" or "bert", with tokenizer.ggml.pre for the byte-level BPE pre-tokenizer).
  /// Throws Error(format) for missing or malformed keys, naming the file and the key, and
  /// Error(unsupported) for a tokenizer model or pre-tokenizer lmc does not implement.
  static Tokenizer from_gguf(const GgufFile& file);

  /// Loads from `path`: a .gguf file, a Hugging Face tokenizer.json (a tokenizer_config.json
  /// beside it is read too), a folder holding either of them or a *.tiktoken file, or a
  /// tiktoken rank file (family "qwen"). Throws Error(io) when nothing loadable is there,
  /// Error(format) for malformed files, Error(unsupported) naming any tokenizer.json feature
  /// lmc does not implement (never a silent approximation).
  static Tokenizer from_file(const std::filesystem::path& path);

  /// Loads a Hugging Face tokenizer.json; `config_path` (tokenizer_config.json) may be empty.
  static Tokenizer from_tokenizer_json(const std::filesystem::path& path,
                                       const std::filesystem::path& config_path = {});

  /// Loads a tiktoken rank file (one "base64-token rank" pair per line) with the
  /// pre-tokenizer regex and special tokens of `family`. Only "qwen" (Qwen-1's qwen.tiktoken)
  /// is known; another family is Error(unsupported).
  static Tokenizer from_tiktoken(const std::filesystem::path& path,
                                 std::string_view family = "qwen");

  Tokenizer(const Tokenizer&);
  Tokenizer(Tokenizer&&) noexcept;
  Tokenizer& operator=(const Tokenizer&);
  Tokenizer& operator=(Tokenizer&&) noexcept;
  ~Tokenizer();

  /// Splits `text` (bytes, normally UTF-8) into token ids. Never throws on any byte string:
  /// invalid UTF-8 is tokenized as documented in docs/tokenizers.md (byte-level BPE encodes the
  /// bytes themselves; SentencePiece BPE uses its <0xNN> byte-fallback tokens).
  std::vector<Token> encode(std::string_view text, const EncodeOptions& options = {}) const;

  /// The bytes that `tokens` stand for, concatenated (special tokens as their text). For a
  /// lossless() tokenizer decode(encode(x)) == x for every valid UTF-8 x. Throws
  /// Error(out_of_range) for an id outside [0, vocab_size()).
  std::string decode(std::span<const Token> tokens) const;

  /// The bytes one token stands for on its own (as decode({id}) but without the removal of a
  /// leading dummy-prefix space). Throws Error(out_of_range) for an invalid id.
  std::string token_bytes(Token id) const;

  /// The token's string as stored in the vocabulary ("▁the", "Ġthe", "<0x0A>", "<s>").
  /// Throws Error(out_of_range) for an invalid id.
  std::string_view token_text(Token id) const;

  /// Id of a vocabulary string (as token_text() spells it), if there is one.
  std::optional<Token> find_token(std::string_view text) const;

  /// Number of ids: every valid id is below it.
  std::size_t vocab_size() const noexcept;

  std::optional<Token> bos() const noexcept;
  std::optional<Token> eos() const noexcept;
  std::optional<Token> unk() const noexcept;
  std::optional<Token> pad() const noexcept;

  /// Whether encode(text, {.add_special = true}) puts a BOS / EOS token around the text.
  bool add_bos_by_default() const noexcept;
  bool add_eos_by_default() const noexcept;

  /// A byte-fallback token (<0xNN>) of SentencePiece BPE; false for every other token.
  bool is_byte_token(Token id) const noexcept;
  /// A special (control) token, such as BOS/EOS or a chat-template marker.
  bool is_special(Token id) const noexcept;

  /// "sentencepiece-bpe", "byte-level-bpe" or "wordpiece".
  std::string_view model_type() const noexcept;
  /// The family / pre-tokenizer name: the GGUF tokenizer.ggml.pre value ("llama-bpe", "qwen2",
  /// "default" for SentencePiece), "tokenizer.json" plus its tokenizer_class, or "tiktoken-qwen".
  std::string_view family() const noexcept;

  /// True when decode(encode(x)) == x for every valid UTF-8 string x (with no special tokens
  /// added or parsed). False for SentencePiece BPE (a literal "▁" decodes as a space), for
  /// tokenizers that normalize (NFC changes text) and for WordPiece.
  bool lossless() const noexcept;

 private:
  friend struct tokenizer::Access;
  class Impl;
  explicit Tokenizer(std::shared_ptr<const Impl> impl);
  std::shared_ptr<const Impl> impl_;
};

LMC_END_NAMESPACE
