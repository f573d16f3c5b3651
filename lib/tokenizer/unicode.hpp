// Unicode properties and normalization forms (NFC, NFD, NFKC, NFKD) over UTF-8 strings.
// Invalid UTF-8 bytes pass through every function unchanged (they are never merged with,
// reordered around or decomposed into anything).
#pragma once

#include "tokenizer/unicode_tables.hpp"

#include <string>
#include <string_view>

LMC_BEGIN_NAMESPACE
namespace tokenizer::unicode {

Category category(char32_t code_point) noexcept;
std::uint8_t combining_class(char32_t code_point) noexcept;

inline bool is_letter(char32_t c) noexcept {
  const Category k = category(c);
  return k >= Category::Ll && k <= Category::Lu;
}
inline bool is_mark(char32_t c) noexcept {
  const Category k = category(c);
  return k == Category::Mc || k == Category::Me || k == Category::Mn;
}
inline bool is_number(char32_t c) noexcept {
  const Category k = category(c);
  return k == Category::Nd || k == Category::Nl || k == Category::No;
}
inline bool is_punctuation(char32_t c) noexcept {
  const Category k = category(c);
  return k >= Category::Pc && k <= Category::Ps;
}
/// The White_Space property (what regex \s matches in Unicode mode).
bool is_white_space(char32_t c) noexcept;

enum class NormalForm { nfc, nfd, nfkc, nfkd };

/// `text` in the normal form. Returns false and leaves `out` untouched when `text` is already
/// in that form (the common case, checked without copying); otherwise writes it to `out`.
bool normalize(NormalForm form, std::string_view text, std::string& out);

/// Appends the (full) lowercase of `text` to `out`; invalid bytes are copied.
void append_lowercase(std::string_view text, std::string& out);

}  // namespace tokenizer::unicode
LMC_END_NAMESPACE
