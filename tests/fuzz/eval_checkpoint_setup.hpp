// The evaluation that fuzz_eval_checkpoint resumes from its input, shared with
// lmc_fuzz_make_seeds (which interrupts it to write the seeds): a fixed corpus at a fixed
// path, bytes as tokens after a BOS, and a scorer whose log-probabilities depend only on the
// token. The corpus path must not depend on the process: a checkpoint names its corpus, and
// a seed written by one process must resume in another.
#pragma once

#include <lmc/corpus.hpp>
#include <lmc/error.hpp>
#include <lmc/eval.hpp>

#include "eval/scorer.hpp"

#include <unistd.h>

#include <cstddef>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace lmc_fuzz {

/// The corpus file, written on first use (to a private name, then renamed, so that several
/// processes may start at once).
inline const std::string& checkpoint_corpus_path() {
  static const std::string path = [] {
    const auto folder = std::filesystem::temp_directory_path() / "lmc_fuzz_eval_checkpoint";
    std::filesystem::create_directories(folder);
    const auto file = folder / "corpus.jsonl";
    std::string text;
    for (int d = 0; d < 6; ++d) {
      text += "{\"content\": \"";
      for (int i = 0; i < 5 + 9 * d; ++i) text += static_cast<char>('a' + (i * 5 + d) % 26);
      text += "\"}\n";
    }
    const auto part = folder / ("corpus." + std::to_string(::getpid()));
    {
      std::ofstream out(part, std::ios::binary | std::ios::trunc);
      out << text;
      if (!out) std::abort();
    }
    std::filesystem::rename(part, file);
    return file.string();
  }();
  return path;
}

constexpr lmc::Token kCheckpointBos = 256;
constexpr std::string_view kCheckpointFingerprint = "fuzz-model";

inline lmc::eval::EvalTokenizer checkpoint_tokenizer() {
  lmc::eval::EvalTokenizer tokenizer;
  tokenizer.encode = [](std::string_view text) {
    std::vector<lmc::Token> ids{kCheckpointBos};
    for (const char c : text) ids.push_back(static_cast<unsigned char>(c));
    return ids;
  };
  tokenizer.bos = kCheckpointBos;
  return tokenizer;
}

/// Log-probability -(1 + id % 7) / 8 for every target; throws (as a kill would stop the run)
/// once it has scored `limit` windows.
class CheckpointScorer final : public lmc::eval::LogprobScorer {
 public:
  explicit CheckpointScorer(std::size_t limit = static_cast<std::size_t>(-1)) : limit_(limit) {}
  std::vector<float> score(std::span<const lmc::Token> window, std::size_t first_target) override {
    if (calls_++ == limit_) throw lmc::Error(lmc::ErrorCode::internal, "interrupted");
    std::vector<float> out;
    for (std::size_t i = first_target; i < window.size(); ++i) {
      out.push_back(-static_cast<float>(1 + window[i] % 7) / 8.0f);
    }
    return out;
  }

 private:
  std::size_t limit_;
  std::size_t calls_ = 0;
};

inline lmc::BpcOptions checkpoint_options(const std::string& checkpoint, bool per_document) {
  lmc::BpcOptions options;
  options.context = 8;
  options.stride = 3;
  options.per_document = per_document;
  options.model_name = "fuzz";
  options.checkpoint = checkpoint;
  return options;
}

/// Runs the evaluation, resuming from (and finally writing) `checkpoint`.
inline lmc::BpcResult run_checkpointed(const std::string& checkpoint, bool per_document,
                                       double checkpoint_seconds,
                                       std::size_t limit = static_cast<std::size_t>(-1)) {
  lmc::Corpus corpus = lmc::Corpus::open(checkpoint_corpus_path());
  CheckpointScorer scorer(limit);
  lmc::BpcOptions options = checkpoint_options(checkpoint, per_document);
  options.checkpoint_seconds = checkpoint_seconds;
  return lmc::eval::evaluate_bpc(corpus, checkpoint_tokenizer(), scorer, options,
                                 kCheckpointFingerprint);
}

}  // namespace lmc_fuzz
