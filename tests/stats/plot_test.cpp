// The SVG scatter plot: a self-contained document with every element the figure needs. (How
// it looks is checked by rendering it; see docs/stats.md.)
#include <lmc/stats.hpp>

#include <gtest/gtest.h>

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

}  // namespace
