#include "base/json.hpp"

#include "base/fail.hpp"
#include "base/mapped_file.hpp"

#include <rapidjson/error/en.h>

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
  document.Parse<flags>(text.data(), text.size());
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
