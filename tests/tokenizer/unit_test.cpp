// Unit tests with hand-computed expectations: Unicode normalization, the byte-level mapping,
// tiktoken rank files, and the errors of unsupported tokenizer.json features.
#include "support/base64.hpp"
#include "tokenizer/byte_level.hpp"
#include "tokenizer/unicode.hpp"

#include <lmc/error.hpp>
#include <lmc/tokenizer.hpp>

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>

namespace {

std::string nfc(std::string_view text) {
  std::string out;
  return lmc::tokenizer::unicode::normalize(lmc::tokenizer::unicode::NormalForm::nfc, text, out)
             ? out
             : std::string(text);
}
std::string nfd(std::string_view text) {
  std::string out;
  return lmc::tokenizer::unicode::normalize(lmc::tokenizer::unicode::NormalForm::nfd, text, out)
             ? out
             : std::string(text);
}
std::string nfkc(std::string_view text) {
  std::string out;
  return lmc::tokenizer::unicode::normalize(lmc::tokenizer::unicode::NormalForm::nfkc, text, out)
             ? out
             : std::string(text);
}

TEST(Unicode, NormalForms) {
  EXPECT_EQ(nfc("e\u0301"), "\u00e9");  // e + acute -> é
  EXPECT_EQ(nfd("\u00e9"), "e\u0301");
  EXPECT_EQ(nfc("\u212b"), "\u00c5");              // Angstrom sign -> Å
  EXPECT_EQ(nfc("\u2126"), "\u03a9");              // Ohm sign -> Omega
  EXPECT_EQ(nfc("a\u0323\u0302"), "\u1ead");       // a + dot below + circumflex
  EXPECT_EQ(nfc("a\u0302\u0323"), "\u1ead");       // marks put in canonical order first
  EXPECT_EQ(nfc("\u1100\u1161\u11a8"), "\uac01");  // Hangul L V T -> 각
  EXPECT_EQ(nfd("\uac01"), "\u1100\u1161\u11a8");
  EXPECT_EQ(nfkc("\ufb01"), "fi");  // ligature
  EXPECT_EQ(nfc("plain ascii"), "plain ascii");
  EXPECT_EQ(nfc("\xff"
                "e\u0301\xfe"),
            "\xff\u00e9\xfe");  // invalid bytes pass through
}

TEST(ByteLevel, Gpt2Mapping) {
  namespace bl = lmc::tokenizer::byte_level;
  EXPECT_EQ(bl::encode(" the"), "\u0120the");
  EXPECT_EQ(bl::encode("\n"), "\u010a");
  EXPECT_EQ(bl::decode("\u0120the"), std::optional<std::string>(" the"));
  EXPECT_FALSE(bl::decode("\u4e16").has_value());
  for (int b = 0; b < 256; ++b) {
    const std::string one(1, static_cast<char>(b));
    EXPECT_EQ(bl::decode(bl::encode(one)), std::optional<std::string>(one));
  }
}

std::filesystem::path temp_file(const std::string& name, const std::string& contents) {
  const auto path = std::filesystem::temp_directory_path() / ("lmc_tokenizer_unit_" + name);
  std::ofstream(path, std::ios::binary) << contents;
  return path;
}

using lmc_test::base64;

TEST(Tiktoken, MergesByRankOfTheConcatenation) {
  // Ranks 0..255 are the single bytes; then "ab" 256, "bc" 257, "abc" 258, " a" 259.
  std::string file;
  for (int b = 0; b < 256; ++b)
    file += base64(std::string(1, static_cast<char>(b))) + " " + std::to_string(b) + "\n";
  file += base64("ab") + " 256\n" + base64("bc") + " 257\n" + base64("abc") + " 258\n" +
          base64(" a") + " 259\n";
  const auto tokenizer = lmc::Tokenizer::from_tiktoken(temp_file("ranks.tiktoken", file), "qwen");
  using Ids = std::vector<lmc::Token>;
  EXPECT_EQ(tokenizer.encode("abc"), (Ids{258}));       // ab (256) first, then ab+c (258)
  EXPECT_EQ(tokenizer.encode("bcd"), (Ids{257, 'd'}));  // bc, d
  // " abc" is one piece: ab (256) merges before " a" (259), then ab+c (258).
  EXPECT_EQ(tokenizer.encode("x abc"), (Ids{'x', ' ', 258}));
  EXPECT_EQ(tokenizer.encode("<|"), (Ids{'<', '|'}));  // special text is text by default
  EXPECT_EQ(tokenizer.encode("<|endoftext|>", {.parse_special = true}), (Ids{260}));
  EXPECT_EQ(tokenizer.decode(Ids{258, 260}), "abc<|endoftext|>");
  EXPECT_EQ(tokenizer.eos(), std::optional<lmc::Token>(260));
  EXPECT_EQ(tokenizer.vocab_size(), 260u + 208u);
  EXPECT_THROW(lmc::Tokenizer::from_tiktoken(temp_file("bad.tiktoken", "!!! 0\n"), "qwen"),
               lmc::Error);
}

TEST(TokenizerJson, UnsupportedFeaturesAreNamed) {
  auto expect_unsupported = [](const std::string& json, const std::string& named) {
    try {
      lmc::Tokenizer::from_tokenizer_json(temp_file("unsupported.json", json));
      ADD_FAILURE() << "no error for " << named;
    } catch (const lmc::Error& e) {
      EXPECT_EQ(e.code(), lmc::ErrorCode::unsupported) << e.what();
      EXPECT_NE(std::string(e.what()).find(named), std::string::npos) << e.what();
    }
  };
  const std::string model =
      R"("model": {"type": "BPE", "vocab": {"a": 0, "b": 1, "ab": 2}, "merges": ["a b"]})";
  expect_unsupported(R"({"model": {"type": "Unigram", "vocab": []}})", "Unigram");
  expect_unsupported(
      "{" + model + R"(, "normalizer": {"type": "Precompiled", "precompiled_charsmap": ""}})",
      "Precompiled");
  expect_unsupported("{" + model + R"(, "pre_tokenizer": {"type": "UnicodeScripts"}})",
                     "UnicodeScripts");
  expect_unsupported("{" + model + R"(, "decoder": {"type": "CTC"}})", "CTC");
  expect_unsupported(
      "{" + model + R"(, "added_tokens": [{"id": 3, "content": "<m>", "lstrip": true}]})",
      "lstrip");

  const auto ok = lmc::Tokenizer::from_tokenizer_json(temp_file("ok.json", "{" + model + "}"));
  EXPECT_EQ(ok.encode("abba"), (std::vector<lmc::Token>{2, 1, 0}));
  EXPECT_THROW(lmc::Tokenizer::from_tokenizer_json(temp_file("broken.json", "{\"model\": ")),
               lmc::Error);
}

}  // namespace
