#include "tokenizer/added_tokens.hpp"

#include <algorithm>

LMC_BEGIN_NAMESPACE
namespace tokenizer {

AddedTokens::AddedTokens() { nodes_.emplace_back(); }  // node 0 is the root

void AddedTokens::add(std::string_view text, Token id, bool special) {
  if (text.empty()) return;
  std::uint32_t node = 0;
  for (std::size_t i = 0; i < text.size(); ++i) {
    const auto byte = static_cast<unsigned char>(text[i]);
    std::uint32_t child = 0;
    if (i == 0) {
      child = root_[byte];
    } else {
      auto& children = nodes_[node].children;
      auto it =
          std::lower_bound(children.begin(), children.end(), byte,
                           [](const auto& entry, unsigned char b) { return entry.first < b; });
      if (it != children.end() && it->first == byte) child = it->second;
    }
    if (child == 0) {
      child = static_cast<std::uint32_t>(nodes_.size());
      nodes_.emplace_back();
      if (i == 0) {
        root_[byte] = child;
      } else {
        auto& children = nodes_[node].children;
        auto it =
            std::lower_bound(children.begin(), children.end(), byte,
                             [](const auto& entry, unsigned char b) { return entry.first < b; });
        children.insert(it, {byte, child});
      }
    }
    node = child;
  }
  if (nodes_[node].token < 0) ++count_;
  // The first registration of a string wins (as the lowest id does in Hugging Face).
  if (nodes_[node].token < 0) {
    nodes_[node].token = id;
    nodes_[node].special = special;
  }
}

std::size_t AddedTokens::match_at(std::string_view text, std::size_t pos, bool parse_special,
                                  Token& id) const {
  std::uint32_t node = root_[static_cast<unsigned char>(text[pos])];
  if (node == 0) return 0;
  std::size_t best = 0;
  for (std::size_t i = pos + 1;; ++i) {
    const Node& current = nodes_[node];
    if (current.token >= 0 && (parse_special || !current.special)) {
      best = i - pos;
      id = current.token;
    }
    if (i >= text.size() || current.children.empty()) break;
    const auto byte = static_cast<unsigned char>(text[i]);
    auto it = std::lower_bound(current.children.begin(), current.children.end(), byte,
                               [](const auto& entry, unsigned char b) { return entry.first < b; });
    if (it == current.children.end() || it->first != byte) break;
    node = it->second;
  }
  return best;
}

}  // namespace tokenizer
LMC_END_NAMESPACE
