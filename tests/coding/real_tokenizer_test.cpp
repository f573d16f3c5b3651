// The escape path with a real tokenizer: stories260K's SentencePiece tokenizer (dummy prefix,
// byte fallback) in front of a fixed hashed scorer, so that what the tokenizer cannot
// reproduce is exercised for real while the test stays fast. The scorer is not a language
// model: these tests are about losslessness, not ratio.
#include <lmc/compressor.hpp>
#include <lmc/tokenizer.hpp>

#include "coding/round_trip.hpp"
#include "support/fake_model.hpp"
#include "support/testdata.hpp"

#include <gtest/gtest.h>

#include <fstream>
#include <iostream>
#include <random>

namespace {

using namespace std::string_literals;

class TokenizerWithHashedScorer final : public lmc::CodingModel {
 public:
  explicit TokenizerWithHashedScorer(lmc::Tokenizer tokenizer) : tokenizer_(std::move(tokenizer)) {}

  std::size_t vocab_size() const override { return tokenizer_.vocab_size(); }
  std::size_t context() const override { return 256; }
  lmc::Token start_token() const override { return tokenizer_.bos().value_or(0); }
  std::string fingerprint() const override { return "stories260K-tokenizer+hash"; }
  std::uint32_t numeric_profile() const override { return 1; }
  std::vector<lmc::Token> encode(std::string_view text) const override {
    return tokenizer_.encode(text);
  }
  std::string decode(std::span<const lmc::Token> tokens) const override {
    return tokenizer_.decode(tokens);
  }
  std::unique_ptr<lmc::CodingSession> new_session() const override {
    return std::make_unique<Session>(vocab_size());
  }

 private:
  class Session final : public lmc::CodingSession {
   public:
    explicit Session(std::size_t vocab) : vocab_(vocab) {}
    void reset() override {}
    void logits_batch(std::span<const lmc::Token> tokens, std::span<float> logits) override {
      for (std::size_t i = 0; i < tokens.size(); ++i) {
        for (std::size_t j = 0; j < vocab_; ++j) {
          auto hash = static_cast<std::uint32_t>(tokens[i]) * 2654435761u ^
                      static_cast<std::uint32_t>(j) * 40503u;
          logits[i * vocab_ + j] = static_cast<float>(hash % 997) / 150.0f;
        }
      }
    }

   private:
    std::size_t vocab_;
  };

  lmc::Tokenizer tokenizer_;
};

std::vector<std::byte> read_file(const std::filesystem::path& path, std::size_t limit) {
  std::ifstream file(path, std::ios::binary);
  EXPECT_TRUE(file) << path;
  std::vector<char> text(limit);
  file.read(text.data(), static_cast<std::streamsize>(limit));
  text.resize(static_cast<std::size_t>(file.gcount()));
  return lmc_test::as_bytes(std::string_view(text.data(), text.size()));
}

class RealTokenizer : public ::testing::Test {
 protected:
  void SetUp() override {
    LMC_REQUIRE_TESTDATA();
    model = std::make_unique<TokenizerWithHashedScorer>(
        lmc::Tokenizer::from_file(lmc_test::testdata("models/stories260K.gguf")));
  }
  std::unique_ptr<TokenizerWithHashedScorer> model;
};

TEST_F(RealTokenizer, AdversarialInputsRoundTrip) {
  std::string all_bytes;
  for (int i = 0; i < 256; ++i) all_bytes += static_cast<char>(i);
  std::mt19937 random(5);
  std::string binary(2000, '\0');
  for (char& c : binary) c = static_cast<char>(random());
  for (std::string text :
       {""s, " "s, "  leading spaces and trailing  "s, "Once upon a time, there was a cat.\n"s,
        "crlf\r\nlines\r\n"s, "nul\0bytes\0"s, "bad \xff\xfe utf-8 \xc3"s, "Grüße 東京 🦀"s,
        std::string(500, ' ') + "x" + std::string(300, '\n'), all_bytes, binary}) {
    SCOPED_TRACE(text.substr(0, 40));
    lmc_test::expect_round_trips(*model, lmc_test::as_bytes(text), {.chunk_bytes = 777});
  }
}

TEST_F(RealTokenizer, CorpusFilesRoundTrip) {
  for (const char* file : {"corpora/classic/canterbury/alice29.txt", "corpora/sets/cc_like.jsonl",
                           "corpora/sets/python.jsonl", "corpora/classic/calgary/obj1",
                           "corpora/classic/calgary/geo"}) {
    SCOPED_TRACE(file);
    auto data = read_file(lmc_test::testdata(file), 40000);
    lmc_test::expect_round_trips(*model, data, {.chunk_bytes = 1 << 13});
    auto estimate = lmc::Compressor(*model, {.chunk_bytes = 1 << 13}).estimate(data);
    std::cout << "[ escape ] " << file << ": " << estimate.escaped_bytes << " of " << data.size()
              << " bytes escaped, " << estimate.tokens << " tokens\n";
  }
}

}  // namespace
