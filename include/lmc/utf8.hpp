// UTF-8 as lmc reads it (RFC 3629: no surrogates, no overlong forms, nothing above U+10FFFF), and
// characters as bits per character counts them.
#pragma once

#include <lmc/export.hpp>
#include <lmc/version.hpp>

#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>
#include <string_view>

LMC_BEGIN_NAMESPACE

/// True when all of `text` is valid UTF-8.
LMC_EXPORT bool is_valid_utf8(std::string_view text) noexcept;

/// Byte offset of the first invalid sequence in `text`, or nullopt when it is all valid UTF-8.
LMC_EXPORT std::optional<std::size_t> find_invalid_utf8(std::string_view text) noexcept;

/// Characters of `text` as bits per character counts them: Unicode code points of its UTF-8
/// (as Python's len(str)), each byte of an invalid sequence counting as one.
LMC_EXPORT std::uint64_t count_characters(std::string_view text) noexcept;
/// The same for bytes.
LMC_EXPORT std::uint64_t count_characters(std::span<const std::byte> data) noexcept;

LMC_END_NAMESPACE
