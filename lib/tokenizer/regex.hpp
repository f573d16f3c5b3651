// A compiled pre-tokenizer regex (PCRE2 with JIT, UTF + Unicode properties, so \p{L}, \s and
// (?i) follow the Unicode tables). Matching never fails: invalid UTF-8 is never part of a
// match (PCRE2_MATCH_INVALID_UTF), so it ends up in the gaps between matches.
#pragma once

#include <lmc/version.hpp>

#include <cstddef>
#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

LMC_BEGIN_NAMESPACE
namespace tokenizer {

struct Range {
  std::size_t begin, end;
};

class Regex {
 public:
  /// Compiles `pattern`. Throws Error(unsupported) naming `origin` when PCRE2 rejects it.
  Regex(std::string_view pattern, std::string_view origin);
  Regex(Regex&&) noexcept;
  Regex& operator=(Regex&&) noexcept;
  ~Regex();

  /// Appends to `matches` the non-empty, non-overlapping matches in `subject` (offsets
  /// relative to it), leftmost first, as a scan with Rust's/Oniguruma's find_iter does.
  /// Lookarounds see only `subject`.
  void find_all(std::string_view subject, std::vector<Range>& matches) const;

  const std::string& pattern() const noexcept { return pattern_; }

 private:
  struct Compiled;
  std::string pattern_;
  std::unique_ptr<Compiled> compiled_;
};

}  // namespace tokenizer
LMC_END_NAMESPACE
