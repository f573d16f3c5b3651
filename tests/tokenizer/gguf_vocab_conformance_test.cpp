// Conformance with the reference tokenizations of ../shared/testdata/vocab (llama.cpp's
// vocabulary-only GGUF files, expected ids made by Hugging Face): every vocabulary with .inp
// and .out files, each case encoded with no special tokens added and none parsed.
#include "conformance_support.hpp"
#include "support/testdata.hpp"

#include <lmc/gguf.hpp>

namespace {

struct VocabCase {
  std::string text;
  std::vector<lmc::Token> ids;
};

std::vector<VocabCase> read_vocab_cases(const std::filesystem::path& gguf) {
  const std::string input = lmc_test::read_whole_file(gguf.string() + ".inp");
  const std::string output = lmc_test::read_whole_file(gguf.string() + ".out");
  const std::string separator = "\n__ggml_vocab_test__\n";
  std::vector<std::string> texts;
  for (std::size_t pos = 0;;) {
    const std::size_t hit = input.find(separator, pos);
    if (hit == std::string::npos) break;
    texts.push_back(input.substr(pos, hit - pos));
    pos = hit + separator.size();
  }
  std::vector<VocabCase> cases;
  std::istringstream lines(output);
  std::string line;
  for (const auto& text : texts) {
    std::getline(lines, line);
    std::istringstream numbers(line);
    VocabCase c{text, {}};
    for (lmc::Token id; numbers >> id;) c.ids.push_back(id);
    cases.push_back(std::move(c));
  }
  return cases;
}

class GgufVocab : public ::testing::TestWithParam<const char*> {};

TEST_P(GgufVocab, MatchesReferenceIds) {
  LMC_REQUIRE_TESTDATA();
  const auto path =
      lmc_test::testdata("vocab") / (std::string("ggml-vocab-") + GetParam() + ".gguf");
  const lmc::Tokenizer tokenizer = lmc::Tokenizer::from_gguf(lmc::GgufFile::open(path));
  const auto cases = read_vocab_cases(path);
  ASSERT_EQ(cases.size(), 46u);
  int failures = 0;
  for (std::size_t i = 0; i < cases.size(); ++i) {
    const auto ids = tokenizer.encode(cases[i].text);
    EXPECT_EQ(ids, cases[i].ids) << "case " << i << " '" << cases[i].text
                                 << "'\n got:" << lmc_test::show_ids(ids)
                                 << "\nwant:" << lmc_test::show_ids(cases[i].ids);
    failures += ids != cases[i].ids;
  }
  EXPECT_EQ(failures, 0) << GetParam();
}

INSTANTIATE_TEST_SUITE_P(All, GgufVocab,
                         ::testing::Values("llama-spm", "phi-3", "gpt-2", "llama-bpe", "qwen2",
                                           "deepseek-llm", "deepseek-coder", "falcon", "mpt",
                                           "starcoder", "refact", "bert-bge"));

// deepseek-r1-qwen has no GGUF of its own: its expected ids equal qwen2's (see the README).
TEST(GgufVocab, DeepseekR1QwenSharesQwen2) {
  LMC_REQUIRE_TESTDATA();
  const auto dir = lmc_test::testdata("vocab");
  EXPECT_EQ(lmc_test::read_whole_file(dir / "ggml-vocab-deepseek-r1-qwen.gguf.out"),
            lmc_test::read_whole_file(dir / "ggml-vocab-qwen2.gguf.out"));
}

}  // namespace
