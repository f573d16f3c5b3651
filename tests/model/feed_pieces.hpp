// Logits of a token sequence fed to a Session in pieces, and a bitwise comparison: the
// numerics contract says every split of a feed gives the bits of one batched pass.
#pragma once

#include <lmc/model.hpp>

#include <algorithm>
#include <cstring>
#include <span>
#include <vector>

namespace lmc_test {

/// Logits of every position of `tokens`, fed in pieces of `piece` tokens (the last piece takes
/// the rest).
inline std::vector<float> logits_fed_in(const lmc::Model& model,
                                        const std::vector<lmc::Token>& tokens, std::size_t piece) {
  lmc::Session session(model);
  std::vector<float> all;
  for (std::size_t begin = 0; begin < tokens.size(); begin += piece) {
    const std::size_t count = std::min(piece, tokens.size() - begin);
    session.feed(std::span<const lmc::Token>(tokens).subspan(begin, count), lmc::Outputs::all);
    for (std::size_t i = 0; i < count; ++i) {
      const auto row = session.logits(i);
      all.insert(all.end(), row.begin(), row.end());
    }
  }
  return all;
}

inline bool same_bits(const std::vector<float>& a, const std::vector<float>& b) {
  return a.size() == b.size() && std::memcmp(a.data(), b.data(), a.size() * sizeof(float)) == 0;
}

}  // namespace lmc_test
