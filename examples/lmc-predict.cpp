// lmc-predict: a model's benchmark average predicted from its BPC, with the linear fit of the
// paper (Huang et al., COLM 2024; its data in examples/data/huang2024) or of a user's study
// table, a prediction interval from that fit and the fit's leave-one-out error; optionally the
// model placed on the fit's plot.
//
//   lmc-predict [--area overall|knowledge|coding|math] (--bpc V[,V,V] | --result A.json[,B,C])
//               [--name LABEL] [--level 0.95] [--plot OUT.svg] [--json]
//               [--csv TABLE (--x COL | --x-mean A,B,..) (--y COL | --y-mean A,B,..)
//                [--exclude M1,..] [--label COL]]
//
// Without --csv the fit is the paper's for the area (default overall): knowledge and
// commonsense on BPC of cc, coding on python, mathematical reasoning on arxiv_math (without
// the Qwen models, as the paper's figure), overall the mean of the three area averages on the
// mean of the three BPCs. --bpc gives one BPC per x column of the fit (three for overall: cc,
// python, arxiv_math, in that order); --result reads them from lmc-bpc result files.
#include <lmc/lmc.hpp>

#include "cli.hpp"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <limits>
#include <optional>
#include <stdexcept>
#include <string>
#include <vector>

namespace {

namespace fs = std::filesystem;

// The paper's data: share/lmc/huang2024 of the installed tree, else the source tree.
fs::path paper_table() {
  std::vector<fs::path> dirs;
  std::error_code error;
  const fs::path self = fs::read_symlink("/proc/self/exe", error);
  if (!error) {
    dirs.push_back((self.parent_path() / LMC_DATA_FROM_BINDIR / "huang2024").lexically_normal());
  }
  dirs.emplace_back(LMC_SOURCE_PAPER_DIR);
  std::string looked;
  for (const fs::path& dir : dirs) {
    if (fs::is_regular_file(dir / "models.csv", error)) return dir / "models.csv";
    looked += (looked.empty() ? "" : ", ") + dir.string();
  }
  throw std::runtime_error("the paper's data (huang2024/models.csv) is in none of: " + looked +
                           " (give a study table with --csv)");
}

struct Fit {
  std::string table;
  std::string description;
  lmc::stats::StudySelection selection;
  std::size_t x_columns = 1;
};

Fit paper_fit(const std::string& area) {
  Fit fit;
  fit.table = paper_table().string();
  if (area == "knowledge") {
    fit.selection = {.x = "BPC_cc", .y = {"knowledge_avg"}};
    fit.description = "knowledge and commonsense average on BPC of cc";
  } else if (area == "coding") {
    fit.selection = {.x = "BPC_python", .y = {"coding_avg"}};
    fit.description = "coding average on BPC of python";
  } else if (area == "math") {
    fit.selection = {
        .x = "BPC_arxiv_math", .y = {"math_avg"}, .exclude = {"Qwen-7b", "Qwen-14b", "Qwen-72b"}};
    fit.description = "mathematical reasoning average on BPC of arxiv_math (Qwen left out)";
  } else if (area == "overall") {
    fit.selection = {.y = {"knowledge_avg", "coding_avg", "math_avg"},
                     .x_mean = {"BPC_cc", "BPC_python", "BPC_arxiv_math"}};
    fit.x_columns = 3;
    fit.description = "mean of the three area averages on the mean BPC of cc, python, arxiv_math";
  } else {
    throw std::invalid_argument("--area is overall, knowledge, coding or math, not '" + area + "'");
  }
  fit.description += " (Huang et al., COLM 2024)";
  return fit;
}

int run(int argc, char** argv) {
  const cli::Arguments args(argc, argv,
                            {"area", "bpc", "result", "name", "level", "plot", "csv", "x", "x-mean",
                             "y", "y-mean", "exclude", "label"},
                            {"json"});
  if (!args.positional().empty()) {
    throw std::invalid_argument("unexpected argument '" + args.positional().front() + "'");
  }
  Fit fit;
  if (auto csv = args.get("csv")) {
    if (args.get("area")) throw std::invalid_argument("--area is for the paper's fit, not --csv");
    fit.table = *csv;
    if (args.get("x") && args.get("x-mean")) {
      throw std::invalid_argument("give either --x or --x-mean, not both");
    }
    if (auto x = args.get("x")) {
      fit.selection.x = *x;
    } else if (auto columns = args.get("x-mean")) {
      fit.selection.x_mean = cli::split_list(*columns);
      fit.x_columns = fit.selection.x_mean.size();
    } else {
      throw std::invalid_argument("missing required option --x (or --x-mean)");
    }
    if (auto y = args.get("y")) {
      fit.selection.y = {*y};
    } else if (auto columns = args.get("y-mean")) {
      fit.selection.y = cli::split_list(*columns);
    } else {
      throw std::invalid_argument("missing required option --y (or --y-mean)");
    }
    if (auto rows = args.get("exclude")) fit.selection.exclude = cli::split_list(*rows);
    if (auto label = args.get("label")) fit.selection.label = *label;
    fit.description = "a study table";
  } else {
    for (const char* option : {"x", "x-mean", "y", "y-mean", "exclude", "label"}) {
      if (args.get(option)) {
        throw std::invalid_argument(std::string("--") + option + " needs --csv");
      }
    }
    fit = paper_fit(args.get("area").value_or("overall"));
  }

  // The new model's BPC: one per x column, averaged as the fit's x is.
  std::vector<double> bpcs;
  if (args.get("bpc") && args.get("result")) {
    throw std::invalid_argument("give either --bpc or --result, not both");
  }
  if (auto text = args.get("bpc")) {
    for (const std::string& item : cli::split_list(*text))
      bpcs.push_back(cli::parse_number(item, "--bpc"));
  } else if (auto files = args.get("result")) {
    for (const std::string& file : cli::split_list(*files)) {
      const double bpc = lmc::BpcResult::from_json(cli::read_text(file), file).bpc();
      if (!std::isfinite(bpc)) throw std::runtime_error(file + ": the result has no BPC");
      bpcs.push_back(bpc);
    }
  } else {
    throw std::invalid_argument("missing --bpc (or --result)");
  }
  if (bpcs.size() != fit.x_columns) {
    throw std::invalid_argument("the fit's x is " +
                                (fit.x_columns == 1
                                     ? std::string("one BPC")
                                     : "the mean of " + std::to_string(fit.x_columns) + " BPCs") +
                                ", but " + std::to_string(bpcs.size()) + " were given");
  }
  double x = 0;
  for (double v : bpcs) x += v;
  x /= static_cast<double>(bpcs.size());
  const double level = args.get("level") ? cli::parse_number(*args.get("level"), "--level") : 0.95;
  const std::string name = args.get("name").value_or("new model");

  const lmc::stats::StudyTable table = lmc::stats::StudyTable::read_csv(fit.table);
  const lmc::stats::StudyData data = table.select(fit.selection);
  const lmc::stats::LinearFit line = lmc::stats::linear_fit(data.x, data.y);
  const lmc::stats::Prediction prediction = lmc::stats::predict(line, x, level);
  // Leave-one-out refits on n - 1 models, which needs n >= 4 (a line through two points has no
  // error to speak of); a smaller study still predicts, without that figure (null in JSON).
  lmc::stats::LeaveOneOut loo;
  loo.mae = loo.rmse = std::numeric_limits<double>::quiet_NaN();
  if (data.x.size() >= 4) loo = lmc::stats::leave_one_out(data.x, data.y);
  const double x_low = *std::min_element(data.x.begin(), data.x.end());
  const double x_high = *std::max_element(data.x.begin(), data.x.end());
  const bool extrapolated = x < x_low || x > x_high;

  if (auto plot = args.get("plot")) {
    lmc::stats::PlotOptions options;
    options.title = "Predicted from BPC: " + name;
    options.confidence_level = level;
    options.placed = {{.label = name,
                       .x = x,
                       .y = prediction.y,
                       .y_low = prediction.prediction_low,
                       .y_high = prediction.prediction_high}};
    lmc::write_file_atomically(*plot, lmc::stats::scatter_plot_svg(data, options));
  }
  if (args.flag("json")) {
    lmc::JsonWriter json;
    json.begin_object();
    json.member("name", name).member("bpc", x);
    json.member("predicted", prediction.y);
    json.member("prediction_low", prediction.prediction_low);
    json.member("prediction_high", prediction.prediction_high);
    json.member("mean_low", prediction.mean_low).member("mean_high", prediction.mean_high);
    json.member("level", level).member("extrapolated", extrapolated);
    json.key("fit").begin_object();
    json.member("table", fit.table).member("description", fit.description);
    json.member("x", data.x_name).member("y", data.y_name).member("n", line.n);
    json.member("r", line.r).member("slope", line.slope).member("intercept", line.intercept);
    json.member("rmse", line.rmse).member("loo_mae", loo.mae).member("loo_rmse", loo.rmse);
    json.end_object();
    json.end_object();
    std::printf("%s\n", json.str().c_str());
    return 0;
  }
  std::printf("fit          %s\n", fit.description.c_str());
  std::printf("             %s = %.6g %+.6g * %s   n = %zu   r = %+.4f   RMSE = %.4g\n",
              data.y_name.c_str(), line.intercept, line.slope, data.x_name.c_str(), line.n, line.r,
              line.rmse);
  if (std::isfinite(loo.mae)) {
    std::printf("             leave-one-out error of the fit: MAE = %.4g   RMSE = %.4g\n", loo.mae,
                loo.rmse);
  } else {
    std::printf("             leave-one-out error of the fit: none (it needs 4 models or more)\n");
  }
  std::printf("%-12s BPC %.6g%s\n", name.c_str(), x,
              extrapolated ? "   (outside the fit's BPC range: an extrapolation)" : "");
  std::printf(
      "predicted    %.4g   %g%% prediction interval [%.4g, %.4g]   (the line there: "
      "[%.4g, %.4g])\n",
      prediction.y, level * 100, prediction.prediction_low, prediction.prediction_high,
      prediction.mean_low, prediction.mean_high);
  return 0;
}

}  // namespace

int main(int argc, char** argv) { return cli::run_main("lmc-predict", run, argc, argv); }
