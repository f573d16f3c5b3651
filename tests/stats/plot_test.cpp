// The SVG scatter plot: a self-contained document with every element the figure needs. (How
// it looks is checked by rendering it; see docs/stats.md.)
#include <lmc/stats.hpp>

#include <gtest/gtest.h>

#include <limits>
#include <string>
#include <vector>

namespace {

std::size_t count(const std::string& text, const std::string& what) {
  std::size_t n = 0;
  for (auto pos = text.find(what); pos != std::string::npos; pos = text.find(what, pos + 1)) ++n;
  return n;
}

lmc::stats::StudyData sample() {
  return {.x_name = "BPC (cc)",
          .y_name = "average score",
          .labels = {"a", "b<&>", "c", "d", "e"},
          .x = {0.50, 0.55, 0.60, 0.65, 0.70},
          .y = {60, 57, 51, 49, 42},
          .skipped = {}};
}

TEST(ScatterPlot, ContainsPointsLineBandLabelsAndAnnotation) {
  const std::string svg =
      lmc::stats::scatter_plot_svg(sample(), {.title = "Compression vs ability"});
  EXPECT_TRUE(svg.starts_with("<svg xmlns=\"http://www.w3.org/2000/svg\""));
  EXPECT_TRUE(svg.ends_with("</svg>\n"));
  EXPECT_EQ(count(svg, "<circle"), 5u);
  EXPECT_EQ(count(svg, "<polygon"), 1u);                             // the confidence band
  EXPECT_NE(svg.find(">b&lt;&amp;&gt;</text>"), std::string::npos);  // escaped label
  EXPECT_NE(svg.find(">BPC (cc)</text>"), std::string::npos);
  EXPECT_NE(svg.find(">average score</text>"), std::string::npos);
  EXPECT_NE(svg.find(">Compression vs ability</text>"), std::string::npos);
  EXPECT_NE(svg.find("r = -0.98"), std::string::npos);
  EXPECT_NE(svg.find("RMSE = "), std::string::npos);
  // Self-contained: no scripts, links or external resources.
  EXPECT_EQ(svg.find("<script"), std::string::npos);
  EXPECT_EQ(svg.find("href"), std::string::npos);
  EXPECT_EQ(count(svg, "<text"), count(svg, "</text>"));
}

TEST(ScatterPlot, OptionsAreChecked) {
  EXPECT_THROW(lmc::stats::scatter_plot_svg(sample(), {.width = 10}), lmc::Error);
  auto bad = sample();
  bad.labels.pop_back();
  EXPECT_THROW(lmc::stats::scatter_plot_svg(bad), lmc::Error);
  auto constant = sample();
  constant.x.assign(5, 1.0);
  EXPECT_THROW(lmc::stats::scatter_plot_svg(constant), lmc::Error);
  const std::string unlabeled = lmc::stats::scatter_plot_svg(sample(), {.point_labels = false});
  EXPECT_EQ(unlabeled.find(">a</text>"), std::string::npos);
}

TEST(ScatterPlot, ReferenceAndPlacedPointsAreDrawnButNotFitted) {
  lmc::stats::PlotOptions options;
  options.reference = {{.label = "paper-1", .x = 0.52, .y = 59},
                       {.label = "paper-2", .x = 0.66, .y = 47}};
  options.reference_name = "Huang et al. 2024";
  // Far below the data: the axes must reach it and its interval.
  options.placed = {{.label = "new", .x = 0.9, .y = 20, .y_low = 12, .y_high = 28}};
  const std::string svg = lmc::stats::scatter_plot_svg(sample(), options);
  EXPECT_EQ(count(svg, "<circle"), 7u);                           // 5 data + 2 reference
  EXPECT_EQ(count(svg, "fill=\"none\" stroke=\"#8a8a8a\""), 1u);  // the reference group
  EXPECT_EQ(count(svg, "<polygon"), 2u);                          // the band and the diamond
  EXPECT_NE(svg.find(">paper-2</text>"), std::string::npos);
  EXPECT_NE(svg.find(">new</text>"), std::string::npos);
  EXPECT_NE(svg.find("Huang et al. 2024 (not fitted)"), std::string::npos);
  // The fit is the data's alone: the same r as without the extra points.
  const std::string plain = lmc::stats::scatter_plot_svg(sample());
  const auto r_at = plain.find("r = ");
  EXPECT_EQ(svg.substr(svg.find("r = "), 10), plain.substr(r_at, 10));
  // The y axis reaches the bar's low end (12): a tick at 10 or below is drawn.
  EXPECT_NE(svg.find(">10</text>"), std::string::npos);
  // A placed point that is not finite is refused.
  options.placed[0].y = std::numeric_limits<double>::quiet_NaN();
  EXPECT_THROW(lmc::stats::scatter_plot_svg(sample(), options), lmc::Error);
  options.placed[0].y = 20;
  options.placed[0].y_high = std::numeric_limits<double>::quiet_NaN();  // half a bar
  EXPECT_THROW(lmc::stats::scatter_plot_svg(sample(), options), lmc::Error);
}

}  // namespace
