// The parts of a loaded tokenizer, as the loaders (GGUF, tokenizer.json, tiktoken) fill them
// in, and the encode/decode pipeline over them:
//   added-token split -> normalizer -> pre-tokenizer -> model (BPE / SPM / WordPiece)
#pragma once

#include "tokenizer/added_tokens.hpp"
#include "tokenizer/bpe.hpp"
#include "tokenizer/normalizer.hpp"
#include "tokenizer/pre_tokenizer.hpp"
#include "tokenizer/spm.hpp"
#include "tokenizer/vocabulary.hpp"
#include "tokenizer/wordpiece.hpp"

#include <lmc/tokenizer.hpp>

#include <memory>
#include <string>
#include <utility>
#include <vector>

LMC_BEGIN_NAMESPACE

class Tokenizer::Impl {
 public:
  enum class Model { bpe, spm, wordpiece };

  tokenizer::Vocabulary vocab;
  tokenizer::AddedTokens added;
  tokenizer::Normalizer normalizer;
  tokenizer::PreTokenizer pre_tokenizer;
  Model model = Model::bpe;
  tokenizer::BpeModel bpe;
  tokenizer::SpmModel spm;
  tokenizer::WordPieceModel wordpiece;

  /// Tokens encode() puts before and after the text with add_special.
  std::vector<Token> prefix, suffix;
  /// decode() drops one leading space of its output (the dummy prefix of SentencePiece).
  bool strip_leading_space = false;

  /// Without a pre-tokenizer (SentencePiece style) the whole text is one piece. When no
  /// token holds this marker after another character, no token can span the point before
  /// such a marker, so the text is cut there: same tokens, much less work per merge.
  std::string independent_before;

  std::string model_type;
  std::string family;
  bool lossless = false;

  void encode(std::string_view text, const EncodeOptions& options, std::vector<Token>& out) const;
  std::string decode(std::span<const Token> tokens) const;

  /// Fills the fields derived from the others (token kinds, byte tables, index); loaders call
  /// it last.
  void finish();

 private:
  void encode_text(std::string_view text, bool first_segment, std::vector<Token>& out) const;
};

namespace tokenizer {

/// The tokenizer stage's one way into lmc::Tokenizer's private state: the loaders build an Impl
/// and wrap it. Only lib/tokenizer includes it.
struct Access {
  using Impl = Tokenizer::Impl;
  static Tokenizer wrap(std::shared_ptr<const Impl> impl) { return Tokenizer(std::move(impl)); }
};

using TokenizerImpl = Access::Impl;

}  // namespace tokenizer

LMC_END_NAMESPACE
