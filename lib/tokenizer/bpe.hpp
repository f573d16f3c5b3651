// Rank-ordered BPE (Hugging Face's BPE model, GPT-2 byte-level BPE, tiktoken): a piece starts
// as one symbol per character (per byte in byte-level mode) and the adjacent pair with the
// lowest merge rank is merged, leftmost first, until no listed pair is left.
#pragma once

#include "tokenizer/pair_map.hpp"
#include "tokenizer/vocabulary.hpp"

#include <array>
#include <string_view>
#include <vector>

LMC_BEGIN_NAMESPACE
namespace tokenizer {

struct BpeModel {
  PairMap merges;
  /// Byte-level: each byte of the piece is one initial symbol (`byte_symbols`); otherwise
  /// each character is looked up in the vocabulary.
  bool byte_level = false;
  /// Unknown characters become their <0xNN> byte tokens (`byte_symbols`).
  bool byte_fallback = false;
  /// Consecutive unknown characters become one unknown token.
  bool fuse_unknown = false;
  /// A piece that is a whole token is emitted as it is (Llama-3's ignore_merges).
  bool ignore_merges = false;
  std::optional<Token> unknown;
  /// Byte-level: the token of each byte's character. Byte fallback: the <0xNN> tokens.
  std::array<Token, 256> byte_symbols{};
  /// Byte-level: token ids by the bytes they stand for (for ignore_merges).
  StringIndex ids_by_bytes;  // keys: Vocabulary::decoded

  /// Appends the tokens of one piece to `out`.
  void encode(std::string_view piece, const Vocabulary& vocab, std::vector<Token>& out) const;
};

}  // namespace tokenizer
LMC_END_NAMESPACE
