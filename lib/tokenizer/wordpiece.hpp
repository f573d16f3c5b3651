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

  void encode(std::string_view word, const Vocabulary& vocab, std::vector<Token>& out) const;
};

}  // namespace tokenizer
LMC_END_NAMESPACE
