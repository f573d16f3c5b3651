// Study tables: a CSV of models (one row each) with numeric columns such as BPC per corpus and
// benchmark scores; pick x and y (or an average of several y columns), optionally a subset of
// rows, and analyse the relation with every statistic lmc offers.
#pragma once

#include <lmc/export.hpp>
#include <lmc/stats/correlation.hpp>
#include <lmc/stats/regression.hpp>
#include <lmc/stats/resampling.hpp>
#include <lmc/version.hpp>

#include <cstddef>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

LMC_BEGIN_NAMESPACE
namespace stats {

/// Which pairs to take out of a StudyTable.
struct StudySelection {
  std::string x{};                  ///< name of the x column (e.g. a BPC column)
  std::vector<std::string> y{};     ///< one y column, or several whose row-wise mean is y
  std::string label{};              ///< column naming each row (model); empty: the first column
  std::vector<std::string> rows{};  ///< labels of the rows to keep, in any order; empty: all rows
  /// Labels of rows to leave out (after `rows` is applied), e.g. the models a published fit
  /// excludes. Every label must name a row: a typo is an error, not a silent no-op.
  std::vector<std::string> exclude{};
  /// Several x columns whose row-wise mean is x (e.g. the BPC of three corpora), instead of
  /// `x`; give one or the other. A row with any of them missing is skipped.
  std::vector<std::string> x_mean{};
};

/// The pairs a selection yields, in table order.
struct StudyData {
  std::string x_name{};               ///< the x column's name, or "mean(a, b, ...)" for an average
  std::string y_name{};               ///< the y column's name, or "mean(a, b, ...)" for an average
  std::vector<std::string> labels{};  ///< row labels of the pairs kept
  std::vector<double> x{};
  std::vector<double> y{};
  /// One line per selected row left out because a cell it needs is missing (empty, "NA",
  /// "N/A", "NaN", "null" or "-"), e.g. "gpt-x (line 7): y column 'mmlu' is missing".
  std::vector<std::string> skipped{};
};

/// A CSV file held in memory: RFC 4180 (comma separated, fields may be double-quoted, "" is a
/// quote inside a quoted field, quoted fields may span lines), a header row of unique column
/// names, then one row per model with as many fields as the header. Cells are parsed as
/// numbers only when a selection uses their column.
class LMC_EXPORT StudyTable {
 public:
  /// Reads and parses a CSV file. Throws lmc::Error: io when it cannot be read, format when it
  /// is malformed (ragged row, unterminated quote, empty or duplicate header name), naming the
  /// file and line.
  static StudyTable read_csv(const std::string& path);
  /// Parses CSV text; `source` stands for the file name in error messages.
  static StudyTable parse_csv(std::string_view text, std::string_view source);

  StudyTable(StudyTable&&) noexcept;
  StudyTable& operator=(StudyTable&&) noexcept;
  ~StudyTable();

  const std::vector<std::string>& column_names() const;
  std::size_t row_count() const;
  /// The cell's text, unquoted. Throws lmc::Error (out_of_range) outside the table.
  const std::string& cell(std::size_t row, std::size_t column) const;

  /// The pairs of a selection. Throws lmc::Error naming the file: invalid_argument for an
  /// unknown column or row label (in `rows` or `exclude`), a duplicate label among selected
  /// rows, an empty y list, or neither or both of `x` and `x_mean`;
  /// format for a non-numeric or infinite cell in a used column (with its line, column number
  /// and column name).
  StudyData select(const StudySelection& selection) const;

 private:
  struct Impl;
  explicit StudyTable(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_{};
};

struct AnalysisOptions {
  Alternative alternative = Alternative::two_sided;
  double confidence_level = 0.95;  ///< of the Pearson and bootstrap intervals
  /// Also run the permutation test and the bootstrap (resamples 0 leaves them out).
  ResamplingOptions resampling{.resamples = 0, .seed = 1, .confidence_level = 0.95};
};

/// Everything lmc computes about one x/y relation.
struct Analysis {
  std::size_t n = 0;
  PearsonResult pearson{};
  SpearmanResult spearman{};
  KendallResult kendall{};
  LinearFit fit{};
  LeaveOneOut leave_one_out{};                     ///< empty (mae = NaN) when n < 4
  std::optional<PermutationResult> permutation{};  ///< when options.resampling.resamples > 0
  std::optional<BootstrapResult> bootstrap{};      ///< when options.resampling.resamples > 0
};

/// Runs every statistic on the pairs. Throws lmc::Error as pearson() does.
LMC_EXPORT Analysis analyze(std::span<const double> x, std::span<const double> y,
                            const AnalysisOptions& options = {});

/// One JSON object: {"n", "alternative", "pearson": {"r", "p", "ci_low", "ci_high",
/// "confidence_level"}, "spearman": {"rho", "p"}, "kendall": {"tau", "p", "method"}, "fit":
/// {"slope", "intercept", "r2", "rmse", "rmse_n2", "slope_stderr", "intercept_stderr", "p"},
/// "loo_mae" (null when n < 4), and when resampling ran "permutation" {"p", "exact",
/// "permutations"} and "bootstrap" {"r_low", "r_high", "slope_low", "slope_high",
/// "confidence_level", "resamples"}}. When `data` is given the object also has "x", "y" (column
/// names), "labels", "x_values", "y_values" and "skipped". Numbers are written in the shortest
/// form that reads back to the same double; undefined figures are null.
LMC_EXPORT std::string to_json(const Analysis& analysis, const StudyData* data = nullptr);

}  // namespace stats
LMC_END_NAMESPACE
