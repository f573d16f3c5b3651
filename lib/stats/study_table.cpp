#include <lmc/stats/study.hpp>

#include "base/fail.hpp"
#include "stats/csv.hpp"

#include <algorithm>
#include <array>
#include <charconv>
#include <cmath>
#include <fstream>
#include <map>
#include <optional>
#include <set>
#include <sstream>

LMC_BEGIN_NAMESPACE
namespace stats {

struct StudyTable::Impl {
  std::string source;
  std::vector<std::string> columns;
  std::vector<detail::CsvRecord> rows;

  std::size_t column_index(std::string_view name, std::string_view role) const {
    auto it = std::find(columns.begin(), columns.end(), name);
    if (it == columns.end()) {
      std::string known;
      for (const std::string& column : columns) known += (known.empty() ? "" : ", ") + column;
      base::fail(ErrorCode::invalid_argument, "{}: line 1: no {} column named '{}' (columns: {})",
                 source, role, name, known);
    }
    return static_cast<std::size_t>(it - columns.begin());
  }

  // The number in a cell, or nothing when the cell is missing; a cell that is neither is an
  // error naming its line and column.
  std::optional<double> number(std::size_t row, std::size_t column) const {
    std::string_view text = rows[row].fields[column];
    while (!text.empty() && (text.front() == ' ' || text.front() == '\t')) text.remove_prefix(1);
    while (!text.empty() && (text.back() == ' ' || text.back() == '\t')) text.remove_suffix(1);
    static constexpr std::array<std::string_view, 6> missing = {"",    "na",   "n/a",
                                                                "nan", "null", "-"};
    std::string lower(text);
    std::transform(lower.begin(), lower.end(), lower.begin(),
                   [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
    if (std::find(missing.begin(), missing.end(), lower) != missing.end()) return std::nullopt;
    std::string_view digits = text.starts_with('+') ? text.substr(1) : text;
    double value = 0;
    auto [end, error] = std::from_chars(digits.data(), digits.data() + digits.size(), value);
    if (error != std::errc() || end != digits.data() + digits.size() || digits.empty()) {
      base::fail(ErrorCode::format, "{}: line {}: column {} ('{}'): '{}' is not a number", source,
                 rows[row].line, column + 1, columns[column], text);
    }
    if (!std::isfinite(value)) {
      base::fail(ErrorCode::format, "{}: line {}: column {} ('{}'): '{}' is not a finite number",
                 source, rows[row].line, column + 1, columns[column], text);
    }
    return value;
  }
};

StudyTable::StudyTable(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
StudyTable::StudyTable(StudyTable&&) noexcept = default;
StudyTable& StudyTable::operator=(StudyTable&&) noexcept = default;
StudyTable::~StudyTable() = default;

StudyTable StudyTable::read_csv(const std::string& path) {
  std::ifstream file(path, std::ios::binary);
  if (!file) base::fail(ErrorCode::io, "{}: cannot open the file for reading", path);
  std::ostringstream text;
  text << file.rdbuf();
  if (file.bad()) base::fail(ErrorCode::io, "{}: read error", path);
  return parse_csv(text.str(), path);
}

StudyTable StudyTable::parse_csv(std::string_view text, std::string_view source_name) {
  auto impl = std::make_unique<Impl>();
  impl->source = source_name;
  std::vector<detail::CsvRecord> records = detail::parse_csv_records(text, source_name);
  if (records.empty()) base::fail(ErrorCode::format, "{}: the file has no header row", source_name);
  impl->columns = std::move(records.front().fields);
  const std::size_t header_line = records.front().line;
  std::set<std::string> seen;
  for (std::size_t c = 0; c < impl->columns.size(); ++c) {
    if (impl->columns[c].empty()) {
      base::fail(ErrorCode::format, "{}: line {}: column {}: the header names no column",
                 source_name, header_line, c + 1);
    }
    if (!seen.insert(impl->columns[c]).second) {
      base::fail(ErrorCode::format, "{}: line {}: column {}: column name '{}' appears twice",
                 source_name, header_line, c + 1, impl->columns[c]);
    }
  }
  for (std::size_t r = 1; r < records.size(); ++r) {
    if (records[r].fields.size() != impl->columns.size()) {
      base::fail(ErrorCode::format, "{}: line {}: {} fields, but the header has {} columns",
                 source_name, records[r].line, records[r].fields.size(), impl->columns.size());
    }
    impl->rows.push_back(std::move(records[r]));
  }
  return StudyTable(std::move(impl));
}

const std::vector<std::string>& StudyTable::column_names() const { return impl_->columns; }

std::size_t StudyTable::row_count() const { return impl_->rows.size(); }

const std::string& StudyTable::cell(std::size_t row, std::size_t column) const {
  if (row >= impl_->rows.size() || column >= impl_->columns.size()) {
    base::fail(ErrorCode::out_of_range, "{}: no cell at row {}, column {} (the table is {} by {})",
               impl_->source, row, column, impl_->rows.size(), impl_->columns.size());
  }
  return impl_->rows[row].fields[column];
}

namespace {

// "name" for one column, "mean(a, b, ...)" for several.
std::string mean_name(const std::vector<std::string>& columns) {
  if (columns.size() == 1) return columns.front();
  std::string name = "mean(";
  for (std::size_t i = 0; i < columns.size(); ++i) name += (i ? ", " : "") + columns[i];
  return name + ")";
}

}  // namespace

StudyData StudyTable::select(const StudySelection& selection) const {
  const Impl& table = *impl_;
  if (selection.y.empty()) {
    base::fail(ErrorCode::invalid_argument, "{}: no y column selected", table.source);
  }
  if (selection.x.empty() == selection.x_mean.empty()) {
    base::fail(ErrorCode::invalid_argument,
               "{}: select either one x column or several to average (x_mean), not {}",
               table.source, selection.x.empty() ? "neither" : "both");
  }
  const std::size_t label_column =
      selection.label.empty() ? 0 : table.column_index(selection.label, "label");
  const std::vector<std::string> x_names =
      selection.x_mean.empty() ? std::vector<std::string>{selection.x} : selection.x_mean;
  std::vector<std::size_t> x_columns;
  for (const std::string& name : x_names) x_columns.push_back(table.column_index(name, "x"));
  std::vector<std::size_t> y_columns;
  for (const std::string& name : selection.y) y_columns.push_back(table.column_index(name, "y"));

  // Rows by label, for `rows` and `exclude`.
  std::map<std::string, std::size_t> by_label;
  std::set<std::string> ambiguous;
  for (std::size_t r = 0; r < table.rows.size(); ++r) {
    if (!by_label.emplace(table.rows[r].fields[label_column], r).second) {
      ambiguous.insert(table.rows[r].fields[label_column]);
    }
  }
  auto find_row = [&](const std::string& name) {
    auto it = by_label.find(name);
    if (it == by_label.end()) {
      base::fail(ErrorCode::invalid_argument, "{}: no row labelled '{}' in column '{}'",
                 table.source, name, table.columns[label_column]);
    }
    if (ambiguous.contains(name)) {
      base::fail(ErrorCode::invalid_argument,
                 "{}: more than one row is labelled '{}' in column '{}'", table.source, name,
                 table.columns[label_column]);
    }
    return it->second;
  };

  // The rows to use, in table order.
  std::set<std::size_t> wanted;
  if (selection.rows.empty()) {
    for (std::size_t r = 0; r < table.rows.size(); ++r) wanted.insert(r);
  } else {
    for (const std::string& name : selection.rows) wanted.insert(find_row(name));
  }
  for (const std::string& name : selection.exclude) wanted.erase(find_row(name));
  const std::vector<std::size_t> chosen(wanted.begin(), wanted.end());

  StudyData data;
  data.x_name = mean_name(x_names);
  data.y_name = mean_name(selection.y);
  for (std::size_t r : chosen) {
    const std::string& label = table.rows[r].fields[label_column];
    auto skip = [&](const char* role, std::size_t column) {
      data.skipped.push_back(fmt::format("{} (line {}): {} column '{}' is missing", label,
                                         table.rows[r].line, role, table.columns[column]));
    };
    // The mean of some columns of this row, or the first of them that is missing. Every used
    // cell is parsed, so that a bad cell is reported even in a row that is skipped.
    auto mean = [&](const std::vector<std::size_t>& columns, std::optional<std::size_t>& missing) {
      double sum = 0;
      for (std::size_t column : columns) {
        std::optional<double> value = table.number(r, column);
        if (value) {
          sum += *value;
        } else if (!missing) {
          missing = column;
        }
      }
      return sum / static_cast<double>(columns.size());
    };
    std::optional<std::size_t> x_missing;
    std::optional<std::size_t> y_missing;
    const double x = mean(x_columns, x_missing);
    const double y = mean(y_columns, y_missing);
    if (x_missing) {
      skip("x", *x_missing);
      continue;
    }
    if (y_missing) {
      skip("y", *y_missing);
      continue;
    }
    data.labels.push_back(label);
    data.x.push_back(x);
    data.y.push_back(y);
  }
  return data;
}

}  // namespace stats
LMC_END_NAMESPACE
