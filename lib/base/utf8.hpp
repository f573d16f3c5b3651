// UTF-8 validation, decoding and code-point counting (RFC 3629: no surrogates, no overlong
// forms, nothing above U+10FFFF).
#pragma once

#include <lmc/version.hpp>

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

LMC_BEGIN_NAMESPACE
namespace base::utf8 {

/// Length in bytes of the valid sequence starting at text[pos], or 0 if it is invalid there.
std::size_t sequence_length(std::string_view text, std::size_t pos) noexcept;

/// Byte offset of the first invalid sequence, or nullopt when all of `text` is valid UTF-8.
std::optional<std::size_t> find_invalid(std::string_view text) noexcept;

inline bool is_valid(std::string_view text) noexcept { return !find_invalid(text).has_value(); }

/// Number of code points, as Python's len(str) counts them. Each byte of an invalid sequence
/// counts as one (what a decoder with replacement would produce per byte).
std::size_t count_code_points(std::string_view text) noexcept;

/// Decodes the sequence at text[pos] and advances pos past it. An invalid byte yields
/// U+FFFD and advances by one.
char32_t decode(std::string_view text, std::size_t& pos) noexcept;

/// Appends the UTF-8 encoding of `code_point` (which must be a valid scalar value).
void append(std::string& out, char32_t code_point);

}  // namespace base::utf8
LMC_END_NAMESPACE
