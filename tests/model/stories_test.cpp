// stories260K (a real Llama) against llama.cpp's reference log-probabilities, and the
// agreement of batched, chunked and one-token-at-a-time scoring across thread counts.
#include "reference_cases.hpp"
#include "support/kernel_paths.hpp"
#include "support/testdata.hpp"

#include <lmc/model.hpp>

#include <gtest/gtest.h>

#include <cmath>

namespace {

lmc::Model load_stories(std::size_t threads = 0) {
  lmc::ModelOptions options;
  options.threads = threads;
  return lmc::Model::load(lmc_test::testdata("models/stories260K.gguf"), options);
}

TEST(Stories260K, InfoDescribesTheModel) {
  LMC_REQUIRE_TESTDATA();
  const lmc::Model model = load_stories();
  const lmc::ModelInfo& info = model.info();
  EXPECT_EQ(info.architecture, "llama");
  EXPECT_EQ(info.format, "gguf");
  EXPECT_EQ(info.vocab_size, 512);
  EXPECT_EQ(info.n_embd, 64);
  EXPECT_EQ(info.n_layers, 5);
  EXPECT_EQ(info.n_heads, 8);
  EXPECT_EQ(info.n_kv_heads, 4);
  EXPECT_EQ(info.head_dim, 8);
  EXPECT_EQ(info.n_ff, 172);
  EXPECT_EQ(info.weight_type, "F32");
  // The README's 260,032 weights of the .bin (classifier tied) plus the GGUF's own copy of the
  // output matrix (512·64): llama-bench's 0.29 M.
  EXPECT_EQ(info.n_parameters, 260032 + 512 * 64);
}

TEST(Stories260K, MatchesLlamaCppReference) {
  LMC_REQUIRE_TESTDATA();
  const lmc::Model model = load_stories();
  const auto ref = lmc_test::read_reference(lmc_test::testdata("models/stories260K.ref.json"));
  ASSERT_EQ(ref.cases.size(), 3u);
  for (const auto& c : ref.cases) {
    const std::vector<float> lp = model.token_logprobs(c.tokens);
    ASSERT_EQ(lp.size(), c.logprob_next.size()) << c.name;
    const double worst = lmc_test::max_abs_difference(lp, c.logprob_next);
    EXPECT_LE(worst, 1e-4) << c.name << ": largest |Δ| " << worst;
    std::printf("%s: max |Δ| vs llama.cpp %.3g\n", c.name.c_str(), worst);
  }
}

std::vector<float> score_in_chunks(const lmc::Model& model, const std::vector<std::int32_t>& tokens,
                                   std::size_t chunk) {
  lmc::Session session(model);
  std::vector<float> result;
  for (std::size_t begin = 0; begin + 1 < tokens.size(); begin += chunk) {
    const std::size_t end = std::min(tokens.size() - 1, begin + chunk);
    session.feed(std::span<const std::int32_t>(tokens).subspan(begin, end - begin));
    for (std::size_t i = 0; i < end - begin; ++i)
      result.push_back(session.logprob(i, tokens[begin + i + 1]));
  }
  return result;
}

TEST(Stories260K, BatchedChunkedAndIncrementalAgreeAcrossThreads) {
  LMC_REQUIRE_TESTDATA();
  const auto ref = lmc_test::read_reference(lmc_test::testdata("models/stories260K.ref.json"));
  const std::vector<std::int32_t>& tokens = ref.cases.at(0).tokens;
  const lmc::Model one_thread = load_stories(1);
  const lmc::Model two_threads = load_stories(2);
  const std::vector<float> batched = one_thread.token_logprobs(tokens);
  const std::vector<float> batched_2 = two_threads.token_logprobs(tokens);
  const std::vector<float> chunks_of_7 = score_in_chunks(one_thread, tokens, 7);
  const std::vector<float> chunks_of_7_2 = score_in_chunks(two_threads, tokens, 7);
  std::vector<float> single;
  {
    lmc::Session session(two_threads);
    for (std::size_t i = 0; i + 1 < tokens.size(); ++i) {
      session.feed(tokens[i]);
      single.push_back(session.logprob(0, tokens[i + 1]));
    }
  }
  ASSERT_EQ(batched.size(), tokens.size() - 1);
  for (const std::vector<float>* other : std::initializer_list<const std::vector<float>*>{
           &batched_2, &chunks_of_7, &chunks_of_7_2, &single}) {
    ASSERT_EQ(other->size(), batched.size());
    for (std::size_t i = 0; i < batched.size(); ++i) {
      EXPECT_NEAR((*other)[i], batched[i], 1e-5) << i;
      // The kernels promise more than the 1e-5 asked for: the same bits.
      EXPECT_EQ((*other)[i], batched[i]) << i;
    }
  }
}

TEST(Stories260K, SessionTruncateAndResetReplay) {
  LMC_REQUIRE_TESTDATA();
  const auto ref = lmc_test::read_reference(lmc_test::testdata("models/stories260K.ref.json"));
  const std::vector<std::int32_t>& tokens = ref.cases.at(1).tokens;
  const lmc::Model model = load_stories(2);
  lmc::Session session(model);
  session.feed(std::span<const std::int32_t>(tokens).first(20), lmc::Outputs::all);
  ASSERT_EQ(session.n_outputs(), 20u);
  const std::vector<float> row_9(session.logits(9).begin(), session.logits(9).end());
  session.truncate(10);
  EXPECT_EQ(session.position(), 10u);
  EXPECT_EQ(session.n_outputs(), 0u);
  EXPECT_THROW(session.logits(0), lmc::Error);
  session.reset();
  session.feed(std::span<const std::int32_t>(tokens).first(10), lmc::Outputs::last);
  ASSERT_EQ(session.n_outputs(), 1u);
  const auto again = session.logits(0);
  EXPECT_TRUE(std::equal(again.begin(), again.end(), row_9.begin()));
  const std::vector<float> lp = session.logprobs(0);
  EXPECT_FLOAT_EQ(lp[static_cast<std::size_t>(tokens[10])], session.logprob(0, tokens[10]));
  const std::int32_t bad = 512;
  EXPECT_THROW(session.feed(bad), lmc::Error);
  EXPECT_EQ(session.position(), 10u);
}

// The last id is only predicted, never fed: a context of C positions scores C + 1 ids.
TEST(Stories260K, TokenLogprobsTakeOneIdMoreThanTheContext) {
  LMC_REQUIRE_TESTDATA();
  const auto ref = lmc_test::read_reference(lmc_test::testdata("models/stories260K.ref.json"));
  const std::vector<std::int32_t>& tokens = ref.cases.at(1).tokens;
  ASSERT_GE(tokens.size(), 18u);
  lmc::ModelOptions options;
  options.context = 16;
  const lmc::Model small = lmc::Model::load(lmc_test::testdata("models/stories260K.gguf"), options);
  const std::vector<float> fits = small.token_logprobs(std::span(tokens).first(17));
  ASSERT_EQ(fits.size(), 16u);
  const std::vector<float> wide = load_stories().token_logprobs(std::span(tokens).first(17));
  EXPECT_EQ(fits, wide);
  try {
    (void)small.token_logprobs(std::span(tokens).first(18));
    ADD_FAILURE() << "18 ids in a context of 16 were accepted";
  } catch (const lmc::Error& error) {
    EXPECT_EQ(error.code(), lmc::ErrorCode::out_of_range) << error.what();
  }
}

TEST(Stories260K, EverySimdPathGivesTheSameBits) {
  LMC_REQUIRE_TESTDATA();
  const auto ref = lmc_test::read_reference(lmc_test::testdata("models/stories260K.ref.json"));
  const std::vector<std::int32_t>& tokens = ref.cases.at(2).tokens;
  const lmc::Model model = load_stories(2);
  const lmc_test::KernelPathGuard restore_path;
  std::vector<float> reference;
  for (lmc::nn::KernelPath path : lmc_test::supported_paths()) {
    lmc::nn::force_kernel_path(path);
    const std::vector<float> lp = model.token_logprobs(tokens);
    if (reference.empty()) {
      reference = lp;
    } else {
      EXPECT_EQ(lp, reference) << lmc::nn::to_string(path);
    }
  }
}

}  // namespace

// lmc's own tokenization of the reference texts must give
// the reference ids, and scoring the text end to end must match llama.cpp.
#include <lmc/tokenizer.hpp>

namespace {

TEST(Stories260K, OwnTokenizerGivesTheReferenceIds) {
  LMC_REQUIRE_TESTDATA();
  const lmc::Model model = load_stories();
  ASSERT_TRUE(model.has_tokenizer());
  const auto ref = lmc_test::read_reference(lmc_test::testdata("models/stories260K.ref.json"));
  for (const auto& c : ref.cases) {
    lmc::EncodeOptions options;
    options.add_special = true;
    const std::vector<lmc::Token> ids = model.tokenizer().encode(c.text, options);
    EXPECT_EQ(ids, c.tokens) << c.name;
    const std::vector<float> lp = model.token_logprobs(ids);
    ASSERT_EQ(lp.size(), c.logprob_next.size());
    for (std::size_t i = 0; i < lp.size(); ++i)
      EXPECT_NEAR(lp[i], c.logprob_next[i], 1e-4) << c.name << " " << i;
  }
}

}  // namespace
