#include "tokenizer/bpe.hpp"

#include "base/utf8.hpp"

#include <limits>
#include <queue>

LMC_BEGIN_NAMESPACE
namespace tokenizer {
namespace {

// Short pieces (nearly all words) merge fastest by rescanning their few pairs.
constexpr std::size_t short_piece = 6;

void merge_short(const PairMap& merges, std::vector<Token>& symbols) {
  while (symbols.size() > 1) {
    std::uint32_t best_rank = std::numeric_limits<std::uint32_t>::max();
    std::size_t best = 0;
    Token merged = -1;
    for (std::size_t i = 0; i + 1 < symbols.size(); ++i) {
      const Merge* m = merges.find(symbols[i], symbols[i + 1]);
      if (m != nullptr && m->rank < best_rank) {
        best_rank = m->rank;
        best = i;
        merged = m->merged;
      }
    }
    if (merged < 0) return;
    symbols[best] = merged;
    symbols.erase(symbols.begin() + static_cast<std::ptrdiff_t>(best) + 1);
  }
}

// Long pieces (a whole SentencePiece-style text) merge through a priority queue of candidate
// pairs over a linked list of symbols; stale candidates are skipped when they surface.
void merge_long(const PairMap& merges, std::vector<Token>& symbols) {
  struct Candidate {
    std::uint32_t rank;
    std::uint32_t left;  // index of the left symbol
    Token left_id, right_id, merged;
    bool operator>(const Candidate& other) const {
      return rank != other.rank ? rank > other.rank : left > other.left;
    }
  };
  const auto n = static_cast<std::uint32_t>(symbols.size());
  constexpr std::uint32_t none = std::numeric_limits<std::uint32_t>::max();
  std::vector<std::uint32_t> previous(n), next(n);
  for (std::uint32_t i = 0; i < n; ++i) {
    previous[i] = i == 0 ? none : i - 1;
    next[i] = i + 1 == n ? none : i + 1;
  }
  std::priority_queue<Candidate, std::vector<Candidate>, std::greater<>> queue;
  auto consider = [&](std::uint32_t left) {
    if (left == none || next[left] == none) return;
    const Token a = symbols[left], b = symbols[next[left]];
    if (const Merge* m = merges.find(a, b)) queue.push({m->rank, left, a, b, m->merged});
  };
  for (std::uint32_t i = 0; i + 1 < n; ++i) consider(i);
  std::vector<bool> alive(n, true);
  while (!queue.empty()) {
    const Candidate top = queue.top();
    queue.pop();
    const std::uint32_t right = next[top.left];
    if (!alive[top.left] || right == none || symbols[top.left] != top.left_id ||
        symbols[right] != top.right_id) {
      continue;
    }
    symbols[top.left] = top.merged;
    alive[right] = false;
    next[top.left] = next[right];
    if (next[right] != none) previous[next[right]] = top.left;
    consider(previous[top.left]);
    consider(top.left);
  }
  std::size_t out = 0;
  for (std::uint32_t i = 0; i < n; ++i) {
    if (alive[i]) symbols[out++] = symbols[i];
  }
  symbols.resize(out);
}

}  // namespace

void BpeModel::encode(std::string_view piece, const Vocabulary& vocab,
                      std::vector<Token>& out) const {
  if (piece.empty()) return;
  if (ignore_merges) {
    if (byte_level) {
      if (auto id = ids_by_bytes.find(piece, vocab.decoded)) {
        out.push_back(*id);
        return;
      }
    } else if (auto id = vocab.find(piece)) {
      out.push_back(*id);
      return;
    }
  }
  std::vector<Token> symbols;
  symbols.reserve(piece.size());
  if (byte_level) {
    for (char c : piece) {
      const Token id = byte_symbols[static_cast<unsigned char>(c)];
      if (id >= 0) {
        symbols.push_back(id);
      } else if (unknown) {
        symbols.push_back(*unknown);
      }
    }
  } else {
    bool previous_unknown = false;
    std::size_t pos = 0;
    while (pos < piece.size()) {
      const std::size_t start = pos;
      const std::size_t length = base::utf8::sequence_length(piece, pos);
      pos += length == 0 ? 1 : length;
      const std::string_view character = piece.substr(start, pos - start);
      if (length != 0) {
        if (auto id = vocab.find(character)) {
          symbols.push_back(*id);
          previous_unknown = false;
          continue;
        }
      }
      if (byte_fallback) {
        bool all = true;
        for (char c : character) all = all && byte_symbols[static_cast<unsigned char>(c)] >= 0;
        if (all) {
          for (char c : character) symbols.push_back(byte_symbols[static_cast<unsigned char>(c)]);
          previous_unknown = false;
          continue;
        }
      }
      if (unknown) {
        if (!(fuse_unknown && previous_unknown)) symbols.push_back(*unknown);
        previous_unknown = true;
      }
    }
  }
  if (symbols.size() <= short_piece) {
    merge_short(merges, symbols);
  } else {
    merge_long(merges, symbols);
  }
  out.insert(out.end(), symbols.begin(), symbols.end());
}

}  // namespace tokenizer
LMC_END_NAMESPACE
