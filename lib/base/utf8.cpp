#include "base/utf8.hpp"

#include <lmc/utf8.hpp>

#include "base/fail.hpp"

LMC_BEGIN_NAMESPACE
namespace base::utf8 {

std::size_t sequence_length(std::string_view text, std::size_t pos) noexcept {
  const auto* s = reinterpret_cast<const unsigned char*>(text.data());
  const std::size_t n = text.size();
  if (pos >= n) return 0;
  const unsigned char b0 = s[pos];
  if (b0 < 0x80) return 1;
  auto continuation = [&](std::size_t i) { return pos + i < n && (s[pos + i] & 0xC0) == 0x80; };
  if (b0 >= 0xC2 && b0 <= 0xDF) return continuation(1) ? 2 : 0;
  if (b0 >= 0xE0 && b0 <= 0xEF) {
    if (!continuation(1) || !continuation(2)) return 0;
    const unsigned char b1 = s[pos + 1];
    if (b0 == 0xE0 && b1 < 0xA0) return 0;   // overlong
    if (b0 == 0xED && b1 >= 0xA0) return 0;  // surrogate
    return 3;
  }
  if (b0 >= 0xF0 && b0 <= 0xF4) {
    if (!continuation(1) || !continuation(2) || !continuation(3)) return 0;
    const unsigned char b1 = s[pos + 1];
    if (b0 == 0xF0 && b1 < 0x90) return 0;   // overlong
    if (b0 == 0xF4 && b1 >= 0x90) return 0;  // above U+10FFFF
    return 4;
  }
  return 0;
}

std::optional<std::size_t> find_invalid(std::string_view text) noexcept {
  std::size_t pos = 0;
  while (pos < text.size()) {
    // ASCII fast path: most text is mostly ASCII.
    if (static_cast<unsigned char>(text[pos]) < 0x80) {
      ++pos;
      continue;
    }
    const std::size_t length = sequence_length(text, pos);
    if (length == 0) return pos;
    pos += length;
  }
  return std::nullopt;
}

std::size_t count_code_points(std::string_view text) noexcept {
  std::size_t count = 0;
  std::size_t pos = 0;
  while (pos < text.size()) {
    const std::size_t length = sequence_length(text, pos);
    pos += length == 0 ? 1 : length;
    ++count;
  }
  return count;
}

char32_t decode(std::string_view text, std::size_t& pos) noexcept {
  const std::size_t length = sequence_length(text, pos);
  const auto* s = reinterpret_cast<const unsigned char*>(text.data()) + pos;
  switch (length) {
    case 1: pos += 1; return s[0];
    case 2: pos += 2; return (char32_t(s[0] & 0x1F) << 6) | (s[1] & 0x3F);
    case 3:
      pos += 3;
      return (char32_t(s[0] & 0x0F) << 12) | (char32_t(s[1] & 0x3F) << 6) | (s[2] & 0x3F);
    case 4:
      pos += 4;
      return (char32_t(s[0] & 0x07) << 18) | (char32_t(s[1] & 0x3F) << 12) |
             (char32_t(s[2] & 0x3F) << 6) | (s[3] & 0x3F);
    default: pos += 1; return 0xFFFD;
  }
}

void append(std::string& out, char32_t cp) {
  if (cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF)) {
    fail(ErrorCode::invalid_argument, "utf8::append: U+{:X} is not a Unicode scalar value",
         static_cast<std::uint32_t>(cp));
  }
  if (cp < 0x80) {
    out.push_back(static_cast<char>(cp));
  } else if (cp < 0x800) {
    out.push_back(static_cast<char>(0xC0 | (cp >> 6)));
    out.push_back(static_cast<char>(0x80 | (cp & 0x3F)));
  } else if (cp < 0x10000) {
    out.push_back(static_cast<char>(0xE0 | (cp >> 12)));
    out.push_back(static_cast<char>(0x80 | ((cp >> 6) & 0x3F)));
    out.push_back(static_cast<char>(0x80 | (cp & 0x3F)));
  } else {
    out.push_back(static_cast<char>(0xF0 | (cp >> 18)));
    out.push_back(static_cast<char>(0x80 | ((cp >> 12) & 0x3F)));
    out.push_back(static_cast<char>(0x80 | ((cp >> 6) & 0x3F)));
    out.push_back(static_cast<char>(0x80 | (cp & 0x3F)));
  }
}

}  // namespace base::utf8

bool is_valid_utf8(std::string_view text) noexcept { return base::utf8::is_valid(text); }

std::optional<std::size_t> find_invalid_utf8(std::string_view text) noexcept {
  return base::utf8::find_invalid(text);
}

std::uint64_t count_characters(std::string_view text) noexcept {
  return base::utf8::count_code_points(text);
}

std::uint64_t count_characters(std::span<const std::byte> data) noexcept {
  return count_characters(
      std::string_view(reinterpret_cast<const char*>(data.data()), data.size()));
}

LMC_END_NAMESPACE
