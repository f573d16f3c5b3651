// The numerics contract on the archs2 files whose blocks are new (state-space layers, jamba's
// hybrid, DeepSeek-V2's latent attention with shared-expert MoE, Qwen3's per-head q/k norms,
// Qwen3-MoE's experts of their own width, OLMo 2's q/k norms over all heads and post-norms
// without pre-norms, Gemma 3's local layers with their own window and RoPE base, SmolLM3's NoPE
// layers): one batched pass, any split into smaller feeds (down to one token at a time), any
// thread count and every SIMD path give bit-identical logits. The paragraph (143 tokens) is
// longer than gemma3's window of 16, so splits cut through windows.
#include "feed_pieces.hpp"
#include "reference_cases.hpp"
#include "support/kernel_paths.hpp"
#include "support/testdata.hpp"

#include <lmc/model.hpp>

#include <gtest/gtest.h>

namespace {

// The parameter's archs2 model file and its reference cases; skips when either is absent.
class Archs2Identity : public ::testing::TestWithParam<const char*> {
 protected:
  void SetUp() override {
    LMC_REQUIRE_TESTDATA();
    const std::string name = GetParam();
    model_path_ = lmc_test::testdata("archs2/" + name + ".gguf");
    if (!std::filesystem::exists(model_path_)) GTEST_SKIP() << model_path_ << " absent";
    ref_ = lmc_test::read_reference(lmc_test::testdata("archs2/" + name + ".ref.json"));
    ASSERT_FALSE(ref_.cases.empty());
  }

  std::filesystem::path model_path_;
  lmc_test::Reference ref_;
};

TEST_P(Archs2Identity, BatchedSplitAndOneTokenRunsAreBitIdenticalOnAnyThreadCount) {
  const std::vector<lmc::Token> tokens = ref_.cases.back().tokens;  // the paragraph
  ASSERT_GT(tokens.size(), 100u);
  lmc::ModelOptions one_thread;
  one_thread.threads = 1;
  const lmc::Model model = lmc::Model::load(model_path_, one_thread);
  const std::vector<float> batched = lmc_test::logits_fed_in(model, tokens, tokens.size());
  for (std::size_t piece : {std::size_t{1}, std::size_t{3}, std::size_t{64}}) {
    EXPECT_TRUE(lmc_test::same_bits(batched, lmc_test::logits_fed_in(model, tokens, piece)))
        << "pieces of " << piece;
  }
  for (std::size_t threads : {2, 3}) {
    lmc::ModelOptions options;
    options.threads = threads;
    const lmc::Model threaded = lmc::Model::load(model_path_, options);
    EXPECT_TRUE(
        lmc_test::same_bits(batched, lmc_test::logits_fed_in(threaded, tokens, tokens.size())))
        << threads << " threads";
    EXPECT_TRUE(lmc_test::same_bits(batched, lmc_test::logits_fed_in(threaded, tokens, 1)))
        << threads << " threads, one token at a time";
  }
}

TEST_P(Archs2Identity, EverySimdPathGivesTheSameBits) {
  const lmc::Model model = lmc::Model::load(model_path_);
  const lmc_test::KernelPathGuard restore_path;
  std::vector<float> reference;
  for (lmc::nn::KernelPath path : lmc_test::supported_paths()) {
    lmc::nn::force_kernel_path(path);
    const std::vector<float> lp = model.token_logprobs(ref_.cases.back().tokens);
    if (reference.empty()) {
      reference = lp;
    } else {
      EXPECT_TRUE(lmc_test::same_bits(lp, reference)) << lmc::nn::to_string(path);
    }
  }
}

INSTANTIATE_TEST_SUITE_P(Archs2, Archs2Identity,
                         ::testing::Values("mamba", "jamba", "deepseek2", "deepseek2_qlora",
                                           "qwen3", "qwen3moe", "olmo2", "gemma3", "smollm3"),
                         [](const auto& info) { return std::string(info.param); });

}  // namespace
