// Extracting the document text from one JSONL record.
#pragma once

#include <lmc/version.hpp>

#include <string>
#include <string_view>

LMC_BEGIN_NAMESPACE
namespace eval {

/// What is wrong with a record, or nothing.
struct RecordProblem {
  std::string message;  ///< empty when the record is good
  explicit operator bool() const noexcept { return !message.empty(); }
};

/// Parses `line` as a JSON object and stores its string field `field` in `text`. A record is
/// bad when it is not valid JSON, not an object, lacks the field, the field is not a string,
/// or the string is not valid UTF-8 (lone surrogate escapes included).
RecordProblem read_jsonl_record(std::string_view line, const std::string& field, std::string& text);

}  // namespace eval
LMC_END_NAMESPACE
