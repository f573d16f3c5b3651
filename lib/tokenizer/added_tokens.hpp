// Finding added tokens (special and user-defined) in raw text before anything else runs:
// a byte trie, scanned leftmost-longest as Hugging Face's AddedVocabulary does.
#pragma once

#include <lmc/tokenizer.hpp>

#include <array>
#include <cstdint>
#include <string_view>
#include <vector>

LMC_BEGIN_NAMESPACE
namespace tokenizer {

class AddedTokens {
 public:
  AddedTokens();

  /// Registers `text` as token `id`. `special` tokens are matched only with parse_special.
  void add(std::string_view text, Token id, bool special);
  bool empty() const noexcept { return count_ == 0; }

  /// Cuts `text` at the added tokens it holds: calls on_text(view) for each stretch of
  /// ordinary text (never empty) and on_token(id) for each token, in order.
  template <typename OnText, typename OnToken>
  void split(std::string_view text, bool parse_special, OnText&& on_text,
             OnToken&& on_token) const {
    std::size_t start = 0;  // of the pending ordinary text
    std::size_t pos = 0;
    while (pos < text.size()) {
      Token id = -1;
      const std::size_t length = match_at(text, pos, parse_special, id);
      if (length == 0) {
        ++pos;
        continue;
      }
      if (pos > start) on_text(text.substr(start, pos - start));
      on_token(id);
      pos += length;
      start = pos;
    }
    if (start < text.size()) on_text(text.substr(start));
  }

 private:
  struct Node {
    std::vector<std::pair<unsigned char, std::uint32_t>> children;  // sorted by byte
    Token token = -1;
    bool special = false;
  };

  /// Length of the longest token that starts at text[pos] (0 if none); its id in `id`.
  std::size_t match_at(std::string_view text, std::size_t pos, bool parse_special, Token& id) const;

  std::vector<Node> nodes_;
  std::array<std::uint32_t, 256> root_{};  // child of the root per first byte (0: none)
  std::size_t count_ = 0;
};

}  // namespace tokenizer
LMC_END_NAMESPACE
