// Properties that must hold for any input: encode never throws on any byte string, lossless
// tokenizers give decode(encode(x)) == x, SentencePiece tokenizers too for text without a
// literal "▁", and concurrent encode calls agree with sequential ones.
#include "support/testdata.hpp"

#include <lmc/error.hpp>
#include <lmc/gguf.hpp>
#include <lmc/tokenizer.hpp>

#include <random>
#include <string>
#include <thread>
#include <vector>

namespace {

void append_utf8(std::string& out, char32_t c) {
  if (c < 0x80) {
    out.push_back(static_cast<char>(c));
  } else if (c < 0x800) {
    out.push_back(static_cast<char>(0xC0 | (c >> 6)));
    out.push_back(static_cast<char>(0x80 | (c & 0x3F)));
  } else if (c < 0x10000) {
    out.push_back(static_cast<char>(0xE0 | (c >> 12)));
    out.push_back(static_cast<char>(0x80 | ((c >> 6) & 0x3F)));
    out.push_back(static_cast<char>(0x80 | (c & 0x3F)));
  } else {
    out.push_back(static_cast<char>(0xF0 | (c >> 18)));
    out.push_back(static_cast<char>(0x80 | ((c >> 12) & 0x3F)));
    out.push_back(static_cast<char>(0x80 | ((c >> 6) & 0x3F)));
    out.push_back(static_cast<char>(0x80 | (c & 0x3F)));
  }
}

// Random text built from pieces that stress tokenizers: words, digits, whitespace runs,
// combining marks, emoji sequences, code points from every plane (assigned or not, private
// use included), and, when `invalid` is set, raw bytes that are not UTF-8.
std::string random_text(std::mt19937& rng, bool invalid) {
  std::string out;
  const int pieces = std::uniform_int_distribution<int>(0, 12)(rng);
  auto pick = [&](int n) { return std::uniform_int_distribution<int>(0, n - 1)(rng); };
  static const char32_t whitespace[] = {' ',  '\t', '\n',   '\r',   0x0B,   0x0C,
                                        0x85, 0xA0, 0x2000, 0x2028, 0x3000, 0x200B};
  static const char* const words[] = {
      "the", "Hello",    "don't", "I'M",           "naïve", "Ωmega", "世界", "Привет",
      "x",   "if (a) {", "</s>",  "<|endoftext|>", "<s>",   "##ing", "'ll",  "__init__"};
  for (int p = 0; p < pieces; ++p) {
    switch (pick(invalid ? 9 : 8)) {
      case 0: out += words[pick(16)]; break;
      case 1:
        for (int i = pick(8); i >= 0; --i) out.push_back(static_cast<char>('0' + pick(10)));
        break;
      case 2:
        for (int i = pick(6); i >= 0; --i) append_utf8(out, whitespace[pick(12)]);
        break;
      case 3:  // a base letter with a pile of combining marks, in random order
        append_utf8(out, static_cast<char32_t>('a' + pick(26)));
        for (int i = pick(5); i >= 0; --i)
          append_utf8(out, static_cast<char32_t>(0x300 + pick(0x70)));
        break;
      case 4:  // emoji with zero-width joiners and a flag
        out += "\U0001F469\u200D\U0001F4BB";
        if (pick(2)) out += "\U0001F1EF\U0001F1F5";
        break;
      case 5:
      case 6:  // any scalar value from any plane
        for (int i = pick(4); i >= 0; --i) {
          char32_t c = 0;
          do {
            const int plane = pick(17);
            c = static_cast<char32_t>(plane * 0x10000 + pick(0x10000));
          } while (c >= 0xD800 && c <= 0xDFFF);
          append_utf8(out, c);
        }
        break;
      case 7:
        for (int i = pick(20); i >= 0; --i) out.push_back(static_cast<char>(0x20 + pick(95)));
        break;
      case 8:  // bytes that are not UTF-8: lone continuations, truncated sequences, 0xFF, ...
        for (int i = pick(4); i >= 0; --i) {
          static const unsigned char bad[] = {0x80, 0xBF, 0xC0, 0xC1, 0xE2, 0xF0, 0xF5, 0xFF, 0xED};
          out.push_back(static_cast<char>(bad[pick(9)]));
        }
        break;
    }
  }
  return out;
}

struct Subject {
  const char* path;
  bool spm;  // SentencePiece: lossless except for a literal U+2581
};

const Subject subjects[] = {
    {"tokenizers/llama3", false},
    {"tokenizers/qwen3", false},
    {"tokenizers/deepseek_v3", false},
    {"tokenizers/llama2", true},
    {"vocab/ggml-vocab-gpt-2.gguf", false},
    {"vocab/ggml-vocab-starcoder.gguf", false},
    {"vocab/ggml-vocab-falcon.gguf", false},
    {"vocab/ggml-vocab-deepseek-llm.gguf", false},
    {"vocab/ggml-vocab-llama-spm.gguf", true},
    {"vocab/ggml-vocab-bert-bge.gguf", false},
};

class Property : public ::testing::TestWithParam<Subject> {};

TEST_P(Property, RoundTripAndNeverThrows) {
  LMC_REQUIRE_TESTDATA();
  const lmc::Tokenizer tokenizer = lmc::Tokenizer::from_file(lmc_test::testdata(GetParam().path));
  std::mt19937 rng(20240607);
  int checked = 0;
  for (int i = 0; i < 400; ++i) {
    const bool invalid = i % 2 == 1;
    const std::string text = random_text(rng, invalid);
    std::vector<lmc::Token> ids;
    ASSERT_NO_THROW(ids = tokenizer.encode(text)) << GetParam().path;
    ASSERT_NO_THROW(tokenizer.encode(text, {.add_special = true, .parse_special = true}));
    for (lmc::Token id : ids)
      ASSERT_TRUE(id >= 0 && static_cast<std::size_t>(id) < tokenizer.vocab_size());
    const bool literal_space_marker = text.find("\u2581") != std::string::npos;
    // SentencePiece falls back to byte tokens, so it round-trips invalid UTF-8 as well.
    // lossless() promises valid UTF-8; where the vocabulary has a token for every byte,
    // byte-level BPE round-trips any bytes too.
    const bool all_bytes =
        std::string_view(GetParam().path).find("llama3") != std::string_view::npos ||
        std::string_view(GetParam().path).find("gpt-2") != std::string_view::npos;
    if ((tokenizer.lossless() && (!invalid || all_bytes)) ||
        (GetParam().spm && !literal_space_marker)) {
      ASSERT_EQ(tokenizer.decode(ids), text) << GetParam().path << " case " << i;
      ++checked;
    }
  }
  const std::string_view path = GetParam().path;
  if (GetParam().spm || path.find("llama3") != path.npos || path.find("gpt-2") != path.npos) {
    EXPECT_EQ(checked, 400);
  } else if (tokenizer.lossless()) {
    EXPECT_EQ(checked, 200);
  }
}

TEST_P(Property, LongRunsDoNotBreakTheRegexEngine) {
  LMC_REQUIRE_TESTDATA();
  const lmc::Tokenizer tokenizer = lmc::Tokenizer::from_file(lmc_test::testdata(GetParam().path));
  for (const std::string& text : {std::string(200000, ' '), std::string(100000, '\n') + "x",
                                  std::string(50000, '!'), std::string(60000, '7')}) {
    std::vector<lmc::Token> ids;
    ASSERT_NO_THROW(ids = tokenizer.encode(text));
    if (tokenizer.lossless() || GetParam().spm) {
      EXPECT_EQ(tokenizer.decode(ids), text);
    }
  }
}

INSTANTIATE_TEST_SUITE_P(All, Property, ::testing::ValuesIn(subjects), [](const auto& info) {
  std::string name = info.param.path;
  for (char& c : name) {
    if (!std::isalnum(static_cast<unsigned char>(c))) c = '_';
  }
  return name;
});

TEST(Property, LosslessFlagsByFamily) {
  LMC_REQUIRE_TESTDATA();
  EXPECT_TRUE(lmc::Tokenizer::from_file(lmc_test::testdata("tokenizers/llama3")).lossless());
  EXPECT_FALSE(
      lmc::Tokenizer::from_file(lmc_test::testdata("tokenizers/qwen3")).lossless());  // NFC
  EXPECT_FALSE(
      lmc::Tokenizer::from_file(lmc_test::testdata("tokenizers/llama2")).lossless());  // "▁"
}

TEST(Property, ConcurrentEncodeMatchesSequential) {
  LMC_REQUIRE_TESTDATA();
  const lmc::Tokenizer tokenizer =
      lmc::Tokenizer::from_file(lmc_test::testdata("tokenizers/llama3"));
  std::mt19937 rng(7);
  std::vector<std::string> texts;
  for (int i = 0; i < 200; ++i) texts.push_back(random_text(rng, i % 3 == 0));
  std::vector<std::vector<lmc::Token>> expected;
  for (const auto& t : texts) expected.push_back(tokenizer.encode(t));
  std::vector<int> mismatches(4, 0);
  std::vector<std::thread> threads;
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&, t] {
      for (int round = 0; round < 3; ++round) {
        for (std::size_t i = 0; i < texts.size(); ++i)
          mismatches[t] += tokenizer.encode(texts[i]) != expected[i];
      }
    });
  }
  for (auto& thread : threads) thread.join();
  for (int m : mismatches) EXPECT_EQ(m, 0);
}

}  // namespace
