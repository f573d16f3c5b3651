#include "tokenizer/pre_tokenizer.hpp"

#include "base/utf8.hpp"
#include "tokenizer/unicode.hpp"

LMC_BEGIN_NAMESPACE
namespace tokenizer {
namespace {

struct Marked {
  Range range;
  bool is_match;
};

// Turns the matches found in `piece` (sorted, disjoint, non-empty) into the pieces that
// `behavior` keeps, as Hugging Face's NormalizedString::split does.
void apply_behavior(Range piece, const std::vector<Range>& matches, SplitBehavior behavior,
                    bool invert, std::vector<Marked>& marked, std::vector<Range>& out) {
  marked.clear();
  std::size_t previous = piece.begin;
  for (Range m : matches) {
    const Range absolute{piece.begin + m.begin, piece.begin + m.end};
    if (absolute.begin > previous) marked.push_back({{previous, absolute.begin}, invert});
    marked.push_back({absolute, !invert});
    previous = absolute.end;
  }
  if (previous < piece.end) marked.push_back({{previous, piece.end}, invert});

  auto push = [&out](Range r) {
    if (r.end > r.begin) out.push_back(r);
  };
  // Pushes the pieces in order, each joined to the one before when joins(that one's is_match,
  // its own is_match).
  auto join_forward = [&](auto joins) {
    std::vector<Range> acc;
    bool previous_match = false;
    for (const Marked& m : marked) {
      if (joins(previous_match, m.is_match) && !acc.empty()) {
        acc.back().end = m.range.end;
      } else {
        acc.push_back(m.range);
      }
      previous_match = m.is_match;
    }
    for (Range r : acc) push(r);
  };
  switch (behavior) {
    case SplitBehavior::isolated:
      for (const Marked& m : marked) push(m.range);
      return;
    case SplitBehavior::removed:
      for (const Marked& m : marked) {
        if (!m.is_match) push(m.range);
      }
      return;
    case SplitBehavior::merged_with_previous:
      join_forward([](bool previous, bool match) { return match && !previous; });
      return;
    case SplitBehavior::merged_with_next: {
      std::vector<Range> acc;
      bool previous_match = false;
      for (auto it = marked.rbegin(); it != marked.rend(); ++it) {
        if (it->is_match && !previous_match && !acc.empty()) {
          acc.back().begin = it->range.begin;
        } else {
          acc.push_back(it->range);
        }
        previous_match = it->is_match;
      }
      for (auto it = acc.rbegin(); it != acc.rend(); ++it) push(*it);
      return;
    }
    case SplitBehavior::contiguous:
      join_forward([](bool previous, bool match) { return match == previous; });
      return;
  }
}

// Each character for which `predicate` holds is one match.
template <typename Predicate>
void find_characters(std::string_view subject, Predicate predicate, std::vector<Range>& matches) {
  std::size_t pos = 0;
  while (pos < subject.size()) {
    const std::size_t start = pos;
    if (base::utf8::sequence_length(subject, pos) == 0) {
      ++pos;
      continue;
    }
    const char32_t c = base::utf8::decode(subject, pos);
    if (predicate(c)) matches.push_back({start, pos});
  }
}

bool is_punctuation_character(char32_t c) {
  if (c < 0x80)
    return (c >= '!' && c <= '/') || (c >= ':' && c <= '@') || (c >= '[' && c <= '`') ||
           (c >= '{' && c <= '~');
  return unicode::is_punctuation(c);
}

bool is_digit_character(char32_t c) {
  if (c < 0x80) return c >= '0' && c <= '9';
  return unicode::is_number(c);
}

}  // namespace

void PreTokenizer::add_regex_split(std::string_view pattern, SplitBehavior behavior, bool invert,
                                   std::string_view origin) {
  Step step;
  step.kind = Kind::regex;
  step.behavior = behavior;
  step.invert = invert;
  step.regex = std::make_shared<const Regex>(pattern, origin);
  steps_.push_back(std::move(step));
}

void PreTokenizer::add_string_split(std::string pattern, SplitBehavior behavior, bool invert) {
  Step step;
  step.kind = Kind::string;
  step.behavior = behavior;
  step.invert = invert;
  step.text = std::move(pattern);
  steps_.push_back(std::move(step));
}

void PreTokenizer::add_digits(bool individual) {
  Step step;
  step.kind = Kind::digits;
  step.behavior = individual ? SplitBehavior::isolated : SplitBehavior::contiguous;
  steps_.push_back(std::move(step));
}

void PreTokenizer::add_punctuation(SplitBehavior behavior) {
  Step step;
  step.kind = Kind::punctuation;
  step.behavior = behavior;
  steps_.push_back(std::move(step));
}

void PreTokenizer::add_prefix_space() {
  Step step;
  step.kind = Kind::prefix_space;
  steps_.push_back(std::move(step));
}

void PreTokenizer::add_metaspace(std::string replacement, bool prepend_always, bool prepend_first,
                                 bool split) {
  Step step;
  step.kind = Kind::metaspace;
  step.text = std::move(replacement);
  step.flag_a = prepend_always;
  step.flag_b = prepend_first;
  step.flag_c = split;
  steps_.push_back(std::move(step));
}

std::string_view PreTokenizer::split(std::string_view text, bool first_segment, std::string& buffer,
                                     std::vector<Range>& pieces) const {
  pieces.clear();
  if (text.empty()) return text;
  pieces.push_back({0, text.size()});
  std::string_view current = text;
  std::vector<Range> next;
  std::vector<Range> matches;
  std::vector<Marked> marked;
  std::string rewritten;
  for (const Step& step : steps_) {
    next.clear();
    if (step.kind == Kind::prefix_space || step.kind == Kind::metaspace) {
      // Steps that rewrite the text build a new string and new ranges.
      rewritten.clear();
      rewritten.reserve(current.size() + pieces.size() + 8);
      for (std::size_t i = 0; i < pieces.size(); ++i) {
        const std::string_view piece =
            current.substr(pieces[i].begin, pieces[i].end - pieces[i].begin);
        const std::size_t begin = rewritten.size();
        if (step.kind == Kind::prefix_space) {
          if (piece.front() != ' ') rewritten.push_back(' ');
          rewritten.append(piece);
          next.push_back({begin, rewritten.size()});
          continue;
        }
        const bool prepend =
            step.flag_a || (step.flag_b && first_segment && i == 0 && pieces[i].begin == 0);
        if (prepend && !piece.starts_with(step.text)) rewritten.append(step.text);
        for (char c : piece) {
          if (c == ' ') {
            rewritten.append(step.text);
          } else {
            rewritten.push_back(c);
          }
        }
        const Range whole{begin, rewritten.size()};
        if (!step.flag_c) {
          next.push_back(whole);
          continue;
        }
        // Split before each replacement character (MergedWithNext).
        matches.clear();
        const std::string_view view(rewritten.data() + begin, whole.end - begin);
        for (std::size_t hit = view.find(step.text); hit != std::string_view::npos;
             hit = view.find(step.text, hit + step.text.size())) {
          matches.push_back({hit, hit + step.text.size()});
        }
        apply_behavior(whole, matches, SplitBehavior::merged_with_next, false, marked, next);
      }
      buffer.swap(rewritten);
      current = buffer;
      pieces.swap(next);
      continue;
    }
    for (Range piece : pieces) {
      const std::string_view subject = current.substr(piece.begin, piece.end - piece.begin);
      matches.clear();
      switch (step.kind) {
        case Kind::regex: step.regex->find_all(subject, matches); break;
        case Kind::string:
          if (!step.text.empty()) {
            for (std::size_t hit = subject.find(step.text); hit != std::string_view::npos;
                 hit = subject.find(step.text, hit + step.text.size())) {
              matches.push_back({hit, hit + step.text.size()});
            }
          }
          break;
        case Kind::digits: find_characters(subject, is_digit_character, matches); break;
        case Kind::punctuation: find_characters(subject, is_punctuation_character, matches); break;
        case Kind::prefix_space:
        case Kind::metaspace: break;
      }
      if (matches.empty() && !step.invert) {
        next.push_back(piece);
        continue;
      }
      apply_behavior(piece, matches, step.behavior, step.invert, marked, next);
    }
    pieces.swap(next);
  }
  return current;
}

}  // namespace tokenizer
LMC_END_NAMESPACE
