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
  ids.clear();
  ids.reserve(texts.size());
  for (std::size_t i = 0; i < texts.size(); ++i) {
    if (kinds[i] == TokenKind::unused && texts[i].empty()) continue;
    ids.emplace(std::string_view(texts[i]), static_cast<Token>(i));
  }
}

}  // namespace tokenizer
LMC_END_NAMESPACE
