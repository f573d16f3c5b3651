// evaluate_bpc: reads documents, tokenizes them into one stream and scores sliding windows as
// soon as the tokens they need are known, keeping only the tokens later windows still need.
#include "eval/scorer.hpp"

#include <lmc/atomic_file.hpp>
#include <lmc/eval.hpp>

#include "base/fail.hpp"
#include "base/utf8.hpp"
#include "eval/bpc_result_impl.hpp"
#include "eval/checkpoint.hpp"
#include "eval/window_plan.hpp"

#include <fmt/ranges.h>

#include <algorithm>
#include <charconv>
#include <chrono>
#include <cmath>
#include <filesystem>
#include <fstream>
#include <optional>
#include <ostream>
#include <sstream>

LMC_BEGIN_NAMESPACE
namespace eval {
namespace {

using Clock = std::chrono::steady_clock;

struct TokenOrigin {
  std::uint64_t document = 0;  // index among the documents read
  std::uint64_t position = 0;  // index of the token inside its document
};

void write_escaped(std::ostream& out, std::string_view text) {
  for (char c : text) {
    switch (c) {
      case '\\': out << "\\\\"; break;
      case '\t': out << "\\t"; break;
      case '\n': out << "\\n"; break;
      case '\r': out << "\\r"; break;
      default: out << c;
    }
  }
}

class Evaluation {
 public:
  Evaluation(Corpus& corpus, const EvalTokenizer& tokenizer, LogprobScorer& scorer,
             const BpcOptions& options, std::string_view model_fingerprint)
      : corpus_(corpus),
        tokenizer_(tokenizer),
        scorer_(scorer),
        options_(options),
        model_fingerprint_(model_fingerprint) {
    grid_.context = options.context;
    grid_.stride = options.stride;
    grid_.validate();
    if (options.shard_count < 1 || options.shard_index >= options.shard_count) {
      base::fail(ErrorCode::invalid_argument, "shard {}/{}: the index must lie in [0, count)",
                 options.shard_index, options.shard_count);
    }
    if (!tokenizer.encode)
      base::fail(ErrorCode::invalid_argument, "EvalTokenizer::encode is not set");
    plan_mode_ = options.mode == WindowMode::paper ? eval::PlanMode::paper : eval::PlanMode::exact;
    count_bos_ = options.mode == WindowMode::paper || options.score_bos;

    eval::Access::State& state = eval::Access::state(result_);
    state.context = options.context;
    state.stride = options.stride;
    state.mode = options.mode;
    state.score_bos = options.mode == WindowMode::paper || options.score_bos;
    state.model_name = options.model_name;
    state.corpus = corpus.path();
    state.max_documents = options.max_documents;
    state.shard_count = options.shard_count;
    state.shards = {options.shard_index};
    state.per_document = options.per_document;
    if (!options.checkpoint.empty()) {
      if (options.token_dump != nullptr) {
        base::fail(ErrorCode::invalid_argument,
                   "a token dump cannot be combined with a checkpoint (the dump of a resumed run "
                   "would lack the windows scored before)");
      }
      if (!(options.checkpoint_seconds >= 0)) {
        base::fail(ErrorCode::invalid_argument, "checkpoint_seconds is {}: it must be 0 or more",
                   options.checkpoint_seconds);
      }
    }
  }

  BpcResult run() {
    start_ = Clock::now();
    last_checkpoint_ = start_;
    if (!options_.checkpoint.empty() && std::filesystem::exists(options_.checkpoint)) {
      resume(load_checkpoint());
    }
    if (options_.token_dump != nullptr) {
      *options_.token_dump << "document\tposition\ttoken\ttext\tbits\n";
    }
    eval::Access::State& state = eval::Access::state(result_);
    Document document;
    while ((options_.max_documents == 0 || state.documents < options_.max_documents) &&
           corpus_.next(document)) {
      if (document.text.empty()) {  // kept by CorpusOptions::keep_empty_documents
        ++empty_kept_;
        continue;
      }
      add_document(document);
      if (resume_ && state.documents == resume_->documents_read) verify_resumed_corpus();
      while (grid_.full_end(next_window_) <= total_tokens_) {
        process_window(next_window_++);
      }
      drop_unneeded_tokens();
    }
    corpus_read_ = true;
    if (resume_ && !resume_verified_) {
      base::fail(ErrorCode::invalid_argument,
                 "{}: checkpoint of another corpus: it was written after {} documents of {}, but "
                 "{} has only {}",
                 options_.checkpoint, resume_->documents_read, resume_->partial.corpus(),
                 corpus_.path(), state.documents);
    }
    const std::uint64_t count = grid_.window_count(plan_mode_, total_tokens_);
    while (next_window_ < count) process_window(next_window_++);

    state.skipped_records = corpus_.skipped_records();
    state.empty_documents = corpus_.empty_documents() + empty_kept_;
    state.refresh_document_bits();
    state.seconds = elapsed();
    if (!options_.checkpoint.empty()) write_checkpoint();
    return std::move(result_);
  }

 private:
  // Seconds of this evaluation, the runs before a resume included.
  double elapsed() const {
    return earlier_seconds_ + std::chrono::duration<double>(Clock::now() - start_).count();
  }

  Checkpoint load_checkpoint() const {
    std::ifstream file(options_.checkpoint, std::ios::binary);
    std::ostringstream text;
    text << file.rdbuf();
    if (!file || file.bad()) {
      base::fail(ErrorCode::io, "{}: cannot read the checkpoint", options_.checkpoint);
    }
    return checkpoint_from_json(text.str(), options_.checkpoint);
  }

  // Takes over a checkpoint's sums after checking that it belongs to this very evaluation.
  void resume(Checkpoint checkpoint) {
    eval::Access::State& state = eval::Access::state(result_);
    const eval::Access::State& saved = eval::Access::state(checkpoint.partial);
    const std::string& file = options_.checkpoint;
    if (checkpoint.model_fingerprint != model_fingerprint_) {
      base::fail(ErrorCode::model_mismatch,
                 "{}: checkpoint of another model: its fingerprint is '{}', this model's is '{}'",
                 file, checkpoint.model_fingerprint, model_fingerprint_);
    }
    auto differ = [&](const char* what, const auto& there, const auto& here) {
      if (there == here) return;
      base::fail(ErrorCode::invalid_argument,
                 "{}: checkpoint of another evaluation: {} is {} there but {} here (restart with "
                 "the same arguments, or remove the checkpoint)",
                 file, what, there, here);
    };
    eval::Access::for_each_setting(saved, state, differ);
    differ("the shard", fmt::format("{}", fmt::join(saved.shards, ",")),
           fmt::format("{}", fmt::join(state.shards, ",")));
    if (saved.per_document && saved.documents_figures.size() != checkpoint.documents_read) {
      base::fail(ErrorCode::format, "{}: {} per-document entries for {} documents read", file,
                 saved.documents_figures.size(), checkpoint.documents_read);
    }
    // The position in the token stream must be one this evaluation can reach: a damaged
    // next_window would otherwise wrap the window arithmetic and point outside the buffer.
    // 2^62 tokens is far beyond any corpus and keeps every window end inside 64 bits.
    constexpr std::uint64_t kMaxStreamTokens = std::uint64_t{1} << 62;
    if (checkpoint.stream_tokens > kMaxStreamTokens) {
      base::fail(ErrorCode::format, "{}: key \"checkpoint.stream_tokens\": {} is out of range",
                 file, checkpoint.stream_tokens);
    }
    const std::uint64_t windows = grid_.window_count(plan_mode_, checkpoint.stream_tokens);
    if (checkpoint.next_window > windows) {
      base::fail(ErrorCode::format,
                 "{}: key \"checkpoint.next_window\": window {} is past the {} windows of the {} "
                 "tokens the checkpoint was written after",
                 file, checkpoint.next_window, windows, checkpoint.stream_tokens);
    }
    if (checkpoint.last_end > checkpoint.stream_tokens) {
      base::fail(ErrorCode::format,
                 "{}: key \"checkpoint.last_end\": token {} is past the {} tokens the checkpoint "
                 "was written after",
                 file, checkpoint.last_end, checkpoint.stream_tokens);
    }
    state.loss = saved.loss;
    state.scored_tokens = saved.scored_tokens;
    state.windows = saved.windows;
    state.forward_tokens = saved.forward_tokens;
    earlier_seconds_ = saved.seconds;
    next_window_ = checkpoint.next_window;
    last_end_ = checkpoint.last_end;
    resume_ = std::move(checkpoint);
    if (resume_->documents_read == 0) verify_resumed_corpus();
  }

  // Called once the resumed run has read as many documents as the checkpoint had.
  void verify_resumed_corpus() {
    if (digest_.value() != resume_->corpus_digest || total_tokens_ != resume_->stream_tokens) {
      base::fail(ErrorCode::invalid_argument,
                 "{}: checkpoint of another corpus: the first {} documents of {} differ from those "
                 "the checkpoint was written for",
                 options_.checkpoint, resume_->documents_read, corpus_.path());
    }
    resume_verified_ = true;
  }

  void write_checkpoint() {
    eval::Access::State& state = eval::Access::state(result_);
    Checkpoint checkpoint;
    checkpoint.partial = result_;  // a copy: the evaluation goes on with result_
    eval::Access::State& saved = eval::Access::state(checkpoint.partial);
    saved.seconds = elapsed();
    saved.refresh_document_bits();
    checkpoint.model_fingerprint = std::string(model_fingerprint_);
    checkpoint.documents_read = state.documents;
    checkpoint.corpus_digest = digest_.value();
    checkpoint.stream_tokens = total_tokens_;
    checkpoint.next_window = next_window_;
    checkpoint.last_end = last_end_;
    write_file_atomically(options_.checkpoint, checkpoint_to_json(checkpoint));
    last_checkpoint_ = Clock::now();
  }

  void add_document(const Document& document) {
    eval::Access::State& state = eval::Access::state(result_);
    const std::vector<Token> ids = tokenizer_.encode(document.text);
    const std::uint64_t index = state.documents++;
    digest_.add(document.text);
    const std::uint64_t characters = base::utf8::count_code_points(document.text);
    state.characters += characters;
    state.bytes += document.text.size();
    state.tokens += ids.size();
    for (std::size_t i = 0; i < ids.size(); ++i) {
      tokens_.push_back(ids[i]);
      origins_.push_back({index, i});
    }
    total_tokens_ += ids.size();
    if (options_.per_document) {
      DocumentFigures figures;
      figures.source = document.source;
      figures.line = document.line;
      figures.characters = characters;
      figures.bytes = document.text.size();
      figures.tokens = ids.size();
      state.documents_figures.push_back(std::move(figures));
      state.document_losses.emplace_back();
      if (resume_ && index < resume_->documents_read) {
        // Targets of this document scored before the checkpoint.
        const eval::Access::State& saved = eval::Access::state(resume_->partial);
        state.document_losses.back() = saved.document_losses[index];
        state.documents_figures.back().scored_tokens = saved.documents_figures[index].scored_tokens;
      }
    }
  }

  // Forgets tokens before the start of the next window, in large steps so that erasing from
  // the front of the buffer costs amortised O(1) per token.
  void drop_unneeded_tokens() {
    const std::uint64_t keep_from = next_window_ * grid_.stride;
    if (keep_from <= buffer_start_) return;
    // A resumed run starts at a late window while the stream is still short: never drop more
    // than the buffer holds.
    const auto droppable =
        std::min(static_cast<std::size_t>(keep_from - buffer_start_), tokens_.size());
    if (droppable < tokens_.size() / 2) return;
    tokens_.erase(tokens_.begin(), tokens_.begin() + static_cast<std::ptrdiff_t>(droppable));
    origins_.erase(origins_.begin(), origins_.begin() + static_cast<std::ptrdiff_t>(droppable));
    buffer_start_ += droppable;
  }

  void process_window(std::uint64_t k) {
    if (k % options_.shard_count != options_.shard_index) return;
    const eval::Window window = grid_.window(k, total_tokens_);
    const auto offset = static_cast<std::size_t>(window.begin - buffer_start_);
    const auto size = static_cast<std::size_t>(window.end - window.begin);
    const auto first_target = static_cast<std::size_t>(window.first_target - window.begin);
    const std::span<const Token> ids(tokens_.data() + offset, size);
    const std::vector<float> logprobs = scorer_.score(ids, first_target);
    if (logprobs.size() != size - first_target) {
      base::fail(ErrorCode::out_of_range, "the scorer returned {} log-probabilities for {} targets",
                 logprobs.size(), size - first_target);
    }

    eval::Access::State& state = eval::Access::state(result_);
    for (std::size_t j = 0; j < logprobs.size(); ++j) {
      const std::size_t at = offset + first_target + j;
      const float logprob = logprobs[j];
      if (!std::isfinite(logprob)) {
        base::fail(ErrorCode::out_of_range, "the scorer returned {} for token {} of the stream",
                   logprob, window.first_target + j);
      }
      const TokenOrigin origin = origins_[at];
      const bool is_bos = origin.position == 0 && tokenizer_.bos && tokens_[at] == *tokenizer_.bos;
      if (is_bos && !count_bos_) continue;
      const std::int64_t units = eval::FixedLoss::units_of(logprob);
      state.loss.add_units(units);
      ++state.scored_tokens;
      if (options_.per_document) {
        state.document_losses[origin.document].add_units(units);
        ++state.documents_figures[origin.document].scored_tokens;
      }
      if (options_.token_dump != nullptr) dump(origin, tokens_[at], logprob);
    }
    ++state.windows;
    state.forward_tokens += size - 1;
    last_end_ = window.end;
    report_progress();
    if (!options_.checkpoint.empty() &&
        std::chrono::duration<double>(Clock::now() - last_checkpoint_).count() >=
            options_.checkpoint_seconds) {
      write_checkpoint();
    }
  }

  void dump(const TokenOrigin& origin, Token token, float logprob) {
    std::ostream& out = *options_.token_dump;
    out << origin.document << '\t' << origin.position << '\t' << token << '\t';
    if (tokenizer_.token_text) write_escaped(out, tokenizer_.token_text(token));
    char bits[32];
    const double value = -static_cast<double>(logprob) / std::log(2.0);
    const auto end = std::to_chars(bits, bits + sizeof bits, value).ptr;
    out << '\t' << std::string_view(bits, static_cast<std::size_t>(end - bits)) << '\n';
  }

  void report_progress() {
    if (!options_.progress) return;
    const eval::Access::State& state = eval::Access::state(result_);
    EvalProgress progress;
    progress.windows_done = state.windows;
    progress.scored_tokens_done = state.scored_tokens;
    progress.forward_tokens_done = state.forward_tokens;
    progress.tokens_read = total_tokens_;
    progress.seconds = elapsed();
    progress.tokens_per_second =
        progress.seconds > 0 ? static_cast<double>(state.scored_tokens) / progress.seconds : 0.0;

    // This shard's share of the targets scored so far is scored / stream position reached;
    // the stream's final length is known once the corpus is read (the end of the last
    // window), else extrapolated from the share of the corpus read so far.
    double stream_tokens = static_cast<double>(last_end_);
    if (corpus_read_) {
      const std::uint64_t count = grid_.window_count(plan_mode_, total_tokens_);
      if (count > 0)
        stream_tokens = static_cast<double>(grid_.window(count - 1, total_tokens_).end);
    } else {
      double fraction = corpus_.fraction_read();
      if (options_.max_documents > 0) {
        fraction = std::max(fraction, static_cast<double>(state.documents) /
                                          static_cast<double>(options_.max_documents));
      }
      if (fraction > 0) {
        stream_tokens = std::max(stream_tokens, static_cast<double>(total_tokens_) / fraction);
      }
    }
    const double scored_total = last_end_ > 0 ? static_cast<double>(state.scored_tokens) *
                                                    stream_tokens / static_cast<double>(last_end_)
                                              : 0.0;
    progress.scored_tokens_total = std::max<std::uint64_t>(
        state.scored_tokens, static_cast<std::uint64_t>(std::llround(scored_total)));
    progress.eta_seconds =
        progress.tokens_per_second > 0
            ? static_cast<double>(progress.scored_tokens_total - state.scored_tokens) /
                  progress.tokens_per_second
            : 0.0;
    options_.progress(progress);
  }

  Corpus& corpus_;
  const EvalTokenizer& tokenizer_;
  LogprobScorer& scorer_;
  const BpcOptions& options_;
  std::string_view model_fingerprint_;
  eval::WindowGrid grid_;
  eval::PlanMode plan_mode_ = eval::PlanMode::exact;
  bool count_bos_ = false;
  BpcResult result_;
  Clock::time_point start_;
  bool corpus_read_ = false;
  std::uint64_t empty_kept_ = 0;  // empty documents the corpus returned (not dropped)

  std::vector<Token> tokens_;         // the stream from buffer_start_ on
  std::vector<TokenOrigin> origins_;  // where each of tokens_ comes from
  std::uint64_t buffer_start_ = 0;    // stream index of tokens_[0]
  std::uint64_t total_tokens_ = 0;    // tokens in the stream so far
  std::uint64_t next_window_ = 0;
  std::uint64_t last_end_ = 0;  // end of the last window this shard scored

  // Checkpoints.
  CorpusDigest digest_;                // of the documents read so far
  Clock::time_point last_checkpoint_;  // when the last one was written (or the run began)
  double earlier_seconds_ = 0;         // time of the runs before a resume
  std::optional<Checkpoint> resume_;   // the checkpoint this run continues
  bool resume_verified_ = false;       // its corpus digest matched
};

}  // namespace

BpcResult evaluate_bpc(Corpus& corpus, const EvalTokenizer& tokenizer, LogprobScorer& scorer,
                       const BpcOptions& options, std::string_view model_fingerprint) {
  return Evaluation(corpus, tokenizer, scorer, options, model_fingerprint).run();
}

}  // namespace eval

std::string_view to_string(WindowMode mode) noexcept {
  return mode == WindowMode::paper ? "paper" : "exact";
}

WindowMode parse_window_mode(std::string_view text) {
  if (text == "exact") return WindowMode::exact;
  if (text == "paper") return WindowMode::paper;
  base::fail(ErrorCode::invalid_argument, "unknown window mode '{}' (expected exact or paper)",
             text);
}

Shard parse_shard(std::string_view text) {
  const auto slash = text.find('/');
  Shard shard;
  auto parse = [&](std::string_view part, std::size_t& out) {
    const auto [end, error] = std::from_chars(part.data(), part.data() + part.size(), out);
    return error == std::errc() && end == part.data() + part.size() && !part.empty();
  };
  if (slash == std::string_view::npos || !parse(text.substr(0, slash), shard.index) ||
      !parse(text.substr(slash + 1), shard.count) || shard.count == 0 ||
      shard.index >= shard.count) {
    base::fail(ErrorCode::invalid_argument, "bad shard '{}': expected i/n with 0 <= i < n", text);
  }
  return shard;
}

LMC_END_NAMESPACE
