// RFC 4180 CSV parsing for study tables: records of fields with the line each record starts
// on, so that errors can point at the line.
#pragma once

#include <lmc/version.hpp>

#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

LMC_BEGIN_NAMESPACE
namespace stats::detail {

struct CsvRecord {
  std::size_t line = 0;  ///< 1-based line on which the record starts
  std::vector<std::string> fields;
};

/// Splits `text` into records. Fields are comma separated; a field that starts with '"' is
/// quoted ("" inside stands for one quote, commas and line breaks are literal). Line ends may be
/// \n or \r\n; a UTF-8 byte order mark is skipped; lines that are entirely empty are ignored.
/// Throws lmc::Error (format) naming `source` and the line for an unterminated quote or text
/// after a closing quote.
std::vector<CsvRecord> parse_csv_records(std::string_view text, std::string_view source);

}  // namespace stats::detail
LMC_END_NAMESPACE
