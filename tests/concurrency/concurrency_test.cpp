// One loaded model used from several threads at once, as its documentation allows (const member
// functions, sessions, tokenizer, compressor and evaluator on a shared model): every thread must
// get exactly what the same calls give one after the other. These tests are also the ones the
// ThreadSanitizer stage of .ci/run runs (label "threads"), so they keep the threads busy on the
// shared state for a while rather than checking one call each.
#include <lmc/compressor.hpp>
#include <lmc/corpus.hpp>
#include <lmc/eval.hpp>
#include <lmc/model.hpp>
#include <lmc/tokenizer.hpp>

#include "format/temp_folder.hpp"
#include "support/testdata.hpp"

#include <gtest/gtest.h>

#include <cstddef>
#include <fstream>
#include <span>
#include <string>
#include <thread>
#include <vector>

namespace {

constexpr std::size_t kThreads = 4;

lmc::Model load_stories(std::size_t threads) {
  lmc::ModelOptions options;
  options.threads = threads;
  options.context = 256;
  return lmc::Model::load(lmc_test::testdata("models/stories260K.gguf"), options);
}

// Texts of different lengths (so that the threads' calls overlap in every phase).
std::vector<std::string> texts() {
  std::vector<std::string> out;
  const std::string base =
      "Once upon a time, there was a little girl named Lily. She loved to play outside in the "
      "sunshine. One day, she saw a big, red ball in the park. ";
  for (std::size_t i = 1; i <= 6; ++i) {
    std::string text;
    for (std::size_t j = 0; j < i; ++j) text += base.substr(0, 40 + 17 * ((i + j) % 5));
    out.push_back(text);
  }
  return out;
}

// What the calls give one after the other: each text's tokens and their log-probabilities.
struct Sequential {
  std::vector<std::vector<lmc::Token>> tokens;
  std::vector<std::vector<float>> logprobs;
};

Sequential sequential(const lmc::Model& model, const std::vector<std::string>& inputs) {
  Sequential out;
  for (const std::string& text : inputs) {
    out.tokens.push_back(model.tokenizer().encode(text, {.add_special = true}));
    out.logprobs.push_back(model.token_logprobs(out.tokens.back()));
  }
  return out;
}

// Runs `work(thread, round)` on kThreads threads for `rounds` rounds each.
template <typename Work>
void on_threads(std::size_t rounds, Work work) {
  std::vector<std::thread> threads;
  for (std::size_t t = 0; t < kThreads; ++t) {
    threads.emplace_back([&, t] {
      for (std::size_t r = 0; r < rounds; ++r) work(t, r);
    });
  }
  for (auto& thread : threads) thread.join();
}

TEST(Concurrent, TokenLogprobsAndEncodeOnOneModelMatchSequential) {
  LMC_REQUIRE_TESTDATA();
  for (const std::size_t model_threads : {std::size_t{1}, std::size_t{2}}) {
    const lmc::Model model = load_stories(model_threads);
    const std::vector<std::string> inputs = texts();
    const Sequential seq = sequential(model, inputs);
    const auto& tokens = seq.tokens;
    const auto& expected = seq.logprobs;
    std::vector<std::vector<std::vector<float>>> got(kThreads);
    std::vector<std::vector<std::vector<lmc::Token>>> encoded(kThreads);
    on_threads(inputs.size(), [&](std::size_t t, std::size_t r) {
      const std::size_t i = (t + r) % inputs.size();
      encoded[t].push_back(model.tokenizer().encode(inputs[i], {.add_special = true}));
      got[t].push_back(model.token_logprobs(encoded[t].back()));
    });
    for (std::size_t t = 0; t < kThreads; ++t) {
      for (std::size_t r = 0; r < inputs.size(); ++r) {
        const std::size_t i = (t + r) % inputs.size();
        EXPECT_EQ(encoded[t][r], tokens[i]) << "thread " << t << " text " << i;
        // The same bits: the kernels' order of operations does not depend on other callers.
        EXPECT_EQ(got[t][r], expected[i])
            << "model threads " << model_threads << ", thread " << t << " text " << i;
      }
    }
  }
}

TEST(Concurrent, SessionsOfOneModelMatchSequential) {
  LMC_REQUIRE_TESTDATA();
  const lmc::Model model = load_stories(2);
  const std::vector<std::string> inputs = texts();
  const Sequential seq = sequential(model, inputs);
  const auto& tokens = seq.tokens;
  const auto& expected = seq.logprobs;
  // Each thread feeds its own session token by token, in chunks, and after a reset.
  std::vector<std::vector<std::vector<float>>> got(kThreads);
  on_threads(inputs.size(), [&](std::size_t t, std::size_t r) {
    const std::vector<lmc::Token>& ids = tokens[(t + r) % inputs.size()];
    lmc::Session session(model);
    const std::size_t chunk = 1 + (t + r) % 5;
    std::vector<float> result;
    for (std::size_t begin = 0; begin + 1 < ids.size(); begin += chunk) {
      const std::size_t end = std::min(ids.size() - 1, begin + chunk);
      session.feed(std::span<const lmc::Token>(ids).subspan(begin, end - begin));
      for (std::size_t i = 0; i < end - begin; ++i) {
        result.push_back(session.logprob(i, ids[begin + i + 1]));
      }
    }
    got[t].push_back(std::move(result));
  });
  for (std::size_t t = 0; t < kThreads; ++t) {
    for (std::size_t r = 0; r < inputs.size(); ++r) {
      const std::size_t i = (t + r) % inputs.size();
      // Chunked and batched scoring give the same bits (as in the stories260K test).
      EXPECT_EQ(got[t][r], expected[i]) << "thread " << t << " text " << i;
    }
  }
}

TEST(Concurrent, CompressAndDecompressOnOneModel) {
  LMC_REQUIRE_TESTDATA();
  const lmc::Model model = load_stories(1);
  const std::vector<std::string> inputs = texts();
  // Two chunk threads inside each compressor, four callers: the model is shared by eight.
  const lmc::Compressor compressor(model, {.threads = 2, .chunk_bytes = 200});
  std::vector<std::vector<std::byte>> expected;
  for (const std::string& text : inputs) {
    expected.push_back(compressor.compress(std::as_bytes(std::span(text.data(), text.size()))));
  }
  std::vector<int> failures(kThreads, 0);
  on_threads(2, [&](std::size_t t, std::size_t r) {
    for (std::size_t k = 0; k < inputs.size(); ++k) {
      const std::size_t i = (t + r + k) % inputs.size();
      const std::string& text = inputs[i];
      const auto container =
          compressor.compress(std::as_bytes(std::span(text.data(), text.size())));
      if (container != expected[i]) ++failures[t];
      const auto back = compressor.decompress(expected[i]);
      if (std::string(reinterpret_cast<const char*>(back.data()), back.size()) != text) {
        ++failures[t];
      }
    }
  });
  for (std::size_t t = 0; t < kThreads; ++t) EXPECT_EQ(failures[t], 0) << "thread " << t;
}

TEST(Concurrent, ShardedEvaluationOnOneModelMergesToTheWhole) {
  LMC_REQUIRE_TESTDATA();
  lmc_test::TempFolder folder;
  const auto corpus_path = folder / "corpus.jsonl";
  {
    std::ofstream out(corpus_path);
    for (const std::string& text : texts()) out << "{\"content\": \"" << text << "\"}\n";
  }
  const lmc::Model model = load_stories(2);
  lmc::BpcOptions options;
  options.context = 64;
  options.stride = 32;
  lmc::Corpus whole_corpus = lmc::Corpus::open(corpus_path.string());
  const lmc::BpcResult whole = lmc::evaluate_bpc(model, whole_corpus, options);
  std::vector<lmc::BpcResult> shards(kThreads);
  on_threads(1, [&](std::size_t t, std::size_t) {
    lmc::BpcOptions shard_options = options;
    shard_options.shard_index = t;
    shard_options.shard_count = kThreads;
    lmc::Corpus corpus = lmc::Corpus::open(corpus_path.string());
    shards[t] = lmc::evaluate_bpc(model, corpus, shard_options);
  });
  lmc::BpcResult merged = shards[0];
  for (std::size_t t = 1; t < kThreads; ++t) merged.merge(shards[t]);
  ASSERT_TRUE(merged.complete());
  EXPECT_EQ(merged.total_bits(), whole.total_bits());
  EXPECT_EQ(merged.scored_tokens(), whole.scored_tokens());
  EXPECT_EQ(merged.windows(), whole.windows());
}

}  // namespace
