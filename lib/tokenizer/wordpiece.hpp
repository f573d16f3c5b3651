// WordPiece (BERT): each pre-tokenized word is cut greedily into the longest vocabulary
// entries, continuation pieces spelled with a prefix ("##"); a word that cannot be cut, or
// that is too long, becomes the unknown token.
#pragma once

#include "tokenizer/vocabulary.hpp"

#include <string>
#include <string_view>
#include <vector>

LMC_BEGIN_NAMESPACE
namespace tokenizer {

struct WordPieceModel {
  std::string continuation_prefix = "##";
  std::size_t max_characters_per_word = 100;
  /// llama.cpp's WordPiece over GGUF "bert" vocabularies, whose word-initial pieces start
  /// with "▁" and whose continuations have no prefix: NFD, lowercase, words cut at white
  /// space, punctuation, ASCII symbols and CJK ideographs, then longest-match on "▁" + word.
  bool llama_cpp_style = false;
  std::size_t longest_token = 0;  ///< bytes of the longest vocabulary string

  /// Encodes a stretch of text (llama_cpp_style) or one pre-tokenized word (otherwise).

  void encode(std::string_view word, const Vocabulary& vocab, std::vector<Token>& out) const;
};

}  // namespace tokenizer
LMC_END_NAMESPACE
