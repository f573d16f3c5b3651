// The lmc-score example, run as a program: its JSON against stories260K's llama.cpp reference.
#include "reference_cases.hpp"
#include "support/run_program.hpp"
#include "support/testdata.hpp"

#include <gtest/gtest.h>
#include <rapidjson/document.h>

#include <algorithm>
#include <cmath>
#include <fstream>
#include <string>

namespace {

using lmc_test::ProgramRun;

ProgramRun run_score(const std::string& arguments) {
  return lmc_test::run_program(LMC_SCORE_PATH, arguments);
}

TEST(LmcScore, JsonMatchesTheReference) {
  LMC_REQUIRE_TESTDATA();
  const auto ref = lmc_test::read_reference(lmc_test::testdata("models/stories260K.ref.json"));
  const lmc_test::ReferenceCase& c = ref.cases.at(1);
  const auto text_file = std::filesystem::temp_directory_path() / "lmc_score_test_text.txt";
  std::ofstream(text_file, std::ios::binary) << c.text;
  const ProgramRun run =
      run_score("--model " + lmc_test::testdata("models/stories260K.gguf").string() +
                " --threads 2 --json --text-file " + text_file.string());
  std::filesystem::remove(text_file);
  ASSERT_EQ(run.status, 0) << run.output;
  rapidjson::Document doc;
  doc.Parse(run.output.c_str());
  ASSERT_FALSE(doc.HasParseError()) << run.output;
  const auto& tokens = doc["tokens"].GetArray();
  ASSERT_EQ(tokens.Size(), c.tokens.size());
  for (rapidjson::SizeType i = 0; i < tokens.Size(); ++i)
    EXPECT_EQ(tokens[i].GetInt(), c.tokens[i]);
  const auto& lp = doc["logprob_next"].GetArray();
  ASSERT_EQ(lp.Size(), c.logprob_next.size());
  double total = 0;
  for (rapidjson::SizeType i = 0; i < lp.Size(); ++i) {
    EXPECT_NEAR(lp[i].GetDouble(), c.logprob_next[i], 1e-4);
    total -= c.logprob_next[i];
  }
  EXPECT_NEAR(doc["total_nll_nats"].GetDouble(), total, 1e-3);
  EXPECT_EQ(doc["n_bytes"].GetUint64(), c.text.size());
}

TEST(LmcScore, ErrorsExitWithOneLine) {
  const ProgramRun missing = run_score("--model /nonexistent/model.gguf hello");
  EXPECT_EQ(missing.status, 1);
  EXPECT_NE(missing.output.find("lmc-score: "), std::string::npos) << missing.output;
  EXPECT_EQ(std::count(missing.output.begin(), missing.output.end(), '\n'), 1) << missing.output;
  const ProgramRun bad_option = run_score("--model x --frobnicate");
  EXPECT_EQ(bad_option.status, 1);
}

}  // namespace
