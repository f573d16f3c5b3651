#include "tokenizer/vocabulary.hpp"

LMC_BEGIN_NAMESPACE
namespace tokenizer {

void Vocabulary::resize(std::size_t n) {
  texts.resize(n);
  decoded.resize(n);
  kinds.resize(n, TokenKind::unused);
  if (!scores.empty()) scores.resize(n, 0.0f);
}

void Vocabulary::index() {
  ids.build(texts,
            [this](std::size_t i) { return kinds[i] != TokenKind::unused || !texts[i].empty(); });
}

}  // namespace tokenizer
LMC_END_NAMESPACE
