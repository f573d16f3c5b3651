// Pre-tokenization: splitting normalized text into pieces that BPE encodes independently,
// as a sequence of steps, each refining the pieces of the one before (Hugging Face's
// Sequence of Split / ByteLevel / Metaspace / Digits / Punctuation pre-tokenizers, and
// llama.cpp's per-family regex lists).
#pragma once

#include "tokenizer/regex.hpp"

#include <memory>
#include <string>
#include <string_view>
#include <vector>

LMC_BEGIN_NAMESPACE
namespace tokenizer {

/// What a split does with the delimiters it finds (Hugging Face SplitDelimiterBehavior).
enum class SplitBehavior { removed, isolated, merged_with_previous, merged_with_next, contiguous };

/// The regex of GPT-2's ByteLevel pre-tokenizer (use_regex = true).
inline constexpr std::string_view gpt2_regex =
    R"('s|'t|'re|'ve|'m|'ll|'d| ?\p{L}+| ?\p{N}+| ?[^\s\p{L}\p{N}]+|\s+(?!\S)|\s+)";

class PreTokenizer {
 public:
  void add_regex_split(std::string_view pattern, SplitBehavior behavior, bool invert,
                       std::string_view origin);
  void add_string_split(std::string pattern, SplitBehavior behavior, bool invert);
  /// Splits around digits: each digit alone, or runs of digits.
  void add_digits(bool individual);
  /// Splits around punctuation (Unicode P* or ASCII punctuation) with `behavior`.
  void add_punctuation(SplitBehavior behavior);
  /// ByteLevel's add_prefix_space: a piece that does not start with a space gets one.
  void add_prefix_space();
  /// Metaspace: spaces become `replacement`; `prepend` "always" or "first" (first piece of the
  /// input only) puts one in front; `split` cuts before each replacement.
  void add_metaspace(std::string replacement, bool prepend_always, bool prepend_first, bool split);

  bool empty() const noexcept { return steps_.empty(); }

  /// Splits `text` into pieces. When a step rewrites text the pieces refer to `buffer`,
  /// otherwise to `text`; `pieces` receives the ranges and the function returns the string
  /// they index.
  std::string_view split(std::string_view text, bool first_segment, std::string& buffer,
                         std::vector<Range>& pieces) const;

 private:
  enum class Kind { regex, string, digits, punctuation, prefix_space, metaspace };
  struct Step {
    Kind kind = Kind::regex;
    SplitBehavior behavior = SplitBehavior::isolated;
    bool invert = false;
    bool flag_a = false, flag_b = false, flag_c = false;
    std::string text;
    std::shared_ptr<const Regex> regex;
  };
  std::vector<Step> steps_;
};

}  // namespace tokenizer
LMC_END_NAMESPACE
