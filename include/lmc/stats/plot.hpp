// SVG scatter plots of a study: score against BPC with the least-squares line, its confidence
// band, model names and the r / RMSE figures, as the figures of Huang et al. (2024) show them.
#pragma once

#include <lmc/export.hpp>
#include <lmc/stats/study.hpp>
#include <lmc/version.hpp>

#include <limits>
#include <string>
#include <vector>

LMC_BEGIN_NAMESPACE
namespace stats {

/// A point drawn on a plot but not fitted: a model of another study shown for comparison, or
/// a model placed by its predicted score.
struct PlotPoint {
  std::string label{};
  double x = 0;
  double y = 0;
  /// An interval of y drawn as a vertical bar through the point (e.g. a prediction interval);
  /// both NaN (the default): no bar.
  double y_low = std::numeric_limits<double>::quiet_NaN();
  double y_high = std::numeric_limits<double>::quiet_NaN();
};

struct PlotOptions {
  std::string title{};             ///< above the plot; empty: none
  std::string x_label{};           ///< empty: the data's x_name
  std::string y_label{};           ///< empty: the data's y_name
  int width = 900;                 ///< of the SVG canvas, in pixels (200..10000)
  int height = 700;                ///< of the SVG canvas, in pixels (200..10000)
  double confidence_level = 0.95;  ///< of the band around the fitted line
  bool point_labels = true;        ///< write each point's label next to it
  /// Points of another study drawn for reference (hollow grey circles, labelled, not part of
  /// the fit), e.g. the paper's own models; named in a legend by reference_name.
  std::vector<PlotPoint> reference{};
  std::string reference_name = "reference";
  /// Points placed on the plot (dark diamonds with their interval bars, labelled, not part of
  /// the fit), e.g. a new model at its predicted score.
  std::vector<PlotPoint> placed{};
};

/// A self-contained SVG document (no scripts, no external fonts or files) of y against x:
/// points, the fitted line, the band of the line's confidence interval, point labels, axis
/// labels with ticks, and "r = …, RMSE = …, n = …" in the top corner away from the data; and
/// the reference and placed points of the options (the axes cover them too). Throws
/// lmc::Error as linear_fit() does, when the options are out of range, or when a reference or
/// placed point is not finite (an interval bar's ends may be NaN together).
LMC_EXPORT std::string scatter_plot_svg(const StudyData& data, const PlotOptions& options = {});

}  // namespace stats
LMC_END_NAMESPACE
