// Internal: parsing JSON text with RapidJSON into a document, with errors as lmc::Error.
#pragma once

#include <lmc/version.hpp>

#include <rapidjson/document.h>

#include <string_view>

LMC_BEGIN_NAMESPACE
namespace base {

/// Parses `text` (which must be valid UTF-8 JSON; trailing whitespace allowed). The parser is
/// iterative, so deeply nested input cannot exhaust the stack. Throws Error(format)
/// "<source>: invalid JSON at offset N: <reason>".
rapidjson::Document parse_json(std::string_view text, std::string_view source);

/// Short name of a JSON value's type, for error messages ("object", "string", ...).
std::string_view json_type_name(const rapidjson::Value& value) noexcept;

}  // namespace base
LMC_END_NAMESPACE
