// Score-ordered BPE as SentencePiece and llama.cpp run it on GGUF "llama" vocabularies: the
// text (spaces already written as "▁") starts as one symbol per character; the adjacent pair
// whose concatenation is the vocabulary token with the highest score is merged, leftmost
// first, until no concatenation is a token. Symbols that are no token become byte tokens.
#pragma once

#include "tokenizer/vocabulary.hpp"

#include <array>
#include <string_view>
#include <vector>

LMC_BEGIN_NAMESPACE
namespace tokenizer {

struct SpmModel {
  /// The <0xNN> token of each byte (-1 where the vocabulary has none).
  std::array<Token, 256> byte_tokens{};

  void encode(std::string_view text, const Vocabulary& vocab, std::vector<Token>& out) const;
};

}  // namespace tokenizer
LMC_END_NAMESPACE
