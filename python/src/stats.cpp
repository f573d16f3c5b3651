// lmc.stats: correlation, regression, resampling, study tables and plots, over any sequence or
// NumPy array, with the figures of lmc::stats (and of lmc-correlate --json).
#include "common.hpp"

#include <optional>

namespace lmcpy {

namespace {

namespace st = lmc::stats;

st::Alternative parse_alternative(const std::string& text) {
  if (text == "two-sided" || text == "two_sided") return st::Alternative::two_sided;
  if (text == "less") return st::Alternative::less;
  if (text == "greater") return st::Alternative::greater;
  fail(lmc::ErrorCode::invalid_argument,
       "alternative must be \"two-sided\", \"less\" or \"greater\", not \"" + text + "\"");
}

std::string alternative_name(st::Alternative alternative) {
  switch (alternative) {
    case st::Alternative::two_sided: return "two-sided";
    case st::Alternative::less: return "less";
    case st::Alternative::greater: return "greater";
  }
  return "two-sided";
}

st::KendallMethod parse_method(const std::string& text) {
  if (text == "auto" || text == "automatic") return st::KendallMethod::automatic;
  if (text == "exact") return st::KendallMethod::exact;
  if (text == "asymptotic") return st::KendallMethod::asymptotic;
  fail(lmc::ErrorCode::invalid_argument,
       "method must be \"auto\", \"exact\" or \"asymptotic\", not \"" + text + "\"");
}

std::string method_name(st::KendallMethod method) {
  switch (method) {
    case st::KendallMethod::automatic: return "auto";
    case st::KendallMethod::exact: return "exact";
    case st::KendallMethod::asymptotic: return "asymptotic";
  }
  return "auto";
}

py::array_t<double> array_of(const std::vector<double>& values) {
  return to_numpy(std::vector<double>(values));
}

}  // namespace

void bind_stats(py::module_& m) {
  {
    Record<st::PearsonResult> r(m, "PearsonResult",
                                "Pearson's r (scipy.stats.pearsonr) with its p-value and "
                                "Fisher-z confidence interval.");
    r.field("r", &st::PearsonResult::r, "the correlation coefficient")
        .field("pvalue", &st::PearsonResult::pvalue, "p-value of the t test, n-2 dof")
        .field("ci_low", &st::PearsonResult::ci_low, "confidence interval, low end")
        .field("ci_high", &st::PearsonResult::ci_high, "confidence interval, high end")
        .field("confidence_level", &st::PearsonResult::confidence_level, "of the interval")
        .property(
            "alternative",
            [](const st::PearsonResult& x) { return alternative_name(x.alternative); },
            "the alternative hypothesis")
        .field("n", &st::PearsonResult::n, "number of pairs");
  }
  {
    Record<st::SpearmanResult> r(m, "SpearmanResult",
                                 "Spearman's rank correlation (scipy.stats.spearmanr).");
    r.field("rho", &st::SpearmanResult::rho, "the rank correlation")
        .field("pvalue", &st::SpearmanResult::pvalue, "p-value, t with n-2 dof")
        .property(
            "alternative",
            [](const st::SpearmanResult& x) { return alternative_name(x.alternative); },
            "the alternative hypothesis")
        .field("n", &st::SpearmanResult::n, "number of pairs");
  }
  {
    Record<st::KendallResult> r(m, "KendallResult", "Kendall's tau-b (scipy.stats.kendalltau).");
    r.field("tau", &st::KendallResult::tau, "tau-b")
        .field("pvalue", &st::KendallResult::pvalue, "p-value of tau = 0")
        .property(
            "method", [](const st::KendallResult& x) { return method_name(x.method); },
            "the method used: \"exact\" or \"asymptotic\"")
        .property(
            "alternative",
            [](const st::KendallResult& x) { return alternative_name(x.alternative); },
            "the alternative hypothesis")
        .field("n", &st::KendallResult::n, "number of pairs");
  }
  {
    Record<st::LinearFit> r(m, "LinearFit",
                            "Least-squares line y = intercept + slope * x "
                            "(scipy.stats.linregress's fields, plus RMSE).");
    r.field("slope", &st::LinearFit::slope, "slope")
        .field("intercept", &st::LinearFit::intercept, "intercept")
        .field("slope_stderr", &st::LinearFit::slope_stderr, "standard error of the slope")
        .field("intercept_stderr", &st::LinearFit::intercept_stderr,
               "standard error of the intercept")
        .field("r", &st::LinearFit::r, "Pearson's r")
        .field("r2", &st::LinearFit::r2, "coefficient of determination")
        .field("pvalue", &st::LinearFit::pvalue, "two-sided p-value of slope = 0")
        .field("rmse", &st::LinearFit::rmse, "root mean square of the residuals (dividing by n)")
        .field("residual_stderr", &st::LinearFit::residual_stderr,
               "sqrt(sum of squared residuals / (n-2))")
        .field("n", &st::LinearFit::n, "number of pairs")
        .field("x_mean", &st::LinearFit::x_mean, "mean of x")
        .field("x_sum_of_squares", &st::LinearFit::x_sum_of_squares, "sum of (x - mean)^2")
        .property(
            "residuals", [](const st::LinearFit& x) { return array_of(x.residuals); },
            "y - fitted, in input order (float64 array)");
  }
  {
    Record<st::Prediction> r(m, "Prediction", "The fitted value at a new x (predict).");
    r.field("x", &st::Prediction::x, "the x")
        .field("y", &st::Prediction::y, "intercept + slope * x")
        .field("prediction_low", &st::Prediction::prediction_low,
               "interval for a new observation, low end")
        .field("prediction_high", &st::Prediction::prediction_high, "... high end")
        .field("mean_low", &st::Prediction::mean_low, "interval for the mean of y, low end")
        .field("mean_high", &st::Prediction::mean_high, "... high end")
        .field("confidence_level", &st::Prediction::confidence_level, "of both intervals");
  }
  {
    Record<st::LeaveOneOut> r(m, "LeaveOneOut",
                              "Each point's y predicted by a line fitted to all the others.");
    r.property(
         "predicted", [](const st::LeaveOneOut& x) { return array_of(x.predicted); },
         "predictions, in input order")
        .property(
            "errors", [](const st::LeaveOneOut& x) { return array_of(x.errors); },
            "predicted - observed, in input order")
        .field("mae", &st::LeaveOneOut::mae, "mean absolute error")
        .field("rmse", &st::LeaveOneOut::rmse, "root mean square error");
  }
  {
    Record<st::PermutationResult> r(m, "PermutationResult",
                                    "Permutation test of Pearson's r (y shuffled against x).");
    r.field("r", &st::PermutationResult::r, "observed r")
        .field("pvalue", &st::PermutationResult::pvalue, "permutation p-value")
        .field("exact", &st::PermutationResult::exact, "whether all n! were enumerated")
        .field("permutations", &st::PermutationResult::permutations, "arrangements evaluated")
        .property(
            "alternative",
            [](const st::PermutationResult& x) { return alternative_name(x.alternative); },
            "the alternative hypothesis");
  }
  {
    Record<st::BootstrapResult> r(m, "BootstrapResult",
                                  "Bootstrap percentile intervals for r and the slope.");
    r.field("r_low", &st::BootstrapResult::r_low, "interval for r, low end")
        .field("r_high", &st::BootstrapResult::r_high, "... high end")
        .field("slope_low", &st::BootstrapResult::slope_low, "interval for the slope, low end")
        .field("slope_high", &st::BootstrapResult::slope_high, "... high end")
        .field("confidence_level", &st::BootstrapResult::confidence_level, "of the intervals")
        .field("resamples", &st::BootstrapResult::resamples, "samples used")
        .field("degenerate", &st::BootstrapResult::degenerate,
               "samples drawn but not used (constant x or y)");
  }
  {
    Record<st::StudyData> r(m, "StudyData", "The pairs a selection of a StudyTable yields.");
    r.field("x_name", &st::StudyData::x_name, "the x column, or \"mean(a, b, ...)\"")
        .field("y_name", &st::StudyData::y_name, "the y column, or \"mean(a, b, ...)\"")
        .field("labels", &st::StudyData::labels, "row labels of the pairs kept")
        .property(
            "x", [](const st::StudyData& d) { return array_of(d.x); }, "x values (float64)")
        .property(
            "y", [](const st::StudyData& d) { return array_of(d.y); }, "y values (float64)")
        .field("skipped", &st::StudyData::skipped, "one line per row left out, with the reason");
  }
  {
    Record<st::Analysis> r(m, "Analysis", "Everything lmc computes about one x/y relation.");
    r.field("n", &st::Analysis::n, "number of pairs")
        .field("pearson", &st::Analysis::pearson, "PearsonResult")
        .field("spearman", &st::Analysis::spearman, "SpearmanResult")
        .field("kendall", &st::Analysis::kendall, "KendallResult")
        .field("fit", &st::Analysis::fit, "LinearFit")
        .field("leave_one_out", &st::Analysis::leave_one_out, "LeaveOneOut (mae NaN when n < 4)")
        .field("permutation", &st::Analysis::permutation, "PermutationResult or None")
        .field("bootstrap", &st::Analysis::bootstrap, "BootstrapResult or None");
    r.cls().def(
        "to_json",
        [](const st::Analysis& self, const st::StudyData* data) { return st::to_json(self, data); },
        py::arg("data") = py::none(),
        "One JSON object, as lmc-correlate --json writes it (with `data`: also the columns, "
        "labels and values).");
  }

  py::class_<st::StudyTable>(m, "StudyTable",
                             "A CSV of models (one row each) with numeric columns such as BPC "
                             "per corpus and benchmark scores.")
      .def_static(
          "read_csv",
          [](const py::object& path) { return st::StudyTable::read_csv(path_of(path)); },
          py::arg("path"), "Reads a CSV file (IoError, FormatError naming the file and line).")
      .def_static("parse_csv", &st::StudyTable::parse_csv, py::arg("text"),
                  py::arg("source") = "<csv>", "Parses CSV text.")
      .def_property_readonly("column_names", &st::StudyTable::column_names, "The header.")
      .def_property_readonly("row_count", &st::StudyTable::row_count, "Rows below the header.")
      .def("__len__", &st::StudyTable::row_count)
      .def("cell", &st::StudyTable::cell, py::arg("row"), py::arg("column"),
           "A cell's text, unquoted (OutOfRangeError outside the table).")
      .def(
          "select",
          [](const st::StudyTable& table, const std::optional<std::string>& x, const py::object& y,
             const std::string& label, const std::vector<std::string>& rows,
             const std::vector<std::string>& exclude, const std::vector<std::string>& x_mean) {
            st::StudySelection selection;
            selection.x = x.value_or("");
            if (py::isinstance<py::str>(y)) {
              selection.y = {y.cast<std::string>()};
            } else if (!y.is_none()) {
              selection.y = y.cast<std::vector<std::string>>();
            }
            selection.label = label;
            selection.rows = rows;
            selection.exclude = exclude;
            selection.x_mean = x_mean;
            return table.select(selection);
          },
          py::arg("x") = py::none(), py::arg("y") = py::none(), py::kw_only(),
          py::arg("label") = "", py::arg("rows") = std::vector<std::string>{},
          py::arg("exclude") = std::vector<std::string>{},
          py::arg("x_mean") = std::vector<std::string>{},
          "The pairs of a selection: x a column (or x_mean several columns averaged), y one "
          "column or a list averaged per row, optionally only `rows` and without `exclude` "
          "(labels of the `label` column, the first by default).");

  m.def(
      "pearson",
      [](const py::handle& x, const py::handle& y, const std::string& alternative,
         double confidence_level) {
        return st::pearson(doubles(x, "x"), doubles(y, "y"), parse_alternative(alternative),
                           confidence_level);
      },
      py::arg("x"), py::arg("y"), py::arg("alternative") = "two-sided",
      py::arg("confidence_level") = 0.95,
      "Pearson's r with its p-value and Fisher-z confidence interval (scipy.stats.pearsonr). "
      "InvalidArgumentError for lengths that differ, n < 3, NaN or constant input.");
  m.def(
      "spearman",
      [](const py::handle& x, const py::handle& y, const std::string& alternative) {
        return st::spearman(doubles(x, "x"), doubles(y, "y"), parse_alternative(alternative));
      },
      py::arg("x"), py::arg("y"), py::arg("alternative") = "two-sided",
      "Spearman's rho (scipy.stats.spearmanr).");
  m.def(
      "kendall",
      [](const py::handle& x, const py::handle& y, const std::string& alternative,
         const std::string& method) {
        return st::kendall(doubles(x, "x"), doubles(y, "y"), parse_alternative(alternative),
                           parse_method(method));
      },
      py::arg("x"), py::arg("y"), py::arg("alternative") = "two-sided", py::arg("method") = "auto",
      "Kendall's tau-b (scipy.stats.kendalltau).");
  m.def(
      "average_ranks",
      [](const py::handle& values) {
        return to_numpy(st::average_ranks(doubles(values, "values")));
      },
      py::arg("values"), "Average ranks, 1-based (scipy.stats.rankdata(method='average')).");
  m.def(
      "linear_fit",
      [](const py::handle& x, const py::handle& y) {
        return st::linear_fit(doubles(x, "x"), doubles(y, "y"));
      },
      py::arg("x"), py::arg("y"), "The least-squares line (scipy.stats.linregress's fields).");
  m.def("predict", &st::predict, py::arg("fit"), py::arg("x"), py::arg("confidence_level") = 0.95,
        "The fitted value at x with prediction and mean intervals.");
  m.def(
      "leave_one_out",
      [](const py::handle& x, const py::handle& y) {
        return st::leave_one_out(doubles(x, "x"), doubles(y, "y"));
      },
      py::arg("x"), py::arg("y"), "Leave-one-out predictions (n >= 4).");
  m.def(
      "permutation_test",
      [](const py::handle& x, const py::handle& y, const std::string& alternative,
         std::size_t resamples, std::uint64_t seed) {
        const std::vector<double> xs = doubles(x, "x"), ys = doubles(y, "y");
        const st::Alternative which = parse_alternative(alternative);
        py::gil_scoped_release release;
        return st::permutation_test(
            xs, ys, which, {.resamples = resamples, .seed = seed, .confidence_level = 0.95});
      },
      py::arg("x"), py::arg("y"), py::arg("alternative") = "two-sided", py::arg("resamples") = 9999,
      py::arg("seed") = 1,
      "Permutation test of Pearson's r (exact when n! <= resamples). Seeded, reproducible.");
  m.def(
      "bootstrap",
      [](const py::handle& x, const py::handle& y, std::size_t resamples, std::uint64_t seed,
         double confidence_level) {
        const std::vector<double> xs = doubles(x, "x"), ys = doubles(y, "y");
        py::gil_scoped_release release;
        return st::bootstrap(
            xs, ys, {.resamples = resamples, .seed = seed, .confidence_level = confidence_level});
      },
      py::arg("x"), py::arg("y"), py::arg("resamples") = 9999, py::arg("seed") = 1,
      py::arg("confidence_level") = 0.95,
      "Bootstrap percentile intervals for r and the slope. Seeded, reproducible.");
  m.def(
      "analyze",
      [](const py::handle& x, const py::handle& y, const std::string& alternative,
         double confidence_level, std::size_t resamples, std::uint64_t seed) {
        const std::vector<double> xs = doubles(x, "x"), ys = doubles(y, "y");
        st::AnalysisOptions options;
        options.alternative = parse_alternative(alternative);
        options.confidence_level = confidence_level;
        options.resampling = {
            .resamples = resamples, .seed = seed, .confidence_level = confidence_level};
        py::gil_scoped_release release;
        return st::analyze(xs, ys, options);
      },
      py::arg("x"), py::arg("y"), py::arg("alternative") = "two-sided",
      py::arg("confidence_level") = 0.95, py::arg("resamples") = 0, py::arg("seed") = 1,
      "Every statistic on the pairs: Pearson, Spearman, Kendall, the fit, leave-one-out, and "
      "with resamples > 0 the permutation test and the bootstrap (lmc-correlate uses "
      "resamples=9999, seed=1).");
  m.def(
      "scatter_plot_svg",
      [](const st::StudyData& data, const std::string& title, const std::string& x_label,
         const std::string& y_label, int width, int height, double confidence_level,
         bool point_labels) {
        st::PlotOptions options;
        options.title = title;
        options.x_label = x_label;
        options.y_label = y_label;
        options.width = width;
        options.height = height;
        options.confidence_level = confidence_level;
        options.point_labels = point_labels;
        return st::scatter_plot_svg(data, options);
      },
      py::arg("data"), py::kw_only(), py::arg("title") = "", py::arg("x_label") = "",
      py::arg("y_label") = "", py::arg("width") = 900, py::arg("height") = 700,
      py::arg("confidence_level") = 0.95, py::arg("point_labels") = true,
      "A self-contained SVG scatter plot of a StudyData with its fitted line and band.");
}

}  // namespace lmcpy
