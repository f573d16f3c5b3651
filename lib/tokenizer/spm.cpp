#include "tokenizer/spm.hpp"

#include "base/utf8.hpp"

#include <algorithm>
#include <limits>

LMC_BEGIN_NAMESPACE
namespace tokenizer {

void SpmModel::encode(std::string_view text, const Vocabulary& vocab,
                      std::vector<Token>& out) const {
  struct Symbol {
    std::uint32_t begin, length;  // bytes of text
    std::int32_t previous, next;
  };
  // Scratch space reused across calls on the same thread (encode runs per piece).
  thread_local std::vector<Symbol> symbols;
  symbols.clear();
  for (std::size_t pos = 0; pos < text.size();) {
    const std::size_t length = base::utf8::sequence_length(text, pos);
    const std::size_t step = length == 0 ? 1 : length;
    const auto index = static_cast<std::int32_t>(symbols.size());
    symbols.push_back({static_cast<std::uint32_t>(pos), static_cast<std::uint32_t>(step), index - 1,
                       pos + step < text.size() ? index + 1 : -1});
    pos += step;
  }
  struct Bigram {
    float score;
    std::int32_t left;
    std::uint32_t length;  // bytes of the concatenation when it was proposed
    bool operator<(const Bigram& other) const {
      return score != other.score ? score < other.score : left > other.left;
    }
  };
  thread_local std::vector<Bigram> queue;  // a max-heap
  queue.clear();
  auto consider = [&](std::int32_t left) {
    if (left < 0) return;
    const std::int32_t right = symbols[static_cast<std::size_t>(left)].next;
    if (right < 0) return;
    const Symbol& a = symbols[static_cast<std::size_t>(left)];
    const Symbol& b = symbols[static_cast<std::size_t>(right)];
    auto id = vocab.find(text.substr(a.begin, a.length + b.length));
    if (!id) return;
    const float score = vocab.scores.empty() ? 0.0f : vocab.scores[static_cast<std::size_t>(*id)];
    queue.push_back({score, left, a.length + b.length});
    std::push_heap(queue.begin(), queue.end());
  };
  for (std::int32_t i = 0; i + 1 < static_cast<std::int32_t>(symbols.size()); ++i) consider(i);
  while (!queue.empty()) {
    std::pop_heap(queue.begin(), queue.end());
    const Bigram top = queue.back();
    queue.pop_back();
    Symbol& left = symbols[static_cast<std::size_t>(top.left)];
    if (left.length == 0 || left.next < 0) continue;
    Symbol& right = symbols[static_cast<std::size_t>(left.next)];
    if (right.length == 0 || left.length + right.length != top.length) continue;
    left.length += right.length;
    right.length = 0;
    left.next = right.next;
    if (right.next >= 0) symbols[static_cast<std::size_t>(right.next)].previous = top.left;
    consider(left.previous);
    consider(top.left);
  }
  for (std::int32_t i = symbols.empty() ? -1 : 0; i >= 0;
       i = symbols[static_cast<std::size_t>(i)].next) {
    const Symbol& s = symbols[static_cast<std::size_t>(i)];
    const std::string_view piece = text.substr(s.begin, s.length);
    if (auto id = vocab.find(piece)) {
      out.push_back(*id);
      continue;
    }
    for (char c : piece) {
      const Token byte = byte_tokens[static_cast<unsigned char>(c)];
      if (byte >= 0) {
        out.push_back(byte);
      } else if (vocab.unk) {
        out.push_back(*vocab.unk);
      }
    }
  }
}

}  // namespace tokenizer
LMC_END_NAMESPACE
