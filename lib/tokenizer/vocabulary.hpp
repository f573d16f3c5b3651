// The vocabulary of a tokenizer: each id's stored string, what kind of token it is, its
// SentencePiece score, and the bytes it decodes to; plus the reverse lookup string -> id.
#pragma once

#include "tokenizer/string_index.hpp"

#include <lmc/tokenizer.hpp>

#include <optional>
#include <string>
#include <string_view>
#include <vector>

LMC_BEGIN_NAMESPACE
namespace tokenizer {

/// What a token is. The values follow GGUF's tokenizer.ggml.token_type (minus one).
enum class TokenKind : std::uint8_t {
  normal,        ///< an ordinary piece of text
  unknown,       ///< the unknown token
  special,       ///< a control token (BOS, EOS, chat markers): matched only with parse_special
  user_defined,  ///< an added token that is ordinary text: always matched whole
  unused,        ///< a hole in the id space or an unused slot
  byte,          ///< a SentencePiece byte-fallback token <0xNN>
};

struct Vocabulary {
  std::vector<std::string> texts;    ///< as stored in the vocabulary file
  std::vector<std::string> decoded;  ///< the bytes each token stands for in decode()
  std::vector<TokenKind> kinds;
  std::vector<float> scores;  ///< SentencePiece scores (empty when the model has none)
  StringIndex ids;            ///< text -> id

  std::optional<Token> bos, eos, unk, pad;

  std::size_t size() const noexcept { return texts.size(); }

  /// Grows the vocabulary to `n` ids; new ids are unused with empty text.
  void resize(std::size_t n);
  /// Rebuilds `ids` from `texts` (the first id wins for a duplicated string).
  void index();

  std::optional<Token> find(std::string_view text) const { return ids.find(text, texts); }
  bool valid(Token id) const noexcept { return id >= 0 && static_cast<std::size_t>(id) < size(); }
};

}  // namespace tokenizer
LMC_END_NAMESPACE
