// GPT-2's byte <-> character mapping: byte-level BPE vocabularies spell every byte as a
// printable character (printable Latin-1 bytes as themselves, the others as U+0100 onwards).
#pragma once

#include <lmc/version.hpp>

#include <optional>
#include <string>
#include <string_view>

LMC_BEGIN_NAMESPACE
namespace tokenizer::byte_level {

/// The character that stands for `byte`.
char32_t char_of_byte(unsigned char byte) noexcept;

/// The byte a character stands for, if it is one of the 256 mapped characters.
std::optional<unsigned char> byte_of_char(char32_t c) noexcept;

/// The UTF-8 spelling of `bytes` in the mapped alphabet ("Ġthe" for " the").
std::string encode(std::string_view bytes);

/// The bytes a mapped string stands for, or nullopt when it holds an unmapped character.
std::optional<std::string> decode(std::string_view mapped);

}  // namespace tokenizer::byte_level
LMC_END_NAMESPACE
