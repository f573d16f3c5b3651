// Session::feed_each, the lock-step pass over several sessions (one token each, one batched
// forward pass): each session's logits must be the bits of feeding its sequence alone, on every
// architecture family of the test data, thread count and SIMD path; and bad calls are refused
// without touching any session.
#include "feed_pieces.hpp"
#include "reference_cases.hpp"
#include "support/kernel_paths.hpp"
#include "support/testdata.hpp"

#include <lmc/error.hpp>
#include <lmc/model.hpp>

#include <gtest/gtest.h>

#include <limits>
#include <string>
#include <vector>

namespace {

// Four sequences of different lengths and contents, so that in each lock step the sessions
// sit at different positions and some have finished: the paragraph, the paragraph from token
// 7 on, its first 40 tokens, and the paragraph from token 3 whose first 20 tokens are fed as
// one batch before the lock steps begin.
struct Sequences {
  std::vector<std::vector<lmc::Token>> tokens;
  std::vector<std::size_t> prefilled;
};

Sequences sequences_of(const std::vector<lmc::Token>& paragraph) {
  Sequences s;
  s.tokens.push_back(paragraph);
  s.tokens.emplace_back(paragraph.begin() + 7, paragraph.end());
  s.tokens.emplace_back(paragraph.begin(), paragraph.begin() + 40);
  s.tokens.emplace_back(paragraph.begin() + 3, paragraph.end());
  s.prefilled = {0, 0, 0, 20};
  return s;
}

// Logits of every position of every sequence, the sessions advanced by feed_each in lock step
// (after each one's prefilled tokens in one feed), each pass on `threads` threads (0: the
// model's own); with `into_rows`, by the feed_each that writes them into the caller's rows
// (which start as NaN, so that a row left unwritten shows).
std::vector<std::vector<float>> logits_in_lock_step(const lmc::Model& model, const Sequences& s,
                                                    std::size_t threads = 0,
                                                    bool into_rows = false) {
  const std::size_t n = s.tokens.size();
  std::vector<lmc::Session> sessions;
  for (std::size_t i = 0; i < n; ++i) sessions.emplace_back(model);
  std::vector<std::vector<float>> logits(n);
  for (std::size_t i = 0; i < n; ++i) {
    if (s.prefilled[i] == 0) continue;
    sessions[i].feed(std::span<const lmc::Token>(s.tokens[i]).first(s.prefilled[i]),
                     lmc::Outputs::all);
    for (std::size_t r = 0; r < s.prefilled[i]; ++r) {
      const auto row = sessions[i].logits(r);
      logits[i].insert(logits[i].end(), row.begin(), row.end());
    }
  }
  for (std::size_t step = 0;; ++step) {
    std::vector<lmc::Session*> active;
    std::vector<lmc::Token> next;
    std::vector<std::size_t> which;
    for (std::size_t i = 0; i < n; ++i) {
      const std::size_t at = s.prefilled[i] + step;
      if (at >= s.tokens[i].size()) continue;
      active.push_back(&sessions[i]);
      next.push_back(s.tokens[i][at]);
      which.push_back(i);
    }
    if (active.empty()) break;
    if (into_rows) {
      const std::size_t vocab = model.info().vocab_size;
      std::vector<float> rows(active.size() * vocab, std::numeric_limits<float>::quiet_NaN());
      lmc::Session::feed_each(active, next, threads, rows);
      for (std::size_t a = 0; a < active.size(); ++a) {
        EXPECT_EQ(active[a]->n_outputs(), 0u);  // the rows went to the caller only
        logits[which[a]].insert(logits[which[a]].end(), rows.begin() + a * vocab,
                                rows.begin() + (a + 1) * vocab);
      }
      continue;
    }
    if (threads == 0) {
      lmc::Session::feed_each(active, next);
    } else {
      lmc::Session::feed_each(active, next, threads);
    }
    for (std::size_t a = 0; a < active.size(); ++a) {
      EXPECT_EQ(active[a]->n_outputs(), 1u);
      const auto row = active[a]->logits(0);
      logits[which[a]].insert(logits[which[a]].end(), row.begin(), row.end());
    }
  }
  return logits;
}

class LockStep : public ::testing::TestWithParam<const char*> {};

TEST_P(LockStep, EachSessionGetsTheBitsOfItsSequenceFedAlone) {
  LMC_REQUIRE_TESTDATA();
  const std::string name = GetParam();
  const auto model_path = lmc_test::testdata(name + ".gguf");
  if (!std::filesystem::exists(model_path)) GTEST_SKIP() << model_path << " absent";
  const auto ref = lmc_test::read_reference(lmc_test::testdata(name + ".ref.json"));
  ASSERT_FALSE(ref.cases.empty());
  const std::vector<lmc::Token> paragraph = ref.cases.back().tokens;
  ASSERT_GT(paragraph.size(), 45u);
  const Sequences s = sequences_of(paragraph);
  const lmc::Model model = lmc::Model::load(model_path, {.threads = 1});
  // The reference: each sequence alone, in one batched feed.
  std::vector<std::vector<float>> alone;
  for (const auto& tokens : s.tokens) {
    alone.push_back(lmc_test::logits_fed_in(model, tokens, tokens.size()));
    ASSERT_EQ(alone.back().size(), tokens.size() * model.info().vocab_size);
  }
  auto expect_same = [&](const lmc::Model& m, const std::string& how, std::size_t threads = 0) {
    const auto lock_step = logits_in_lock_step(m, s, threads);
    for (std::size_t i = 0; i < s.tokens.size(); ++i) {
      EXPECT_TRUE(lmc_test::same_bits(lock_step[i], alone[i])) << "sequence " << i << ", " << how;
    }
  };
  {
    const lmc_test::KernelPathGuard restore_path;
    for (lmc::nn::KernelPath path : lmc_test::supported_paths()) {
      lmc::nn::force_kernel_path(path);
      expect_same(model, "1 thread, path " + std::string(lmc::nn::to_string(path)));
    }
  }
  const lmc::Model threaded = lmc::Model::load(model_path, {.threads = 2});
  expect_same(threaded, "2 threads");
  // The pass on a thread count of the caller's, not the model's.
  expect_same(model, "a 1-thread model, feed_each on 2 threads", 2);
  expect_same(model, "a 1-thread model, feed_each on 3 threads", 3);
  expect_same(threaded, "a 2-thread model, feed_each on 1 thread", 1);
  // Into the caller's rows (what the decompressor uses).
  auto expect_same_rows = [&](const lmc::Model& m, const std::string& how, std::size_t threads) {
    const auto lock_step = logits_in_lock_step(m, s, threads, true);
    for (std::size_t i = 0; i < s.tokens.size(); ++i) {
      EXPECT_TRUE(lmc_test::same_bits(lock_step[i], alone[i]))
          << "sequence " << i << ", into the caller's rows, " << how;
    }
  };
  expect_same_rows(model, "the model's thread", 0);
  expect_same_rows(model, "a 1-thread model on 2 threads", 2);
  expect_same_rows(threaded, "a 2-thread model on 1 thread", 1);
}

INSTANTIATE_TEST_SUITE_P(
    Archs, LockStep,
    ::testing::Values("models/stories260K", "archs/llama", "archs/llama_gqa", "archs/llama_moe",
                      "archs/qwen2", "archs/phi3", "archs/stablelm", "archs/internlm2",
                      "archs/qwen", "archs/gpt2", "archs/gptneox", "archs/phi2", "archs/gemma",
                      "archs/gemma2", "archs/falcon", "archs/starcoder", "archs/starcoder2",
                      "archs2/mamba", "archs2/jamba", "archs2/deepseek2", "archs2/deepseek2_qlora",
                      "archs2/qwen3", "archs2/qwen3moe", "archs2/olmo2", "archs2/gemma3",
                      "archs2/smollm3", "archs2/phi3_longrope", "archs2/llama3rope"),
    [](const auto& info) {
      std::string id = info.param;
      for (char& ch : id) {
        if (ch == '/') ch = '_';
      }
      return id;
    });

// Model::session_bytes, what the decompressor budgets its lock-step sessions with: F32 keys
// and values per position for attention layers, a fixed state for Mamba layers.
TEST(SessionBytes, KeysAndValuesPerPositionAndAFixedRecurrentState) {
  LMC_REQUIRE_TESTDATA();
  const lmc::Model llama =
      lmc::Model::load(lmc_test::testdata("models/stories260K.gguf"), {.threads = 1});
  // stories260K: 5 layers, 4 KV heads of 8 values: 5 * 4 * (8 + 8) floats a position.
  EXPECT_EQ(llama.session_bytes(0), 0u);
  EXPECT_EQ(llama.session_bytes(1), 5u * 4 * 16 * 4);
  EXPECT_EQ(llama.session_bytes(1000), 1000u * 5 * 4 * 16 * 4);
  const auto mamba_path = lmc_test::testdata("archs2/mamba.gguf");
  if (std::filesystem::exists(mamba_path)) {
    const lmc::Model mamba = lmc::Model::load(mamba_path, {.threads = 1});
    // Only recurrent layers: the state does not grow with the positions.
    EXPECT_GT(mamba.session_bytes(0), 0u);
    EXPECT_EQ(mamba.session_bytes(1000), mamba.session_bytes(0));
  }
}

TEST(LockStepErrors, BadCallsAreRefusedAndLeaveEverySessionAsItWas) {
  LMC_REQUIRE_TESTDATA();
  const auto path = lmc_test::testdata("models/stories260K.gguf");
  const lmc::Model model = lmc::Model::load(path, {.threads = 1});
  const lmc::Model other = lmc::Model::load(path, {.threads = 1});
  lmc::Session a(model), b(model), c(other);
  a.feed(std::vector<lmc::Token>{1, 50, 60}, lmc::Outputs::all);
  const std::vector<float> a_logits(a.logits(2).begin(), a.logits(2).end());
  auto code_of = [](auto&& call) {
    try {
      call();
    } catch (const lmc::Error& error) {
      return error.code();
    }
    return lmc::ErrorCode::internal;  // not refused
  };
  std::vector<lmc::Session*> two{&a, &b};
  EXPECT_EQ(code_of([&] { lmc::Session::feed_each(two, std::vector<lmc::Token>{5}); }),
            lmc::ErrorCode::invalid_argument);
  EXPECT_EQ(code_of([&] {
              lmc::Session::feed_each(two, std::vector<lmc::Token>{5, -1});
            }),
            lmc::ErrorCode::invalid_argument);
  std::vector<lmc::Session*> twice{&a, &a};
  EXPECT_EQ(code_of([&] {
              lmc::Session::feed_each(twice, std::vector<lmc::Token>{5, 6});
            }),
            lmc::ErrorCode::invalid_argument);
  std::vector<lmc::Session*> mixed{&a, &c};
  EXPECT_EQ(code_of([&] {
              lmc::Session::feed_each(mixed, std::vector<lmc::Token>{5, 6});
            }),
            lmc::ErrorCode::invalid_argument);
  std::vector<lmc::Session*> with_null{&a, nullptr};
  EXPECT_EQ(code_of([&] {
              lmc::Session::feed_each(with_null, std::vector<lmc::Token>{5, 6});
            }),
            lmc::ErrorCode::invalid_argument);
  lmc::Session full(model);
  full.feed(std::vector<lmc::Token>(model.context(), 1), lmc::Outputs::last);
  std::vector<lmc::Session*> overflow{&a, &full};
  EXPECT_EQ(code_of([&] {
              lmc::Session::feed_each(overflow, std::vector<lmc::Token>{5, 6});
            }),
            lmc::ErrorCode::out_of_range);
  // Rows for the logits of another size than sessions × vocabulary.
  const std::size_t vocab = model.info().vocab_size;
  for (std::size_t floats : {std::size_t{0}, 2 * vocab - 1, 2 * vocab + 1, 3 * vocab}) {
    std::vector<float> rows(floats);
    EXPECT_EQ(code_of([&] {
                lmc::Session::feed_each(two, std::vector<lmc::Token>{5, 6}, 1, rows);
              }),
              lmc::ErrorCode::invalid_argument)
        << floats << " floats";
  }
  EXPECT_EQ(a.position(), 3u);
  EXPECT_EQ(b.position(), 0u);
  EXPECT_EQ(full.position(), model.context());
  ASSERT_EQ(a.n_outputs(), 3u);
  const std::vector<float> after(a.logits(2).begin(), a.logits(2).end());
  EXPECT_TRUE(lmc_test::same_bits(after, a_logits));
  // No session at all is no work.
  EXPECT_NO_THROW(lmc::Session::feed_each({}, {}));
}

}  // namespace
