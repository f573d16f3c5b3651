#include "coding/segmentation.hpp"

#include "base/utf8.hpp"

LMC_BEGIN_NAMESPACE
namespace coding {
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
    std::vector<Token> tokens = model_.encode(text);
    if (tokens.empty() || tokens.size() > text.size() + kMaxExtraTokensPerSegment) return false;
    for (Token token : tokens) {
      if (token < 0 || static_cast<std::size_t>(token) >= vocab_) return false;
    }
    if (model_.decode(tokens) != text) return false;
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
        std::size_t length = base::utf8::sequence_length(chunk_, run_end);
        if (length == 0) break;
        run_end += length;
      }
      if (run_end > pos && !try_model(pos, run_end)) split_lines(pos, run_end);
      if (run_end < chunk_.size()) escape(run_end, run_end + 1);  // one invalid byte
      pos = run_end + 1;
    }
  }

  // Lines of [begin, end), each ending after its '\n' (the last one maybe without).
  std::vector<std::size_t> line_ends(std::size_t begin, std::size_t end) const {
    std::vector<std::size_t> ends;
    while (begin < end) {
      std::size_t newline = chunk_.find('\n', begin);
      begin = newline == std::string_view::npos || newline >= end ? end : newline + 1;
      ends.push_back(begin);
    }
    return ends;
  }

  // Words of [begin, end): a whitespace run and the non-whitespace run after it.
  std::vector<std::size_t> word_ends(std::size_t begin, std::size_t end) const {
    std::vector<std::size_t> ends;
    while (begin < end) {
      while (begin < end && is_space(chunk_[begin])) ++begin;
      while (begin < end && !is_space(chunk_[begin])) ++begin;
      ends.push_back(begin);
    }
    return ends;
  }

  bool round_trips(std::size_t begin, std::size_t end) const {
    std::string_view text = chunk_.substr(begin, end - begin);
    std::vector<Token> tokens = model_.encode(text);
    return !tokens.empty() && tokens.size() <= text.size() + kMaxExtraTokensPerSegment &&
           model_.decode(tokens) == text;
  }

  // Pieces [begin, ends[0]), [ends[0], ends[1]), ...: each maximal run of pieces that round-trip
  // on their own becomes one segment (or one per piece if the run as a whole does not), since
  // every segment costs a header; each piece that fails goes to `finer`.
  template <typename Finer>
  void split_pieces(std::size_t begin, const std::vector<std::size_t>& ends, Finer finer) {
    std::size_t i = 0;
    while (i < ends.size()) {
      std::size_t piece_begin = i == 0 ? begin : ends[i - 1];
      if (!round_trips(piece_begin, ends[i])) {
        finer(piece_begin, ends[i]);
        ++i;
        continue;
      }
      std::size_t last = i;
      while (last + 1 < ends.size() && round_trips(ends[last], ends[last + 1])) ++last;
      if (!try_model(piece_begin, ends[last])) {
        for (std::size_t k = i; k <= last; ++k) {
          std::size_t b = k == 0 ? begin : ends[k - 1];
          if (!try_model(b, ends[k])) escape(b, ends[k]);
        }
      }
      i = last + 1;
    }
  }

  void split_lines(std::size_t begin, std::size_t end) {
    split_pieces(begin, line_ends(begin, end),
                 [this](std::size_t b, std::size_t e) { split_words(b, e); });
  }

  void split_words(std::size_t begin, std::size_t end) {
    split_pieces(begin, word_ends(begin, end),
                 [this](std::size_t b, std::size_t e) { escape(b, e); });
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

}  // namespace coding
LMC_END_NAMESPACE
