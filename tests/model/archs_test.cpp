// The random-weight architecture models of ../shared/testdata/archs against llama.cpp, each
// within the tolerance its reference states.
#include "reference_cases.hpp"
#include "support/testdata.hpp"

#include <lmc/model.hpp>

#include <gtest/gtest.h>

#include <cmath>

namespace {

class ArchitectureTest : public ::testing::TestWithParam<const char*> {};

TEST_P(ArchitectureTest, MatchesLlamaCppReference) {
  LMC_REQUIRE_TESTDATA();
  const std::string name = GetParam();
  const auto model_path = lmc_test::testdata("archs/" + name + ".gguf");
  if (!std::filesystem::exists(model_path)) GTEST_SKIP() << model_path << " absent";
  const auto ref = lmc_test::read_reference(lmc_test::testdata("archs/" + name + ".ref.json"));
  ASSERT_FALSE(ref.cases.empty());
  ASSERT_GT(ref.tolerance, 0.0);
  lmc::ModelOptions options;
  options.threads = 2;
  const lmc::Model model = lmc::Model::load(model_path, options);
  lmc_test::expect_within_tolerance(model, ref, name);
}

INSTANTIATE_TEST_SUITE_P(Archs, ArchitectureTest,
                         ::testing::Values("llama", "llama_gqa", "llama_moe", "qwen2", "gemma",
                                           "gemma2", "gpt2", "phi2", "phi3", "gptneox", "falcon",
                                           "starcoder", "starcoder2", "stablelm", "internlm2",
                                           "qwen"),
                         [](const auto& info) { return std::string(info.param); });

}  // namespace
