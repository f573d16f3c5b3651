#include "coding/segmentation.hpp"

#include "base/utf8.hpp"

LMC_BEGIN_NAMESPACE
namespace {

bool is_space(char c) {
  return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\v' || c == '\f';
}

class Splitter {
 public:
  Splitter(const CodingModel& model, std::string_view chunk)
      : model_(model), chunk_(chunk), vocab_(model.vocab_size()) {}

  std::vector<Segment> run() {
    if (!chunk_.empty() && !try_model(0, chunk_.size())) split_utf8();
    return std::move(segments_);
  }

 private:
  // Appends a model segment for [begin, end) and returns true if the tokenizer round-trips it.
  bool try_model(std::size_t begin, std::size_t end) {
    std::string_view text = chunk_.substr(begin, end - begin);
    std::vector<Token> tokens = model_.tokenize(text);
    if (tokens.empty() || tokens.size() > text.size() + kMaxExtraTokensPerSegment) return false;
    for (Token token : tokens) {
      if (token < 0 || static_cast<std::size_t>(token) >= vocab_) return false;
    }
    if (model_.detokenize(tokens) != text) return false;
    segments_.push_back(Segment{begin, text.size(), true, std::move(tokens)});
    return true;
  }

  void escape(std::size_t begin, std::size_t end) {
    if (begin == end) return;
    if (!segments_.empty() && !segments_.back().model &&
        segments_.back().begin + segments_.back().size == begin) {
      segments_.back().size += end - begin;
      return;
    }
    segments_.push_back(Segment{begin, end - begin, false, {}});
  }

  void split_utf8() {
    std::size_t pos = 0;
    while (pos < chunk_.size()) {
      std::size_t run_end = pos;
      while (run_end < chunk_.size()) {
        std::size_t length = utf8::sequence_length(chunk_, run_end);
        if (length == 0) break;
        run_end += length;
      }
      if (run_end > pos && !try_model(pos, run_end)) split_lines(pos, run_end);
      if (run_end < chunk_.size()) escape(run_end, run_end + 1);  // one invalid byte
      pos = run_end + 1;
    }
  }

  void split_lines(std::size_t begin, std::size_t end) {
    while (begin < end) {
      std::size_t newline = chunk_.find('\n', begin);
      std::size_t line_end =
          newline == std::string_view::npos || newline >= end ? end : newline + 1;
      if (!try_model(begin, line_end)) split_words(begin, line_end);
      begin = line_end;
    }
  }

  void split_words(std::size_t begin, std::size_t end) {
    while (begin < end) {
      std::size_t word_end = begin;
      while (word_end < end && is_space(chunk_[word_end])) ++word_end;
      while (word_end < end && !is_space(chunk_[word_end])) ++word_end;
      if (!try_model(begin, word_end)) escape(begin, word_end);
      begin = word_end;
    }
  }

  const CodingModel& model_;
  std::string_view chunk_;
  std::size_t vocab_;
  std::vector<Segment> segments_;
};

}  // namespace

std::vector<Segment> split_into_segments(const CodingModel& model, std::string_view chunk) {
  return Splitter(model, chunk).run();
}

LMC_END_NAMESPACE
