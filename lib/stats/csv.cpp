#include "stats/csv.hpp"

#include "base/fail.hpp"

LMC_BEGIN_NAMESPACE
namespace stats::detail {

std::vector<CsvRecord> parse_csv_records(std::string_view text, std::string_view source) {
  if (text.starts_with("\xEF\xBB\xBF")) text.remove_prefix(3);
  std::vector<CsvRecord> records;
  std::size_t line = 1;
  std::size_t pos = 0;
  while (pos < text.size()) {
    CsvRecord record;
    record.line = line;
    bool record_done = false;
    bool blank_line = true;
    while (!record_done) {
      std::string field;
      if (pos < text.size() && text[pos] == '"') {
        blank_line = false;
        const std::size_t quote_line = line;
        ++pos;
        while (true) {
          if (pos >= text.size()) {
            base::fail(ErrorCode::format, "{}: line {}: quoted field is never closed", source,
                       quote_line);
          }
          const char c = text[pos++];
          if (c == '"') {
            if (pos < text.size() && text[pos] == '"') {
              field += '"';
              ++pos;
            } else {
              break;
            }
          } else {
            if (c == '\n') ++line;
            field += c;
          }
        }
        if (pos < text.size() && text[pos] != ',' && text[pos] != '\n' && text[pos] != '\r') {
          base::fail(ErrorCode::format,
                     "{}: line {}: column {}: unexpected '{}' after a closing quote", source, line,
                     record.fields.size() + 1, text[pos]);
        }
      } else {
        while (pos < text.size() && text[pos] != ',' && text[pos] != '\n' && text[pos] != '\r') {
          field += text[pos++];
        }
        if (!field.empty()) blank_line = false;
      }
      record.fields.push_back(std::move(field));
      if (pos < text.size() && text[pos] == ',') {
        blank_line = false;
        ++pos;
        continue;
      }
      // End of the record: a line end (\n or \r\n) or the end of the text.
      if (pos < text.size() && text[pos] == '\r') ++pos;
      if (pos < text.size() && text[pos] == '\n') ++pos;
      ++line;
      record_done = true;
    }
    if (!blank_line) records.push_back(std::move(record));
  }
  return records;
}

}  // namespace stats::detail
LMC_END_NAMESPACE
