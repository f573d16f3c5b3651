// Conformance with Hugging Face tokenizers on the six tokenizer.json files of
// ../shared/testdata/tokenizers: 91 reference tokenizations each, with and without the
// default special tokens, and the reference decoding.
#include "conformance_support.hpp"
#include "support/testdata.hpp"

#include <lmc/error.hpp>

#include <algorithm>

namespace {

class TokenizerJson : public ::testing::TestWithParam<const char*> {};

TEST_P(TokenizerJson, MatchesReferenceIds) {
  LMC_REQUIRE_TESTDATA();
  const auto folder = lmc_test::testdata("tokenizers") / GetParam();
  const lmc::Tokenizer tokenizer = lmc::Tokenizer::from_file(folder);
  const auto cases = lmc_test::read_cases(folder / "cases.jsonl");
  ASSERT_EQ(cases.size(), 91u);
  int failures = 0;
  for (const auto& c : cases) {
    // cases.jsonl follows Hugging Face, which matches special-token text in the input.
    const auto ids = tokenizer.encode(c.text, {.add_special = false, .parse_special = true});
    const auto with_special =
        tokenizer.encode(c.text, {.add_special = true, .parse_special = true});
    EXPECT_EQ(ids, c.ids) << c.source << " text '" << c.text
                          << "'\n got:" << lmc_test::show_ids(ids)
                          << "\nwant:" << lmc_test::show_ids(c.ids);
    EXPECT_EQ(with_special, c.ids_with_special) << c.source << " (with special)";
    EXPECT_EQ(tokenizer.decode(c.ids), c.decoded) << c.source << " (decode)";
    failures += ids != c.ids || with_special != c.ids_with_special;
  }
  EXPECT_EQ(failures, 0);
}

INSTANTIATE_TEST_SUITE_P(All, TokenizerJson,
                         ::testing::Values("llama2", "mistral", "llama3", "qwen3", "gemma3",
                                           "deepseek_v3"));

}  // namespace

namespace {

TEST(TokenizerDefaults, SpecialTokensAreTextUnlessAsked) {
  LMC_REQUIRE_TESTDATA();
  const auto llama3 = lmc::Tokenizer::from_file(lmc_test::testdata("tokenizers/llama3"));
  const auto plain = llama3.encode("<|begin_of_text|>hi");
  EXPECT_EQ(std::count(plain.begin(), plain.end(), 128000), 0);
  const auto parsed = llama3.encode("<|begin_of_text|>hi", {.parse_special = true});
  ASSERT_FALSE(parsed.empty());
  EXPECT_EQ(parsed.front(), 128000);
  EXPECT_EQ(llama3.decode(plain), "<|begin_of_text|>hi");
}

TEST(TokenizerDefaults, BosByDefaultFollowsTheReferences) {
  LMC_REQUIRE_TESTDATA();
  // From the tokenizers README: transformers adds BOS for llama2, mistral, gemma3 and
  // deepseek_v3, not for llama3 (tokenizer.json) or qwen3; llama.cpp adds it for Llama-3 GGUFs.
  const std::pair<const char*, bool> expected[] = {{"tokenizers/llama2", true},
                                                   {"tokenizers/mistral", true},
                                                   {"tokenizers/llama3", false},
                                                   {"tokenizers/qwen3", false},
                                                   {"tokenizers/deepseek_v3", true},
                                                   {"vocab/ggml-vocab-llama-bpe.gguf", true},
                                                   {"vocab/ggml-vocab-qwen2.gguf", false},
                                                   {"vocab/ggml-vocab-llama-spm.gguf", true}};
  for (const auto& [path, bos] : expected) {
    const auto t = lmc::Tokenizer::from_file(lmc_test::testdata(path));
    EXPECT_EQ(t.add_bos_by_default(), bos) << path;
    EXPECT_TRUE(t.encode("x").size() < t.encode("x", {.add_special = true}).size() || !bos) << path;
  }
}

TEST(TokenizerDefaults, ModelTypes) {
  LMC_REQUIRE_TESTDATA();
  EXPECT_EQ(lmc::Tokenizer::from_file(lmc_test::testdata("tokenizers/llama2")).model_type(),
            "sentencepiece-bpe");
  EXPECT_EQ(
      lmc::Tokenizer::from_file(lmc_test::testdata("vocab/ggml-vocab-gpt-2.gguf")).model_type(),
      "byte-level-bpe");
  EXPECT_EQ(
      lmc::Tokenizer::from_file(lmc_test::testdata("vocab/ggml-vocab-bert-bge.gguf")).model_type(),
      "wordpiece");
  const auto spm = lmc::Tokenizer::from_file(lmc_test::testdata("vocab/ggml-vocab-llama-spm.gguf"));
  EXPECT_TRUE(spm.is_byte_token(*spm.find_token("<0x0A>")));
  EXPECT_TRUE(spm.is_special(1));
  EXPECT_EQ(spm.bos(), std::optional<lmc::Token>(1));
  EXPECT_THROW(spm.decode(std::vector<lmc::Token>{32000}), lmc::Error);
}

}  // namespace
