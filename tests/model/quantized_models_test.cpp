// The random-weight Llama of ../shared/testdata/quantized in every quantized weight type against
// llama.cpp: lmc's log-probabilities must agree within the stated tolerance with one of the two
// references, llama.cpp computing on the blocks (activations quantized as ggml does) or llama.cpp
// on the same weights dequantized to F32 (see the testdata README). A misread block layout is off
// by whole nats.
#include "reference_cases.hpp"
#include "support/testdata.hpp"

#include <lmc/model.hpp>

#include <gtest/gtest.h>

#include <cmath>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <string>
#include <vector>

namespace {

class QuantizedModelTest : public ::testing::TestWithParam<const char*> {};

TEST_P(QuantizedModelTest, MatchesLlamaCppWithinItsTolerance) {
  LMC_REQUIRE_TESTDATA();
  const std::string type = GetParam();
  const auto model_path = lmc_test::testdata("quantized/q-" + type + ".gguf");
  ASSERT_TRUE(std::filesystem::exists(model_path)) << model_path;
  const auto ref =
      lmc_test::read_reference(lmc_test::testdata("quantized/q-" + type + ".ref.json"));
  ASSERT_FALSE(ref.cases.empty());
  ASSERT_GT(ref.tolerance, 0.0);
  lmc::ModelOptions options;
  options.threads = 2;
  const lmc::Model model = lmc::Model::load(model_path, options);
  // Every matrix is read from the mapped blocks: nothing was dequantized into memory.
  EXPECT_EQ(model.info().copied_weight_bytes, 0u) << type;
  for (const auto& c : ref.cases) {
    const std::vector<float> lp = model.token_logprobs(c.tokens);
    ASSERT_EQ(lp.size(), c.logprob_next.size()) << type << "/" << c.name;
    const double vs_blocks = lmc_test::max_abs_difference(lp, c.logprob_next);
    // F16 has only the block reference; the others have both.
    const double vs_dequantized =
        c.logprob_next_dequantized_f32.empty()
            ? vs_blocks
            : lmc_test::max_abs_difference(lp, c.logprob_next_dequantized_f32);
    EXPECT_LE(std::min(vs_blocks, vs_dequantized), ref.tolerance) << type << "/" << c.name;
    std::printf("%s/%s: max |Δ| %.3g vs blocks, %.3g vs dequantized F32 (tolerance %.3g)\n",
                type.c_str(), c.name.c_str(), vs_blocks, vs_dequantized, ref.tolerance);
  }
}

// ModelOptions::integer_products: activations quantized per block as ggml does and integer
// block sums, llama.cpp's own recipe, so lmc follows `logprob_next` to float rounding
// (~1e-6) until some activation code rounds the other way from ggml's (the inputs of a
// quantizer differ from ggml's by an ulp here and there: norms, RoPE, exp), after which these
// deliberately large-gain models move by a few hundredths of a nat. At the first position (BOS
// alone) no upstream difference has had a chance to matter, so that position must agree within
// the tolerance; the whole text is reported, not asserted.
TEST_P(QuantizedModelTest, IntegerProductsFollowLlamaCppsBlockComputation) {
  LMC_REQUIRE_TESTDATA();
  const std::string type = GetParam();
  const auto ref =
      lmc_test::read_reference(lmc_test::testdata("quantized/q-" + type + ".ref.json"));
  lmc::ModelOptions options;
  options.threads = 2;
  options.integer_products = true;
  const lmc::Model model =
      lmc::Model::load(lmc_test::testdata("quantized/q-" + type + ".gguf"), options);
  EXPECT_EQ(model.info().copied_weight_bytes, 0u) << type;
  for (const auto& c : ref.cases) {
    const std::vector<float> lp = model.token_logprobs(c.tokens);
    ASSERT_EQ(lp.size(), c.logprob_next.size()) << type << "/" << c.name;
    ASSERT_FALSE(lp.empty());
    EXPECT_NEAR(lp[0], c.logprob_next[0], ref.tolerance) << type << "/" << c.name;
    std::size_t agreeing = 0;
    for (std::size_t i = 0; i < lp.size(); ++i) {
      agreeing += std::abs(lp[i] - c.logprob_next[i]) <= 1e-4 ? 1 : 0;
    }
    std::printf(
        "%s/%s integer: first position |Δ| %.3g, max |Δ| %.3g vs blocks; %zu of %zu "
        "positions within 1e-4\n",
        type.c_str(), c.name.c_str(), std::abs(lp[0] - c.logprob_next[0]),
        lmc_test::max_abs_difference(lp, c.logprob_next), agreeing, lp.size());
  }
}

// A quantized model file cut short inside its tensor data: Model::load refuses it with an
// lmc::Error naming the tensor whose blocks are missing, before any kernel reads them.
TEST_P(QuantizedModelTest, TruncatedFileIsAnErrorNamingTheTensor) {
  LMC_REQUIRE_TESTDATA();
  const std::string type = GetParam();
  const auto model_path = lmc_test::testdata("quantized/q-" + type + ".gguf");
  std::ifstream in(model_path, std::ios::binary);
  std::vector<char> bytes((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  ASSERT_GT(bytes.size(), 4096u);
  bytes.resize(bytes.size() - 3000);  // inside the last tensors' blocks
  const auto cut = std::filesystem::temp_directory_path() /
                   ("lmc_truncated_" + type + "_" +
                    std::to_string(::testing::UnitTest::GetInstance()->random_seed()) + ".gguf");
  {
    std::ofstream out(cut, std::ios::binary);
    out.write(bytes.data(), static_cast<std::streamsize>(bytes.size()));
  }
  std::string message;
  try {
    (void)lmc::Model::load(cut);
  } catch (const lmc::Error& e) {
    message = e.what();
  }
  std::filesystem::remove(cut);
  EXPECT_NE(message.find("tensor '"), std::string::npos) << type << ": " << message;
  EXPECT_NE(message.find("run past"), std::string::npos) << type << ": " << message;
}

INSTANTIATE_TEST_SUITE_P(Quantized, QuantizedModelTest,
                         ::testing::Values("F16", "Q4_0", "Q4_1", "Q5_0", "Q5_1", "Q8_0", "Q2_K",
                                           "Q3_K_M", "Q4_K_M", "Q5_K_M", "Q6_K", "IQ4_NL",
                                           "IQ4_XS"),
                         [](const auto& info) { return std::string(info.param); });

}  // namespace
