// Conformance with Hugging Face tokenizers on the six tokenizer.json files of
// ../shared/testdata/tokenizers: 91 reference tokenizations each, with and without the
// default special tokens, and the reference decoding.
#include "conformance_support.hpp"
#include "support/testdata.hpp"

#include <lmc/error.hpp>

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
