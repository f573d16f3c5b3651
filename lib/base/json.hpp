// The one door for JSON that lmc reads: every loader (tokenizer.json, tokenizer_config.json,
// config.json, safetensors headers and indexes, BPC result files, JSONL corpus records) parses
// through parse_json, with one set of rules and one set of limits. Writing goes through
// lmc::JsonWriter (<lmc/json.hpp>).
#pragma once

#include <lmc/version.hpp>

#include <rapidjson/document.h>

#include <cstddef>
#include <filesystem>
#include <string>
#include <string_view>

LMC_BEGIN_NAMESPACE
namespace base {

/// Objects and arrays nested deeper than this are refused. Real files nest a few levels
/// (tokenizer.json about 6, config.json 3); the limit keeps every walk over a parsed document
/// (recursive or not) bounded, and the parser itself never recurses.
inline constexpr std::size_t kMaxJsonDepth = 128;

/// Parses `text`: one JSON value, which must be valid UTF-8 (invalid bytes and lone surrogate
/// escapes are errors), nested at most kMaxJsonDepth deep, optionally surrounded by whitespace.
/// Numbers are correctly rounded (converted by std::from_chars, not by rapidjson 1.1, whose
/// conversion of long or tiny numbers is wrong); integers get rapidjson's types (the narrowest
/// of int, unsigned, int64, uint64 that holds them, else double); a number beyond the doubles is
/// an error, one below them reads as 0. The parser is iterative: no input can exhaust the stack. Throws Error(format) "<source>: invalid JSON at offset N: <reason>".
rapidjson::Document parse_json(std::string_view text, std::string_view source);

/// parse_json for input that may be skipped rather than refused (a JSONL record): false and
/// `problem` = "invalid JSON at offset N: <reason>" where parse_json would throw.
bool try_parse_json(std::string_view text, rapidjson::Document& document, std::string& problem);

/// Reads a whole file and parses it (errors name the file). Throws Error(io) when the file cannot
/// be read, Error(format) as parse_json, and Error(format) "<file>: not a JSON object" when
/// the value is not an object.
rapidjson::Document load_json_object(const std::filesystem::path& path);

/// Short name of a JSON value's type, for error messages ("an object", "a string", ...).
std::string_view json_type_name(const rapidjson::Value& value) noexcept;

}  // namespace base
LMC_END_NAMESPACE
