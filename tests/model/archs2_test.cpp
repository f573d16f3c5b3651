// The second set of random-weight architecture models (../shared/testdata/archs2, made with a
// 2026 llama.cpp): each file lmc implements agrees with llama.cpp's log-probabilities within the
// tolerance its reference states; each file it does not implement is refused with
// Error(unsupported), never scored.
#include "reference_cases.hpp"
#include "support/testdata.hpp"

#include <lmc/error.hpp>
#include <lmc/model.hpp>

#include <gtest/gtest.h>

#include <cmath>

namespace {

struct Archs2Case {
  const char* name;
  bool supported;  ///< false: lmc must refuse the file (the comment at the list says why)
};

class Archs2Test : public ::testing::TestWithParam<Archs2Case> {};

TEST_P(Archs2Test, MatchesLlamaCppOrIsRefused) {
  LMC_REQUIRE_TESTDATA();
  const Archs2Case param = GetParam();
  const std::string name = param.name;
  const auto model_path = lmc_test::testdata("archs2/" + name + ".gguf");
  if (!std::filesystem::exists(model_path)) GTEST_SKIP() << model_path << " absent";
  lmc::ModelOptions options;
  options.threads = 2;
  if (!param.supported) {
    try {
      (void)lmc::Model::load(model_path, options);
      ADD_FAILURE() << name << " loaded, but lmc cannot compute it and must refuse it";
    } catch (const lmc::Error& e) {
      EXPECT_EQ(e.code(), lmc::ErrorCode::unsupported) << e.what();
      std::printf("%s: refused: %s\n", name.c_str(), e.what());
    }
    return;
  }
  const auto ref = lmc_test::read_reference(lmc_test::testdata("archs2/" + name + ".ref.json"));
  ASSERT_FALSE(ref.cases.empty());
  ASSERT_GT(ref.tolerance, 0.0);
  const lmc::Model model = lmc::Model::load(model_path, options);
  lmc_test::expect_within_tolerance(model, ref, name);
}

// mamba and jamba are also checked, with their state's contract, in ssm_test.cpp.
INSTANTIATE_TEST_SUITE_P(
    Archs2, Archs2Test,
    ::testing::Values(Archs2Case{"llama3rope", true}, Archs2Case{"llama_headdim", true},
                      Archs2Case{"falcon40b", true}, Archs2Case{"phi3_longrope", true},
                      Archs2Case{"qwen3", true}, Archs2Case{"qwen3moe", true},
                      Archs2Case{"gemma3", true}, Archs2Case{"olmo2", true},
                      Archs2Case{"deepseek2", true}, Archs2Case{"deepseek2_qlora", true},
                      Archs2Case{"smollm3", true}, Archs2Case{"jamba", true},
                      Archs2Case{"mamba", true}),
    [](const auto& info) { return std::string(info.param.name); });

}  // namespace
