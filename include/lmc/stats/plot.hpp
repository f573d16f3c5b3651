// SVG scatter plots of a study: score against BPC with the least-squares line, its confidence
// band, model names and the r / RMSE figures, as the figures of Huang et al. (2024) show them.
#pragma once

#include <lmc/export.hpp>
#include <lmc/stats/study.hpp>
#include <lmc/version.hpp>

#include <string>

LMC_BEGIN_NAMESPACE
namespace stats {

struct PlotOptions {
  std::string title{};             ///< above the plot; empty: none
  std::string x_label{};           ///< empty: the data's x_name
  std::string y_label{};           ///< empty: the data's y_name
  int width = 900;                 ///< of the SVG canvas, in pixels (200..10000)
  int height = 700;                ///< of the SVG canvas, in pixels (200..10000)
  double confidence_level = 0.95;  ///< of the band around the fitted line
  bool point_labels = true;        ///< write each point's label next to it
};

/// A self-contained SVG document (no scripts, no external fonts or files) of y against x:
/// points, the fitted line, the band of the line's confidence interval, point labels, axis
/// labels with ticks, and "r = …, RMSE = …, n = …" in the top corner away from the data.
/// Throws lmc::Error as linear_fit() does, or when the options are out of range.
LMC_EXPORT std::string scatter_plot_svg(const StudyData& data, const PlotOptions& options = {});

}  // namespace stats
LMC_END_NAMESPACE
