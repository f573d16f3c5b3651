#include "base/json.hpp"

#include "base/fail.hpp"
#include "base/mapped_file.hpp"

#include <rapidjson/error/en.h>

#include <optional>
#include <string>

LMC_BEGIN_NAMESPACE
namespace base {
namespace {

// The byte offset of the first '[' or '{' that opens level kMaxJsonDepth + 1, or npos. A scan
// that only tracks strings: it does not validate (the parser does), it only bounds the nesting
// before the parser sees the text.
std::size_t find_too_deep(std::string_view text) noexcept {
  std::size_t depth = 0;
  bool in_string = false;
  for (std::size_t i = 0; i < text.size(); ++i) {
    const char c = text[i];
    if (in_string) {
      if (c == '\\') {
        ++i;  // the escaped character cannot end the string
      } else if (c == '"') {
        in_string = false;
      }
    } else if (c == '"') {
      in_string = true;
    } else if (c == '[' || c == '{') {
      if (++depth > kMaxJsonDepth) return i;
    } else if ((c == ']' || c == '}') && depth > 0) {
      --depth;
    }
  }
  return std::string_view::npos;
}

// rapidjson's full-precision number parser counts the leading zeros of a zero significand
// (undefined behaviour, found by fuzzing) for a zero written with an exponent or with many
// fraction digits ("0e5", "-0.00E-7", "0.000...0"). Every well-formed zero with a fraction or an
// exponent is rewritten as "0.0" (or "-0.0", the same value and type) padded with spaces:
// whitespace after a number is valid JSON, and offsets stay the same. Malformed numbers are left
// for the parser to report. Returns the rewritten text, or nothing when no number needs it.
std::optional<std::string> rewrite_long_zeros(std::string_view text) {
  std::optional<std::string> out;
  auto digit = [&](std::size_t k) { return k < text.size() && text[k] >= '0' && text[k] <= '9'; };
  bool in_string = false;
  for (std::size_t i = 0; i < text.size(); ++i) {
    const char c = text[i];
    if (in_string) {
      if (c == '\\') {
        ++i;
      } else if (c == '"') {
        in_string = false;
      }
      continue;
    }
    if (c == '"') {
      in_string = true;
      continue;
    }
    if (c != '-' && !digit(i)) continue;
    // A number starts here: [-] int [. digits] [e [+-] digits].
    std::size_t j = i + (c == '-' ? 1 : 0);
    const std::size_t int_begin = j;
    while (digit(j)) ++j;
    bool zero = j == int_begin + 1 && text[int_begin] == '0';
    bool well_formed = j > int_begin, tail = false;
    if (j < text.size() && text[j] == '.') {
      const std::size_t fraction = ++j;
      for (; digit(j); ++j) {
        if (text[j] != '0') zero = false;
      }
      well_formed = well_formed && j > fraction;
      tail = true;
    }
    if (j < text.size() && (text[j] == 'e' || text[j] == 'E')) {
      ++j;
      if (j < text.size() && (text[j] == '+' || text[j] == '-')) ++j;
      const std::size_t exponent = j;
      while (digit(j)) ++j;
      well_formed = well_formed && j > exponent;
      tail = true;
    }
    const std::string_view replacement = c == '-' ? "-0.0" : "0.0";
    if (zero && well_formed && tail && j - i > replacement.size()) {
      if (!out) out.emplace(text);
      out->replace(i, replacement.size(), replacement);
      for (std::size_t k = i + replacement.size(); k < j; ++k) (*out)[k] = ' ';
    }
    i = j - 1;
  }
  return out;
}

}  // namespace

bool try_parse_json(std::string_view text, rapidjson::Document& document, std::string& problem) {
  if (const std::size_t at = find_too_deep(text); at != std::string_view::npos) {
    problem =
        fmt::format("invalid JSON at offset {}: nested deeper than {} levels", at, kMaxJsonDepth);
    return false;
  }
  constexpr unsigned flags = rapidjson::kParseIterativeFlag |
                             rapidjson::kParseValidateEncodingFlag |
                             rapidjson::kParseFullPrecisionFlag;
  const std::optional<std::string> rewritten = rewrite_long_zeros(text);
  const std::string_view parsed = rewritten ? std::string_view(*rewritten) : text;
  document.Parse<flags>(parsed.data(), parsed.size());
  if (document.HasParseError()) {
    problem = fmt::format("invalid JSON at offset {}: {}", document.GetErrorOffset(),
                          rapidjson::GetParseError_En(document.GetParseError()));
    return false;
  }
  return true;
}

rapidjson::Document parse_json(std::string_view text, std::string_view source) {
  rapidjson::Document document;
  std::string problem;
  if (!try_parse_json(text, document, problem)) fail(ErrorCode::format, "{}: {}", source, problem);
  return document;
}

rapidjson::Document load_json_object(const std::filesystem::path& path) {
  const MappedFile file = MappedFile::open(path);
  const auto bytes = file.bytes();
  rapidjson::Document document = parse_json(
      std::string_view(reinterpret_cast<const char*>(bytes.data()), bytes.size()), path.string());
  if (!document.IsObject()) fail(ErrorCode::format, "{}: not a JSON object", path.string());
  return document;
}

std::string_view json_type_name(const rapidjson::Value& value) noexcept {
  switch (value.GetType()) {
    case rapidjson::kNullType: return "null";
    case rapidjson::kFalseType:
    case rapidjson::kTrueType: return "a boolean";
    case rapidjson::kObjectType: return "an object";
    case rapidjson::kArrayType: return "an array";
    case rapidjson::kStringType: return "a string";
    case rapidjson::kNumberType: return "a number";
  }
  return "unknown";
}

}  // namespace base
LMC_END_NAMESPACE
