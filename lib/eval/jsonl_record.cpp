#include "eval/jsonl_record.hpp"

#include "base/json.hpp"
#include "base/utf8.hpp"

#include <fmt/format.h>

LMC_BEGIN_NAMESPACE
namespace eval {

RecordProblem read_jsonl_record(std::string_view line, const std::string& field,
                                std::string& text) {
  // The door validates the raw line's UTF-8; escapes are checked again below on the decoded
  // string.
  rapidjson::Document record;
  if (std::string problem; !base::try_parse_json(line, record, problem)) return {problem};
  if (!record.IsObject()) return {"the record is not a JSON object"};
  // Iterators of a const value: comparing them is unambiguous in C++20 (clang warns otherwise).
  const rapidjson::Value& object = record;
  const auto member = object.FindMember(rapidjson::StringRef(field.data(), field.size()));
  if (member == object.MemberEnd()) return {fmt::format("no field \"{}\"", field)};
  if (!member->value.IsString()) return {fmt::format("field \"{}\" is not a string", field)};
  text.assign(member->value.GetString(), member->value.GetStringLength());
  if (auto bad = base::utf8::find_invalid(text)) {
    return {fmt::format("field \"{}\" is not valid UTF-8 (byte {} of the text)", field, *bad)};
  }
  return {};
}

}  // namespace eval
LMC_END_NAMESPACE
