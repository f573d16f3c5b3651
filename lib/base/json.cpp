#include "base/json.hpp"

#include "base/fail.hpp"

#include <rapidjson/error/en.h>

LMC_BEGIN_NAMESPACE
namespace base {

rapidjson::Document parse_json(std::string_view text, std::string_view source) {
  rapidjson::Document document;
  constexpr unsigned flags = rapidjson::kParseIterativeFlag | rapidjson::kParseValidateEncodingFlag;
  document.Parse<flags>(text.data(), text.size());
  if (document.HasParseError()) {
    base::fail(ErrorCode::format, "{}: invalid JSON at offset {}: {}", source,
               document.GetErrorOffset(), rapidjson::GetParseError_En(document.GetParseError()));
  }
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
