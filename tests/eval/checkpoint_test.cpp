// Resumable evaluation (BpcOptions::checkpoint) with fake scorers: a run interrupted after any
// window and resumed, once or many times, ends with the uninterrupted result in every figure
// but the timings, and with the loss computed directly from the token stream; checkpoints of
// another evaluation are refused with errors that say why.
#include <lmc/eval.hpp>

#include "closed_form_scorers.hpp"
#include "eval/bpc_result_impl.hpp"
#include "eval/checkpoint.hpp"
#include "eval_test_support.hpp"

#include <gtest/gtest.h>

#include <filesystem>
#include <string>
#include <utility>
#include <vector>

namespace {

using eval_test::TempDir;
using eval_test::write_file;

std::string corpus_text() {
  // Documents of varied lengths, so that windows cross document borders.
  std::string out;
  for (int d = 0; d < 9; ++d) {
    std::string text;
    for (int i = 0; i < 7 + 5 * d; ++i) text += static_cast<char>('a' + (i * 7 + d) % 26);
    out += "{\"content\": \"" + text + "\"}\n";
  }
  return out;
}

// bigram_scorer that stops the run (as a kill would) once it has scored `limit` windows.
class InterruptedScorer final : public lmc::eval::LogprobScorer {
 public:
  explicit InterruptedScorer(std::size_t limit) : limit_(limit) {}
  std::vector<float> score(std::span<const lmc::Token> window, std::size_t first_target) override {
    if (calls_++ == limit_) throw lmc::Error(lmc::ErrorCode::internal, "interrupted");
    std::vector<float> out;
    for (std::size_t i = first_target; i < window.size(); ++i) {
      out.push_back(eval_test::bigram_scorer(window, i));
    }
    return out;
  }

 private:
  std::size_t limit_;
  std::size_t calls_ = 0;
};

constexpr std::size_t kNever = static_cast<std::size_t>(-1);

lmc::BpcResult run(const std::string& corpus_path, const lmc::BpcOptions& options,
                   std::size_t limit = kNever, std::string_view fingerprint = "model-a") {
  lmc::Corpus corpus = lmc::Corpus::open(corpus_path);
  InterruptedScorer scorer(limit);
  return lmc::eval::evaluate_bpc(corpus, eval_test::byte_tokenizer(true), scorer, options,
                                 fingerprint);
}

// Every figure of a result but the timings.
void expect_same(const lmc::BpcResult& a, const lmc::BpcResult& b) {
  const auto& x = lmc::eval::Access::state(a);
  const auto& y = lmc::eval::Access::state(b);
  EXPECT_EQ(x.loss.to_decimal(), y.loss.to_decimal());
  EXPECT_EQ(x.scored_tokens, y.scored_tokens);
  EXPECT_EQ(x.windows, y.windows);
  EXPECT_EQ(x.forward_tokens, y.forward_tokens);
  EXPECT_EQ(x.documents, y.documents);
  EXPECT_EQ(x.characters, y.characters);
  EXPECT_EQ(x.bytes, y.bytes);
  EXPECT_EQ(x.tokens, y.tokens);
  EXPECT_EQ(x.shards, y.shards);
  ASSERT_EQ(x.documents_figures.size(), y.documents_figures.size());
  for (std::size_t i = 0; i < x.document_losses.size(); ++i) {
    EXPECT_EQ(x.document_losses[i].to_decimal(), y.document_losses[i].to_decimal()) << i;
    EXPECT_EQ(x.documents_figures[i].scored_tokens, y.documents_figures[i].scored_tokens) << i;
  }
}

lmc::BpcOptions options_for(const std::string& checkpoint) {
  lmc::BpcOptions options;
  options.context = 12;
  options.stride = 5;
  options.per_document = true;
  options.model_name = "fake";
  options.checkpoint = checkpoint;
  options.checkpoint_seconds = 0;  // after every window: every interruption point is a resume
  return options;
}

TEST(Checkpoint, ResumedAfterAnyWindowEqualsTheUninterruptedRun) {
  TempDir dir;
  write_file(dir.file("c.jsonl"), corpus_text());
  lmc::BpcOptions plain = options_for("");
  const lmc::BpcResult whole = run(dir.file("c.jsonl"), plain);
  ASSERT_GT(whole.windows(), 20u);

  // The loss computed directly: exact mode scores every stream token after the first once
  // (BOS targets left out), given the token before it in the stream.
  {
    lmc::Corpus corpus = lmc::Corpus::open(dir.file("c.jsonl"));
    const auto tokenizer = eval_test::byte_tokenizer(true);
    std::vector<lmc::Token> stream;
    lmc::Document document;
    while (corpus.next(document)) {
      for (lmc::Token t : tokenizer.encode(document.text)) stream.push_back(t);
    }
    lmc::eval::FixedLoss direct;
    for (std::size_t i = 1; i < stream.size(); ++i) {
      if (stream[i] == 0) continue;  // BOS
      direct.add_units(lmc::eval::FixedLoss::units_of(eval_test::bigram(stream[i - 1], stream[i])));
    }
    EXPECT_EQ(lmc::eval::Access::state(whole).loss.to_decimal(), direct.to_decimal());
  }

  for (std::size_t stop = 0; stop <= whole.windows(); ++stop) {
    const std::string checkpoint = dir.file("run" + std::to_string(stop) + ".ckpt");
    const lmc::BpcOptions options = options_for(checkpoint);
    if (stop < whole.windows()) {
      EXPECT_THROW(run(dir.file("c.jsonl"), options, stop), lmc::Error);
      ASSERT_EQ(std::filesystem::exists(checkpoint), stop > 0) << stop;
    }
    const lmc::BpcResult resumed = run(dir.file("c.jsonl"), options);
    SCOPED_TRACE("interrupted after " + std::to_string(stop) + " windows");
    expect_same(resumed, whole);
  }
}

TEST(Checkpoint, ManyInterruptionsInPaperModeAndInAShard) {
  TempDir dir;
  write_file(dir.file("c.jsonl"), corpus_text());
  for (const bool paper : {false, true}) {
    lmc::BpcOptions plain = options_for("");
    plain.mode = paper ? lmc::WindowMode::paper : lmc::WindowMode::exact;
    plain.shard_index = 1;
    plain.shard_count = 3;
    const lmc::BpcResult whole = run(dir.file("c.jsonl"), plain);

    lmc::BpcOptions options = plain;
    options.checkpoint = dir.file(paper ? "paper.ckpt" : "exact.ckpt");
    // Interrupted after 1, 2, 3, ... windows of each run until one finishes.
    int runs = 0;
    for (std::size_t stop = 1;; ++stop, ++runs) {
      try {
        const lmc::BpcResult resumed = run(dir.file("c.jsonl"), options, stop);
        expect_same(resumed, whole);
        break;
      } catch (const lmc::Error& error) {
        ASSERT_STREQ(error.what(), "interrupted");
      }
      ASSERT_LT(runs, 100);
    }
    EXPECT_GE(runs, 3);
  }
}

TEST(Checkpoint, AFinishedCheckpointGivesTheResultAgain) {
  TempDir dir;
  write_file(dir.file("c.jsonl"), corpus_text());
  const lmc::BpcOptions options = options_for(dir.file("done.ckpt"));
  const lmc::BpcResult first = run(dir.file("c.jsonl"), options);
  // The scorer would fail at once: nothing is scored again.
  const lmc::BpcResult again = run(dir.file("c.jsonl"), options, 0);
  expect_same(again, first);
}

std::string refusal(const std::string& corpus, const lmc::BpcOptions& options,
                    std::string_view fingerprint = "model-a",
                    lmc::ErrorCode expected = lmc::ErrorCode::invalid_argument) {
  try {
    run(corpus, options, kNever, fingerprint);
  } catch (const lmc::Error& error) {
    EXPECT_EQ(error.code(), expected) << error.what();
    return error.what();
  }
  ADD_FAILURE() << "the checkpoint was accepted";
  return {};
}

TEST(Checkpoint, ACheckpointOfAnotherEvaluationIsRefused) {
  TempDir dir;
  write_file(dir.file("c.jsonl"), corpus_text());
  const std::string checkpoint = dir.file("x.ckpt");
  const lmc::BpcOptions options = options_for(checkpoint);
  EXPECT_THROW(run(dir.file("c.jsonl"), options, 4), lmc::Error);
  ASSERT_TRUE(std::filesystem::exists(checkpoint));
  const std::string saved = eval_test::read_file(checkpoint);

  lmc::BpcOptions other = options;
  other.context = 13;
  EXPECT_EQ(refusal(dir.file("c.jsonl"), other),
            checkpoint +
                ": checkpoint of another evaluation: the context is 12 there but 13 here "
                "(restart with the same arguments, or remove the checkpoint)");
  other = options;
  other.shard_count = 2;
  EXPECT_NE(refusal(dir.file("c.jsonl"), other).find("the shard count is 1 there but 2 here"),
            std::string::npos);
  other = options;
  other.mode = lmc::WindowMode::paper;
  EXPECT_NE(refusal(dir.file("c.jsonl"), other).find("the window mode is exact there but paper"),
            std::string::npos);
  other = options;
  other.max_documents = 5;
  EXPECT_NE(refusal(dir.file("c.jsonl"), other).find("max_documents is 0 there but 5 here"),
            std::string::npos);
  other = options;
  other.score_bos = true;
  EXPECT_NE(refusal(dir.file("c.jsonl"), other).find("BOS scoring is false there but true here"),
            std::string::npos);

  // Another model.
  EXPECT_NE(refusal(dir.file("c.jsonl"), options, "model-b", lmc::ErrorCode::model_mismatch)
                .find("checkpoint of another model"),
            std::string::npos);

  // Another corpus at the same path: one character of an early document changed.
  std::string edited = corpus_text();
  edited[15] = edited[15] == 'z' ? 'y' : 'z';
  write_file(dir.file("c.jsonl"), edited);
  EXPECT_NE(refusal(dir.file("c.jsonl"), options).find("checkpoint of another corpus"),
            std::string::npos);
  // A shorter corpus than the one the checkpoint was written for.
  write_file(dir.file("c.jsonl"), "{\"content\": \"abcdefghij\"}\n");
  EXPECT_NE(refusal(dir.file("c.jsonl"), options).find("checkpoint of another corpus"),
            std::string::npos);
  // Another corpus path.
  write_file(dir.file("d.jsonl"), corpus_text());
  EXPECT_NE(refusal(dir.file("d.jsonl"), options).find("the corpus is"), std::string::npos);

  // The checkpoint file itself is still the one written: refusals leave it alone.
  EXPECT_EQ(eval_test::read_file(checkpoint), saved);
}

TEST(Checkpoint, ABrokenCheckpointIsAFormatError) {
  TempDir dir;
  write_file(dir.file("c.jsonl"), corpus_text());
  const lmc::BpcOptions options = options_for(dir.file("bad.ckpt"));
  write_file(dir.file("bad.ckpt"), "{\"model\": \"fake\"");
  EXPECT_NE(refusal(dir.file("c.jsonl"), options, "model-a", lmc::ErrorCode::format)
                .find("bad.ckpt: invalid JSON"),
            std::string::npos);
  write_file(dir.file("bad.ckpt"), "{\"model\": \"fake\"}");
  EXPECT_NE(refusal(dir.file("c.jsonl"), options, "model-a", lmc::ErrorCode::format)
                .find("not an lmc-bpc checkpoint"),
            std::string::npos);
  // A result file (what --json writes) is not a checkpoint either.
  const lmc::BpcResult result = run(dir.file("c.jsonl"), options_for(""));
  write_file(dir.file("bad.ckpt"), result.to_json());
  EXPECT_NE(refusal(dir.file("c.jsonl"), options, "model-a", lmc::ErrorCode::format)
                .find("not an lmc-bpc checkpoint"),
            std::string::npos);
}

// Replaces the number after `"key": ` in a checkpoint's text.
std::string with_number(std::string json, const std::string& key, const std::string& value) {
  const std::size_t at = json.find("\"" + key + "\": ");
  EXPECT_NE(at, std::string::npos) << key;
  if (at == std::string::npos) return json;
  const std::size_t begin = at + key.size() + 4;
  const std::size_t end = json.find_first_not_of("0123456789", begin);
  return json.replace(begin, end - begin, value);
}

TEST(Checkpoint, APositionPastTheStreamIsAFormatError) {
  // Found by fuzzing: a next_window near 2^64 / stride wrapped the window arithmetic, and the
  // resumed run read before the start of its token buffer. A checkpoint's position must lie
  // inside the stream it was written after.
  TempDir dir;
  write_file(dir.file("c.jsonl"), corpus_text());
  const std::string checkpoint = dir.file("p.ckpt");
  const lmc::BpcOptions options = options_for(checkpoint);
  EXPECT_THROW(run(dir.file("c.jsonl"), options, 4), lmc::Error);
  const std::string saved = eval_test::read_file(checkpoint);
  // stride 5: 5 * 3689348814741910323 = 2^64 - 1, and the window's end wraps to 12.
  for (const auto& [key, value] :
       {std::pair<std::string, std::string>{"next_window", "3689348814741910323"},
        {"next_window", "1000"},
        {"last_end", "18446744073709551615"},
        {"stream_tokens", "9223372036854775808"}}) {
    write_file(checkpoint, with_number(saved, key, value));
    const std::string message =
        refusal(dir.file("c.jsonl"), options, "model-a", lmc::ErrorCode::format);
    EXPECT_NE(message.find(checkpoint), std::string::npos) << message;
    EXPECT_NE(message.find("\"checkpoint." + key + "\""), std::string::npos) << message;
  }
}

TEST(Checkpoint, ATokenDumpCannotBeResumed) {
  TempDir dir;
  write_file(dir.file("c.jsonl"), corpus_text());
  lmc::BpcOptions options = options_for(dir.file("t.ckpt"));
  std::ostringstream dump;
  options.token_dump = &dump;
  EXPECT_NE(refusal(dir.file("c.jsonl"), options).find("token dump"), std::string::npos);
}

}  // namespace
