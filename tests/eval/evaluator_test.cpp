// evaluate_bpc with fake scorers whose sums are known by hand or computed directly.
#include <lmc/eval.hpp>

#include "closed_form_scorers.hpp"
#include "eval/bpc_result_impl.hpp"
#include "eval_test_support.hpp"
#include "support/testdata.hpp"

#include <gtest/gtest.h>

#include <cmath>
#include <sstream>
#include <string>
#include <vector>

namespace {

using eval_test::byte_tokenizer;
using eval_test::FunctionScorer;
using eval_test::TempDir;
using eval_test::write_file;

std::string jsonl(const std::vector<std::string>& documents) {
  std::string out;
  for (const auto& document : documents) out += "{\"content\": \"" + document + "\"}\n";
  return out;
}

lmc::BpcResult run(const std::string& path, FunctionScorer& scorer, lmc::BpcOptions options,
                   bool with_bos = false) {
  lmc::Corpus corpus = lmc::Corpus::open(path);
  return lmc::eval::evaluate_bpc(corpus, byte_tokenizer(with_bos), scorer, options);
}

lmc::BpcOptions small_windows(std::size_t context, std::size_t stride,
                              lmc::WindowMode mode = lmc::WindowMode::exact) {
  lmc::BpcOptions options;
  options.context = context;
  options.stride = stride;
  options.mode = mode;
  return options;
}

std::string loss_of(const lmc::BpcResult& result) {
  return lmc::eval::Access::state(result).loss.to_decimal();
}

TEST(Evaluator, UniformModelCountsBitsCharactersAndBytes) {
  TempDir dir;
  // "abc" and "dé": 6 UTF-8 bytes (é is 2), 5 characters, 6 byte tokens.
  write_file(dir.file("c.jsonl"), jsonl({"abc", "d\xC3\xA9"}));
  FunctionScorer scorer(eval_test::uniform_byte);
  // context 2, stride 2, N = 6. exact: windows [0,3) [2,5) [4,6) score targets 1..5.
  const auto exact = run(dir.file("c.jsonl"), scorer, small_windows(2, 2));
  EXPECT_EQ(exact.documents(), 2u);
  EXPECT_EQ(exact.characters(), 5u);
  EXPECT_EQ(exact.bytes(), 6u);
  EXPECT_EQ(exact.tokens(), 6u);
  EXPECT_EQ(exact.scored_tokens(), 5u);
  EXPECT_EQ(exact.windows(), 3u);
  EXPECT_EQ(exact.forward_tokens(), 2u + 2u + 1u);
  const double bits = eval_test::kUniformBits;
  EXPECT_NEAR(exact.total_nats(), 10.0, 1e-12);
  EXPECT_NEAR(exact.total_bits(), 5 * bits, 1e-12);
  EXPECT_NEAR(exact.bpc(), 5 * bits / 5, 1e-12);
  EXPECT_NEAR(exact.bits_per_byte(), 5 * bits / 6, 1e-12);
  EXPECT_NEAR(exact.bits_per_token(), bits, 1e-12);
  EXPECT_NEAR(exact.token_perplexity(), std::exp(2.0), 1e-12);
  // paper: floor((6 - 3) / 2 + 1) = 2 windows, targets 1..4; token 5 dropped, its
  // characters still counted.
  const auto paper = run(dir.file("c.jsonl"), scorer, small_windows(2, 2, lmc::WindowMode::paper));
  EXPECT_EQ(paper.scored_tokens(), 4u);
  EXPECT_EQ(paper.windows(), 2u);
  EXPECT_EQ(paper.characters(), 5u);
  EXPECT_NEAR(paper.total_bits(), 4 * bits, 1e-12);
  EXPECT_NEAR(paper.bpc(), 4 * bits / 5, 1e-12);
}

TEST(Evaluator, BosTargetsAreLeftOutUnlessAskedForOrInPaperMode) {
  TempDir dir;
  write_file(dir.file("c.jsonl"), jsonl({"abc", "de"}));
  FunctionScorer scorer(eval_test::uniform_byte);
  // Stream <s> a b c <s> d e (N = 7), context 2, stride 2: 3 windows score targets 1..6; the
  // one at 4 is a BOS.
  const auto exact = run(dir.file("c.jsonl"), scorer, small_windows(2, 2), true);
  EXPECT_EQ(exact.tokens(), 7u);
  EXPECT_EQ(exact.windows(), 3u);
  EXPECT_EQ(exact.scored_tokens(), 5u);
  EXPECT_NEAR(exact.total_nats(), 10.0, 1e-12);
  EXPECT_FALSE(exact.score_bos());
  auto options = small_windows(2, 2);
  options.score_bos = true;
  const auto with_bos = run(dir.file("c.jsonl"), scorer, options, true);
  EXPECT_EQ(with_bos.scored_tokens(), 6u);
  EXPECT_NEAR(with_bos.total_nats(), 12.0, 1e-12);
  const auto paper =
      run(dir.file("c.jsonl"), scorer, small_windows(2, 2, lmc::WindowMode::paper), true);
  EXPECT_EQ(paper.windows(), 3u);  // floor((7 - 3) / 2 + 1)
  EXPECT_EQ(paper.scored_tokens(), 6u);
  EXPECT_TRUE(paper.score_bos());
}

TEST(Evaluator, WindowsGiveTheScorerTheRightPrefixes) {
  TempDir dir;
  write_file(dir.file("c.jsonl"), jsonl({"abcdefghij"}));
  // ln p = -(index of the target in its window) * ln 2: each target costs as many bits as it
  // has tokens of context.
  FunctionScorer scorer([](std::span<const lmc::Token>, std::size_t target) {
    return static_cast<float>(-static_cast<double>(target) * std::log(2.0));
  });
  scorer.record = true;
  // N = 10, context 4, stride 2. exact: [0,5) targets 1..4 (1+2+3+4), [2,7) targets 5,6 at
  // 3,4, [4,9) targets 7,8 at 3,4, [6,10) target 9 at 3: 10 + 7 + 7 + 3 = 27 bits.
  const auto exact = run(dir.file("c.jsonl"), scorer, small_windows(4, 2));
  EXPECT_NEAR(exact.total_bits(), 27.0, 1e-7);
  ASSERT_EQ(scorer.calls.size(), 4u);
  const auto ids = [](std::string_view text) {
    std::vector<lmc::Token> out;
    for (unsigned char c : text) out.push_back(c + 1);
    return out;
  };
  EXPECT_EQ(scorer.calls[0].window, ids("abcde"));
  EXPECT_EQ(scorer.calls[0].first_target, 1u);
  EXPECT_EQ(scorer.calls[1].window, ids("cdefg"));
  EXPECT_EQ(scorer.calls[1].first_target, 3u);
  EXPECT_EQ(scorer.calls[2].window, ids("efghi"));
  EXPECT_EQ(scorer.calls[2].first_target, 3u);
  EXPECT_EQ(scorer.calls[3].window, ids("ghij"));
  EXPECT_EQ(scorer.calls[3].first_target, 3u);
  // paper: the first three windows only (target 9 dropped): 24 bits.
  const auto paper = run(dir.file("c.jsonl"), scorer, small_windows(4, 2, lmc::WindowMode::paper));
  EXPECT_NEAR(paper.total_bits(), 24.0, 1e-7);
}

// Σ bigram(t[p-1], t[p]) over p = 1..N-1 of the concatenated stream, BOS targets left out,
// computed straight from the documents.
double direct_bigram_nats(const std::string& path) {
  lmc::Corpus corpus = lmc::Corpus::open(path);
  const auto tokenizer = byte_tokenizer(true);
  std::vector<lmc::Token> stream;
  lmc::Document document;
  while (corpus.next(document)) {
    const auto ids = tokenizer.encode(document.text);
    stream.insert(stream.end(), ids.begin(), ids.end());
  }
  double nats = 0;
  for (std::size_t p = 1; p < stream.size(); ++p) {
    if (stream[p] != 0) nats -= static_cast<double>(eval_test::bigram(stream[p - 1], stream[p]));
  }
  return nats;
}

TEST(Evaluator, ExactModeEqualsTheDirectSumOverTheStream) {
  LMC_REQUIRE_TESTDATA();
  const std::string path = lmc_test::testdata("corpora/sets/cc_like.jsonl").string();
  FunctionScorer scorer(eval_test::bigram_scorer);
  const double expected = direct_bigram_nats(path);
  for (auto [context, stride] : {std::pair<std::size_t, std::size_t>{256, 64}, {1900, 512}}) {
    auto options = small_windows(context, stride);
    options.per_document = true;
    const auto result = run(path, scorer, options, true);
    EXPECT_NEAR(result.total_nats(), expected, 1e-9 * expected) << context;
    EXPECT_EQ(result.documents(), 68u);
    EXPECT_EQ(result.characters(), 1'061'286u);
    EXPECT_EQ(result.bytes(), 1'089'366u);
    EXPECT_EQ(result.tokens(), 1'089'366u + 68u);
    EXPECT_EQ(result.scored_tokens(), result.tokens() - 68u);  // all but the 68 BOS
    double bits = 0;
    std::uint64_t scored = 0;
    std::uint64_t characters = 0;
    for (const auto& document : result.document_figures()) {
      bits += document.bits;
      scored += document.scored_tokens;
      characters += document.characters;
    }
    EXPECT_NEAR(bits, result.total_bits(), 1e-9 * bits);
    EXPECT_EQ(scored, result.scored_tokens());
    EXPECT_EQ(characters, result.characters());
  }
}

float geometry_sensitive(std::span<const lmc::Token> window, std::size_t target) {
  return eval_test::bigram_scorer(window, target) - 0.001f * static_cast<float>(target);
}

TEST(Evaluator, MergedShardsEqualTheSingleRunBitForBit) {
  LMC_REQUIRE_TESTDATA();
  const std::string path = lmc_test::testdata("corpora/sets/cc_like.jsonl").string();
  FunctionScorer scorer(geometry_sensitive);
  for (auto mode : {lmc::WindowMode::exact, lmc::WindowMode::paper}) {
    auto options = small_windows(256, 64, mode);
    options.per_document = true;
    const auto single = run(path, scorer, options, true);
    for (std::size_t count : {2u, 3u}) {
      std::vector<lmc::BpcResult> shards;
      std::uint64_t smallest = ~0ull, largest = 0;
      for (std::size_t index = 0; index < count; ++index) {
        options.shard_index = index;
        options.shard_count = count;
        shards.push_back(run(path, scorer, options, true));
        smallest = std::min(smallest, shards.back().windows());
        largest = std::max(largest, shards.back().windows());
      }
      EXPECT_LE(largest - smallest, 1u) << "shards are balanced";
      // Merge in reverse order, and once more through JSON.
      lmc::BpcResult merged = shards.back();
      for (std::size_t i = count - 1; i-- > 0;) merged.merge(shards[i]);
      lmc::BpcResult from_json = lmc::BpcResult::from_json(shards[0].to_json());
      for (std::size_t i = 1; i < count; ++i) {
        from_json.merge(lmc::BpcResult::from_json(shards[i].to_json()));
      }
      for (const lmc::BpcResult* result : {&merged, &from_json}) {
        EXPECT_TRUE(result->complete());
        EXPECT_EQ(loss_of(*result), loss_of(single));
        EXPECT_EQ(result->total_bits(), single.total_bits());
        EXPECT_EQ(result->bpc(), single.bpc());
        EXPECT_EQ(result->scored_tokens(), single.scored_tokens());
        EXPECT_EQ(result->windows(), single.windows());
        EXPECT_EQ(result->forward_tokens(), single.forward_tokens());
        EXPECT_EQ(result->characters(), single.characters());
        ASSERT_EQ(result->document_figures().size(), single.document_figures().size());
        for (std::size_t d = 0; d < single.document_figures().size(); ++d) {
          EXPECT_EQ(result->document_figures()[d].bits, single.document_figures()[d].bits);
          EXPECT_EQ(result->document_figures()[d].scored_tokens,
                    single.document_figures()[d].scored_tokens);
        }
      }
      options.shard_index = 0;
      options.shard_count = 1;
    }
  }
}

TEST(Evaluator, CompressedCopiesGiveTheSameResult) {
  LMC_REQUIRE_TESTDATA();
  TempDir dir;
  const std::string path = lmc_test::testdata("corpora/sets/arxiv_math_like.jsonl").string();
  const std::string bytes = eval_test::read_file(path);
  write_file(dir.file("a.jsonl.gz"), eval_test::gzip_bytes(bytes));
  write_file(dir.file("a.jsonl.zst"), eval_test::zstd_bytes(bytes));
  FunctionScorer scorer(geometry_sensitive);
  const auto options = small_windows(256, 64);
  const auto plain = run(path, scorer, options, true);
  for (const char* name : {"a.jsonl.gz", "a.jsonl.zst"}) {
    const auto copy = run(dir.file(name), scorer, options, true);
    EXPECT_EQ(loss_of(copy), loss_of(plain)) << name;
    EXPECT_EQ(copy.scored_tokens(), plain.scored_tokens());
    EXPECT_EQ(copy.characters(), plain.characters());
    EXPECT_EQ(copy.bpc(), plain.bpc());
  }
}

TEST(Evaluator, SurprisalDumpHasOneEscapedRowPerCountedTarget) {
  TempDir dir;
  write_file(dir.file("c.jsonl"), jsonl({"a\\tb", "c\\n\\\\"}));  // "a<TAB>b", "c<LF>\"
  FunctionScorer scorer(eval_test::uniform_byte);
  std::ostringstream dump;
  auto options = small_windows(2, 1);
  options.token_dump = &dump;
  const auto result = run(dir.file("c.jsonl"), scorer, options, true);
  // Stream <s> a TAB b <s> c LF \ ; targets 1..7 less the BOS at 4.
  const std::vector<std::string> expected = {"document\tposition\ttoken\ttext",
                                             "0\t1\t98\ta",
                                             "0\t2\t10\t\\t",
                                             "0\t3\t99\tb",
                                             "1\t1\t100\tc",
                                             "1\t2\t11\t\\n",
                                             "1\t3\t93\t\\\\"};
  std::istringstream lines(dump.str());
  std::string line;
  std::size_t row = 0;
  while (std::getline(lines, line)) {
    ASSERT_LT(row, expected.size());
    const auto last_tab = line.rfind('\t');
    EXPECT_EQ(line.substr(0, last_tab), expected[row]);
    if (row > 0) {
      EXPECT_NEAR(std::stod(line.substr(last_tab + 1)), eval_test::kUniformBits, 1e-12);
    }
    ++row;
  }
  EXPECT_EQ(row, expected.size());
  EXPECT_EQ(result.scored_tokens(), 6u);
}

TEST(Evaluator, ProgressIsReportedAfterEachWindow) {
  TempDir dir;
  write_file(dir.file("c.jsonl"), jsonl({"abcdefgh", "ijklmnop"}));
  FunctionScorer scorer(eval_test::uniform_byte);
  std::vector<lmc::EvalProgress> reports;
  auto options = small_windows(4, 4);
  options.progress = [&](const lmc::EvalProgress& progress) { reports.push_back(progress); };
  const auto result = run(dir.file("c.jsonl"), scorer, options);
  ASSERT_EQ(reports.size(), result.windows());
  for (std::size_t i = 1; i < reports.size(); ++i) {
    EXPECT_GT(reports[i].scored_tokens_done, reports[i - 1].scored_tokens_done);
  }
  EXPECT_EQ(reports.back().scored_tokens_done, 15u);
  EXPECT_EQ(reports.back().scored_tokens_total, 15u);
  EXPECT_EQ(reports.back().tokens_read, 16u);
  EXPECT_EQ(reports.back().windows_done, 4u);
}

TEST(Evaluator, MaxDocumentsStopsEarly) {
  TempDir dir;
  write_file(dir.file("c.jsonl"), jsonl({"abc", "def", "ghi"}));
  FunctionScorer scorer(eval_test::uniform_byte);
  auto options = small_windows(4, 2);
  options.max_documents = 2;
  const auto result = run(dir.file("c.jsonl"), scorer, options);
  EXPECT_EQ(result.documents(), 2u);
  EXPECT_EQ(result.characters(), 6u);
  EXPECT_EQ(result.scored_tokens(), 5u);
}

TEST(Evaluator, NothingScoredGivesNaNAndJsonNull) {
  TempDir dir;
  write_file(dir.file("c.jsonl"), jsonl({"abc"}));
  FunctionScorer scorer(eval_test::uniform_byte);
  // paper mode with N = 3 < context + 1: no window (the released code fails here).
  const auto result = run(dir.file("c.jsonl"), scorer, small_windows(4, 2, lmc::WindowMode::paper));
  EXPECT_EQ(result.windows(), 0u);
  EXPECT_TRUE(std::isnan(result.bpc()));
  EXPECT_NE(result.to_json().find("\"bpc\": null"), std::string::npos);
}

TEST(Evaluator, BadScorersAndOptionsAreErrors) {
  TempDir dir;
  write_file(dir.file("c.jsonl"), jsonl({"abcdef"}));
  const auto expect_code = [&](FunctionScorer& scorer, const lmc::BpcOptions& options,
                               lmc::ErrorCode code) {
    try {
      run(dir.file("c.jsonl"), scorer, options);
      ADD_FAILURE() << "no error";
    } catch (const lmc::Error& error) {
      EXPECT_EQ(error.code(), code) << error.what();
    }
  };
  FunctionScorer nan_scorer([](std::span<const lmc::Token>, std::size_t) { return NAN; });
  FunctionScorer inf_scorer([](std::span<const lmc::Token>, std::size_t) { return -INFINITY; });
  expect_code(nan_scorer, small_windows(4, 2), lmc::ErrorCode::out_of_range);
  expect_code(inf_scorer, small_windows(4, 2), lmc::ErrorCode::out_of_range);
  class ShortScorer final : public lmc::eval::LogprobScorer {
    std::vector<float> score(std::span<const lmc::Token>, std::size_t) override { return {-1.0f}; }
  } short_scorer;
  lmc::Corpus corpus = lmc::Corpus::open(dir.file("c.jsonl"));
  EXPECT_THROW(
      lmc::eval::evaluate_bpc(corpus, byte_tokenizer(false), short_scorer, small_windows(4, 2)),
      lmc::Error);
  FunctionScorer fine(eval_test::uniform_byte);
  expect_code(fine, small_windows(4, 5), lmc::ErrorCode::invalid_argument);
  auto bad_shard = small_windows(4, 2);
  bad_shard.shard_index = 2;
  bad_shard.shard_count = 2;
  expect_code(fine, bad_shard, lmc::ErrorCode::invalid_argument);
}

}  // namespace
