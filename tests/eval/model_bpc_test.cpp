// Acceptance of issue 6 with a real model: stories260K on the paper-format sets. The
// evaluator's result must equal token_logprobs summed window by window here, for 1 and 2
// threads, and for 1, 2 and 3 shards merged.
#include <lmc/eval.hpp>
#include <lmc/model.hpp>
#include <lmc/tokenizer.hpp>

#include "eval_test_support.hpp"
#include "support/testdata.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <memory>
#include <stdexcept>
#include <string>
#include <vector>

namespace {

std::unique_ptr<lmc::Model> load(std::size_t threads, std::size_t context) {
  lmc::ModelOptions options;
  options.threads = threads;
  options.context = context;
  return std::make_unique<lmc::Model>(
      lmc::Model::load(lmc_test::testdata("models/stories260K.gguf"), options));
}

const char* const kSets[] = {"corpora/sets/cc_like.jsonl", "corpora/sets/python.jsonl",
                             "corpora/sets/arxiv_math_like.jsonl"};
constexpr std::uint64_t kDocuments = 1;  // keeps the test short on a shared CPU

// The exact-mode loss computed here, window by window, from the rule of issue 6 (window k
// reads ids[kS, kS + C + 1), scores what the previous window did not, the last one is cut
// at the end), BOS targets left out. Uses token_logprobs, one batched pass per window.
double reference_nats(const lmc::Model& model, const std::string& path, std::size_t context,
                      std::size_t stride) {
  const lmc::Tokenizer& tokenizer = model.tokenizer();
  lmc::Corpus corpus = lmc::Corpus::open(path);
  std::vector<lmc::Token> ids;
  std::vector<bool> is_bos;
  lmc::Document document;
  for (std::uint64_t d = 0; d < kDocuments && corpus.next(document); ++d) {
    const auto encoded = tokenizer.encode(document.text, {.add_special = true});
    for (std::size_t i = 0; i < encoded.size(); ++i) {
      ids.push_back(encoded[i]);
      is_bos.push_back(i == 0 && encoded[i] == tokenizer.bos());
    }
  }
  double nats = 0;
  std::size_t next_target = 1;
  for (std::size_t begin = 0; next_target < ids.size(); begin += stride) {
    const std::size_t end = std::min(begin + context + 1, ids.size());
    const std::vector<lmc::Token> window(ids.begin() + begin, ids.begin() + end);
    const std::vector<float> logprobs = model.token_logprobs(window);  // targets begin+1..end-1
    for (std::size_t target = next_target; target < end; ++target) {
      if (!is_bos[target]) nats -= logprobs[target - begin - 1];
    }
    next_target = end;
  }
  return nats;
}

// A one-document JSONL corpus: the first ~2000 bytes of a set's first document (cut at a
// code-point boundary), so that the test takes seconds with a real forward pass.
std::string small_corpus(const eval_test::TempDir& dir, const char* set) {
  lmc::Corpus corpus = lmc::Corpus::open(lmc_test::testdata(set).string());
  lmc::Document document;
  if (!corpus.next(document)) throw std::runtime_error("empty set");
  std::size_t cut = std::min<std::size_t>(2000, document.text.size());
  while (cut < document.text.size() && (document.text[cut] & 0xC0) == 0x80) ++cut;
  std::string escaped;
  for (char c : document.text.substr(0, cut)) {
    switch (c) {
      case '"': escaped += "\\\""; break;
      case '\\': escaped += "\\\\"; break;
      case '\n': escaped += "\\n"; break;
      case '\t': escaped += "\\t"; break;
      case '\r': escaped += "\\r"; break;
      default:
        if (static_cast<unsigned char>(c) < 0x20) {
          char buffer[8];
          std::snprintf(buffer, sizeof buffer, "\\u%04x", static_cast<unsigned>(c));
          escaped += buffer;
        } else {
          escaped += c;
        }
    }
  }
  const std::string path = dir.file(std::string(set).substr(std::string(set).rfind('/') + 1));
  eval_test::write_file(path, "{\"content\": \"" + escaped + "\"}\n");
  return path;
}

lmc::BpcResult evaluate(const lmc::Model& model, const std::string& path, lmc::BpcOptions options) {
  lmc::Corpus corpus = lmc::Corpus::open(path);
  options.max_documents = kDocuments;
  return lmc::evaluate_bpc(model, corpus, options);
}

TEST(ModelBpc, Stories260KMatchesWindowByWindowLogprobsThreadsAndShards) {
  LMC_REQUIRE_TESTDATA();
  // The defaults (1900 / 512) are covered by lmc-bpc runs; here a small window keeps it fast.
  for (auto [context, stride] : {std::pair<std::size_t, std::size_t>{256, 64}}) {
    // token_logprobs reads the window's last token too: the reference needs one more position.
    const auto one_thread = load(1, context + 1);
    const auto two_threads = load(2, context);
    const eval_test::TempDir dir;
    for (const char* set : kSets) {
      const std::string path = small_corpus(dir, set);
      lmc::BpcOptions options;
      options.context = context;
      options.stride = stride;
      const auto single = evaluate(*one_thread, path, options);
      const double expected = reference_nats(*one_thread, path, context, stride);
      EXPECT_GT(single.windows(), 3u) << set;
      EXPECT_NEAR(single.total_nats(), expected, 1e-6 * expected) << set << " " << context;
      EXPECT_EQ(evaluate(*two_threads, path, options).total_bits(), single.total_bits()) << set;
      for (std::size_t count : {3u}) {
        options.shard_count = count;
        options.shard_index = 0;
        lmc::BpcResult merged = evaluate(*one_thread, path, options);
        for (std::size_t index = 1; index < count; ++index) {
          options.shard_index = index;
          merged.merge(evaluate(*two_threads, path, options));
        }
        EXPECT_EQ(merged.total_bits(), single.total_bits()) << set << " " << count << " shards";
        EXPECT_EQ(merged.scored_tokens(), single.scored_tokens());
      }
    }
  }
}

TEST(ModelBpc, RefusesAModelHoldingFewerPositionsThanTheContext) {
  LMC_REQUIRE_TESTDATA();
  const auto model = load(1, 128);
  lmc::Corpus corpus = lmc::Corpus::open(lmc_test::testdata("corpora/sets/cc_like.jsonl"));
  lmc::BpcOptions options;
  options.context = 256;
  options.stride = 64;
  EXPECT_THROW(lmc::evaluate_bpc(*model, corpus, options), lmc::Error);
}

}  // namespace
