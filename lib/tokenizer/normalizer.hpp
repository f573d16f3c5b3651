// Text normalization applied to each stretch of text between added tokens before it is
// split: Unicode normal forms, prepending and replacing strings, lowercasing (the normalizers
// of Hugging Face tokenizer.json that the supported families use).
#pragma once

#include "tokenizer/unicode.hpp"

#include <string>
#include <string_view>
#include <vector>

LMC_BEGIN_NAMESPACE
namespace tokenizer {

class Normalizer {
 public:
  void add_normal_form(unicode::NormalForm form) {
    steps_.push_back({Kind::normal_form, form, {}, {}});
  }
  /// Prepends `text` to a non-empty input (Hugging Face "Prepend").
  void add_prepend(std::string text) { steps_.push_back({Kind::prepend, {}, std::move(text), {}}); }
  /// Replaces every occurrence of `from` by `to`.
  void add_replace(std::string from, std::string to) {
    steps_.push_back({Kind::replace, {}, std::move(from), std::move(to)});
  }
  void add_lowercase() { steps_.push_back({Kind::lowercase, {}, {}, {}}); }

  bool empty() const noexcept { return steps_.empty(); }
  /// Whether a step may change valid text (a normal form or lowercasing does; prepend and
  /// replace are reversible by the decoders the families pair them with).
  bool rewrites_text() const noexcept;

  /// Normalizes `text`. Returns the result: either `text` itself or a view of `buffer`.
  std::string_view apply(std::string_view text, std::string& buffer) const;

 private:
  enum class Kind { normal_form, prepend, replace, lowercase };
  struct Step {
    Kind kind;
    unicode::NormalForm form;
    std::string first, second;
  };
  std::vector<Step> steps_;
};

}  // namespace tokenizer
LMC_END_NAMESPACE
