// lmc-correlate: does compression predict ability? Reads a study table (CSV: one row per model,
// columns such as BPC per corpus and benchmark scores) and reports Pearson, Spearman, Kendall,
// the least-squares fit with its RMSE, leave-one-out error and resampling intervals; optionally
// an SVG scatter plot and JSON.
//
//   lmc-correlate --csv FILE (--x COL | --x-mean COL1,COL2,...) (--y COL | --y-mean COL1,...)
//                 [--rows NAME1,NAME2,...] [--exclude NAME1,...] [--label COL]
//                 [--plot OUT.svg] [--title TEXT] [--json]
//                 [--resamples N] [--seed S] [--level 0.95]
#include <lmc/lmc.hpp>

#include "cli.hpp"

#include <cmath>
#include <cstdio>
#include <fstream>
#include <stdexcept>
#include <string>
#include <vector>

namespace {

void print_human(const std::string& csv, const lmc::stats::StudyData& data,
                 const lmc::stats::Analysis& a, const lmc::stats::AnalysisOptions& options) {
  std::printf("%s: x = %s, y = %s, n = %zu", csv.c_str(), data.x_name.c_str(), data.y_name.c_str(),
              a.n);
  if (!data.skipped.empty()) std::printf(" (%zu rows skipped)", data.skipped.size());
  std::printf("\n");
  for (const std::string& line : data.skipped) std::printf("  skipped: %s\n", line.c_str());
  const double level = a.pearson.confidence_level * 100;
  std::printf("Pearson        r   = %+.4f   p = %.3g   %g%% CI [%+.4f, %+.4f]\n", a.pearson.r,
              a.pearson.pvalue, level, a.pearson.ci_low, a.pearson.ci_high);
  std::printf("Spearman       rho = %+.4f   p = %.3g\n", a.spearman.rho, a.spearman.pvalue);
  std::printf("Kendall        tau = %+.4f   p = %.3g (%s)\n", a.kendall.tau, a.kendall.pvalue,
              a.kendall.method == lmc::stats::KendallMethod::exact ? "exact" : "normal approx.");
  std::printf("Linear fit     y = %.6g %+.6g * x\n", a.fit.intercept, a.fit.slope);
  std::printf("               slope stderr = %.4g   intercept stderr = %.4g   R^2 = %.4f\n",
              a.fit.slope_stderr, a.fit.intercept_stderr, a.fit.r2);
  std::printf("               RMSE = %.4g (divided by n)   %.4g (divided by n-2)\n", a.fit.rmse,
              a.fit.residual_stderr);
  if (std::isfinite(a.leave_one_out.mae)) {
    std::printf("Leave-one-out  MAE = %.4g   RMSE = %.4g\n", a.leave_one_out.mae,
                a.leave_one_out.rmse);
  }
  if (a.permutation) {
    std::printf("Permutation    p = %.4g (%s, %zu permutations, seed %llu)\n",
                a.permutation->pvalue, a.permutation->exact ? "exact" : "random",
                a.permutation->permutations,
                static_cast<unsigned long long>(options.resampling.seed));
  }
  if (a.bootstrap) {
    std::printf("Bootstrap      %g%% CI r [%+.4f, %+.4f]   slope [%.4g, %.4g] (%zu samples)\n",
                a.bootstrap->confidence_level * 100, a.bootstrap->r_low, a.bootstrap->r_high,
                a.bootstrap->slope_low, a.bootstrap->slope_high, a.bootstrap->resamples);
  }
}

int run(int argc, char** argv) {
  const cli::Arguments args(argc, argv,
                            {"csv", "x", "x-mean", "y", "y-mean", "rows", "exclude", "label",
                             "plot", "title", "resamples", "seed", "level"},
                            {"json"});
  if (!args.positional().empty()) {
    throw std::invalid_argument("unexpected argument '" + args.positional().front() + "'");
  }
  const std::string csv = args.required("csv");
  lmc::stats::StudySelection selection;
  if (args.get("x") && args.get("x-mean")) {
    throw std::invalid_argument("give either --x or --x-mean, not both");
  }
  if (auto x = args.get("x")) {
    selection.x = *x;
  } else if (auto columns = args.get("x-mean")) {
    selection.x_mean = cli::split_list(*columns);
  } else {
    throw std::invalid_argument("missing required option --x (or --x-mean)");
  }
  if (args.get("y") && args.get("y-mean")) {
    throw std::invalid_argument("give either --y or --y-mean, not both");
  }
  if (auto y = args.get("y")) {
    selection.y = {*y};
  } else if (auto columns = args.get("y-mean")) {
    selection.y = cli::split_list(*columns);
  } else {
    throw std::invalid_argument("missing required option --y (or --y-mean)");
  }
  if (auto label = args.get("label")) selection.label = *label;
  if (auto rows = args.get("rows")) selection.rows = cli::split_list(*rows);
  if (auto rows = args.get("exclude")) selection.exclude = cli::split_list(*rows);

  lmc::stats::AnalysisOptions options;
  options.confidence_level = args.number("level", 0.95);
  options.resampling.confidence_level = options.confidence_level;
  options.resampling.resamples = args.integer<std::size_t>("resamples", 9999);
  options.resampling.seed = args.integer<std::uint64_t>("seed", 1);

  const lmc::stats::StudyTable table = lmc::stats::StudyTable::read_csv(csv);
  const lmc::stats::StudyData data = table.select(selection);
  const lmc::stats::Analysis analysis = lmc::stats::analyze(data.x, data.y, options);

  if (auto plot = args.get("plot")) {
    lmc::stats::PlotOptions plot_options;
    plot_options.title = args.get("title").value_or("");
    plot_options.confidence_level = options.confidence_level;
    lmc::write_file_atomically(*plot, lmc::stats::scatter_plot_svg(data, plot_options));
  }
  if (args.flag("json")) {
    std::printf("%s\n", lmc::stats::to_json(analysis, &data).c_str());
  } else {
    print_human(csv, data, analysis, options);
  }
  return 0;
}

}  // namespace

int main(int argc, char** argv) { return cli::run_main("lmc-correlate", run, argc, argv); }
