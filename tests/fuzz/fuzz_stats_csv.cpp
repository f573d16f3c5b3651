// libFuzzer target: the study-table CSV parser on arbitrary bytes. It must never crash, hang or
// throw anything but lmc::Error; what it accepts, written back with every field quoted, must
// parse to the same fields; a table it accepts must answer a selection of its first columns
// with pairs or an lmc::Error.
#include <lmc/error.hpp>
#include <lmc/stats/study.hpp>

#include "stats/csv.hpp"

#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>
#include <vector>

namespace {

// RFC 4180 with every field quoted (a quote doubled), records ended by CRLF.
std::string quoted_csv(const std::vector<lmc::stats::detail::CsvRecord>& records) {
  std::string out;
  for (const auto& record : records) {
    for (std::size_t i = 0; i < record.fields.size(); ++i) {
      if (i > 0) out += ',';
      out += '"';
      for (char c : record.fields[i]) {
        if (c == '"') out += '"';
        out += c;
      }
      out += '"';
    }
    out += "\r\n";
  }
  return out;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  try {
    const auto records = lmc::stats::detail::parse_csv_records(text, "fuzz");
    std::size_t previous_line = 0;
    for (const auto& record : records) {
      // Records start on increasing lines, each holds at least one field.
      if (record.line <= previous_line || record.fields.empty()) std::abort();
      previous_line = record.line;
    }
    const auto again = lmc::stats::detail::parse_csv_records(quoted_csv(records), "round trip");
    if (again.size() != records.size()) std::abort();
    for (std::size_t r = 0; r < records.size(); ++r) {
      if (again[r].fields != records[r].fields) std::abort();
    }
  } catch (const lmc::Error&) {
  }
  try {
    const auto table = lmc::stats::StudyTable::parse_csv(text, "fuzz");
    const auto& columns = table.column_names();
    if (columns.size() >= 2) {
      lmc::stats::StudySelection selection;
      selection.x = columns[0];
      selection.y = {columns[1]};
      if (columns.size() >= 3) selection.y.push_back(columns[2]);
      const auto pairs = table.select(selection);
      if (pairs.x.size() != pairs.y.size() || pairs.x.size() != pairs.labels.size() ||
          pairs.x.size() + pairs.skipped.size() != table.row_count()) {
        std::abort();
      }
    }
  } catch (const lmc::Error&) {
  }
  return 0;
}
