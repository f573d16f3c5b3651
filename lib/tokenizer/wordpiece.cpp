#include "tokenizer/wordpiece.hpp"

#include "base/utf8.hpp"
#include "tokenizer/unicode.hpp"

LMC_BEGIN_NAMESPACE
namespace tokenizer {

namespace {

bool is_cjk_ideograph(char32_t c) {
  return (c >= 0x4E00 && c <= 0x9FFF) || (c >= 0x3400 && c <= 0x4DBF) ||
         (c >= 0x20000 && c <= 0x2A6DF) || (c >= 0x2A700 && c <= 0x2B73F) ||
         (c >= 0x2B740 && c <= 0x2B81F) || (c >= 0x2B920 && c <= 0x2CEAF) ||
         (c >= 0xF900 && c <= 0xFAFF) || (c >= 0x2F800 && c <= 0x2FA1F) ||
         (c >= 0x3000 && c <= 0x303F) || (c >= 0xFF00 && c <= 0xFFEF);
}

bool is_other(unicode::Category k) {
  using unicode::Category;
  return k == Category::Cc || k == Category::Cf || k == Category::Cn || k == Category::Co ||
         k == Category::Cs;
}

bool is_symbol(unicode::Category k) {
  using unicode::Category;
  return k == Category::Sc || k == Category::Sk || k == Category::Sm || k == Category::So;
}

std::vector<std::string> llama_cpp_words(std::string_view text) {
  std::string nfd;
  const std::string_view source =
      unicode::normalize(unicode::NormalForm::nfd, text, nfd) ? std::string_view(nfd) : text;
  std::vector<std::string> words(1);
  std::string lowered;
  for (std::size_t pos = 0; pos < source.size();) {
    const std::size_t start = pos;
    const bool valid = base::utf8::sequence_length(source, pos) != 0;
    const char32_t c = base::utf8::decode(source, pos);
    if (!valid) continue;  // not text: dropped, as control characters are
    const unicode::Category category = unicode::category(c);
    if (unicode::is_white_space(c)) {
      if (!words.back().empty()) words.emplace_back();
      continue;
    }
    // Control characters are dropped, and so are accents (Mn after NFD), as BERT strips them.
    if (c == 0 || c == 0xFFFD || is_other(category) || category == unicode::Category::Mn) continue;
    lowered.clear();
    unicode::append_lowercase(source.substr(start, pos - start), lowered);
    if (unicode::is_punctuation(c) || (c < 0x7F && is_symbol(category)) || is_cjk_ideograph(c)) {
      if (!words.back().empty()) words.emplace_back();
      words.back() = lowered;
      words.emplace_back();
    } else {
      words.back() += lowered;
    }
  }
  if (words.back().empty()) words.pop_back();
  return words;
}

}  // namespace

void WordPieceModel::encode(std::string_view word, const Vocabulary& vocab,
                            std::vector<Token>& out) const {
  if (word.empty()) return;
  if (llama_cpp_style) {
    for (const std::string& w : llama_cpp_words(word)) {
      const std::string marked = "\u2581" + w;
      const std::size_t mark = out.size();
      const std::size_t n = marked.size();
      for (std::size_t i = 0; i < n; ++i) {
        bool match = false;
        for (std::size_t j = std::min(n, i + longest_token + 1); j > i; --j) {
          if (auto id = vocab.find(std::string_view(marked).substr(i, j - i))) {
            out.push_back(*id);
            match = true;
            i = j - 1;
            break;
          }
        }
        if (!match) {
          out.resize(mark);
          break;
        }
      }
      if (out.size() == mark && vocab.unk) out.push_back(*vocab.unk);
    }
    return;
  }
  if (base::utf8::count_code_points(word) > max_characters_per_word) {
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
      const std::size_t length = base::utf8::sequence_length(word, pos);
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
