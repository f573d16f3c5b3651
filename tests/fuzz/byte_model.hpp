// A byte-level CodingModel for the container fuzz target and its seed maker: ids 0..255 are
// bytes, 256 is the start token. Its logits depend on the previous token only, through a fixed
// integer hash, so they are the same batched or not, and containers it writes decode with it.
#pragma once

#include <lmc/coding_model.hpp>
#include <lmc/error.hpp>

#include <cstddef>
#include <cstdint>
#include <memory>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace lmc_fuzz {

class ByteModel final : public lmc::CodingModel {
 public:
  std::size_t vocab_size() const override { return 257; }
  std::size_t context() const override { return 64; }
  lmc::Token start_token() const override { return 256; }
  std::string fingerprint() const override { return "fuzz-byte-model"; }
  std::uint32_t numeric_profile() const override { return 1; }
  std::vector<lmc::Token> encode(std::string_view text) const override {
    return {text.begin(), text.end()};
  }
  std::string decode(std::span<const lmc::Token> tokens) const override {
    std::string text;
    for (lmc::Token token : tokens) {
      if (token < 256) text += static_cast<char>(token);
    }
    return text;
  }
  std::unique_ptr<lmc::CodingSession> new_session() const override {
    return std::make_unique<Session>();
  }

 private:
  class Session final : public lmc::CodingSession {
   public:
    void reset() override { fed_ = 0; }
    void logits_batch(std::span<const lmc::Token> tokens, std::span<float> logits) override {
      fed_ += tokens.size();
      if (fed_ > 64 || logits.size() != tokens.size() * 257) {
        throw lmc::Error(lmc::ErrorCode::internal, "fuzz model: misuse");
      }
      for (std::size_t i = 0; i < tokens.size(); ++i) {
        for (std::uint32_t j = 0; j < 257; ++j) {
          std::uint32_t hash = (static_cast<std::uint32_t>(tokens[i]) * 2654435761u) ^ (j * 40503u);
          logits[i * 257 + j] = static_cast<float>(hash % 1000) / 100.0f;
        }
      }
    }

   private:
    std::size_t fed_ = 0;
  };
};

}  // namespace lmc_fuzz
