#include "tokenizer/wordpiece.hpp"

#include "base/utf8.hpp"

LMC_BEGIN_NAMESPACE
namespace tokenizer {

void WordPieceModel::encode(std::string_view word, const Vocabulary& vocab,
                            std::vector<Token>& out) const {
  if (word.empty()) return;
  if (utf8::count_code_points(word) > max_characters_per_word) {
    if (vocab.unk) out.push_back(*vocab.unk);
    return;
  }
  const std::size_t mark = out.size();
  std::string candidate;
  std::size_t start = 0;
  while (start < word.size()) {
    // Longest prefix of word[start..] (on character boundaries) that is in the vocabulary.
    std::vector<std::size_t> ends;
    for (std::size_t pos = start; pos < word.size();) {
      const std::size_t length = utf8::sequence_length(word, pos);
      pos += length == 0 ? 1 : length;
      ends.push_back(pos);
    }
    std::optional<Token> found;
    std::size_t found_end = start;
    for (auto it = ends.rbegin(); it != ends.rend(); ++it) {
      candidate.clear();
      if (start > 0) candidate.append(continuation_prefix);
      candidate.append(word.substr(start, *it - start));
      if (auto id = vocab.find(candidate)) {
        found = id;
        found_end = *it;
        break;
      }
    }
    if (!found) {
      out.resize(mark);
      if (vocab.unk) out.push_back(*vocab.unk);
      return;
    }
    out.push_back(*found);
    start = found_end;
  }
}

}  // namespace tokenizer
LMC_END_NAMESPACE
