#include <lmc/stats/plot.hpp>

#include "base/fail.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <array>
#include <cmath>
#include <string>
#include <vector>

LMC_BEGIN_NAMESPACE
namespace stats {

namespace {

// Layout of the canvas, in pixels.
constexpr double margin_left = 80, margin_right = 30, margin_top = 50, margin_bottom = 70;
constexpr double label_font_size = 11;
constexpr double label_char_width = 0.6 * label_font_size;  // a fair mean for sans-serif
constexpr double point_radius = 4;
constexpr int band_samples = 80;

std::string escape_xml(std::string_view text) {
  std::string out;
  for (char c : text) {
    switch (c) {
      case '&': out += "&amp;"; break;
      case '<': out += "&lt;"; break;
      case '>': out += "&gt;"; break;
      case '"': out += "&quot;"; break;
      case '\'': out += "&apos;"; break;
      default: out += c;
    }
  }
  return out;
}

// Round tick positions: steps of 1, 2 or 5 times a power of ten, about `wanted` of them.
struct Ticks {
  std::vector<double> values;
  int decimals = 0;
};

Ticks nice_ticks(double low, double high, int wanted) {
  const double raw = (high - low) / wanted;
  const double magnitude = std::pow(10.0, std::floor(std::log10(raw)));
  double step = magnitude;
  for (double factor : {1.0, 2.0, 5.0, 10.0}) {
    step = factor * magnitude;
    if (step >= raw) break;
  }
  Ticks ticks;
  ticks.decimals = std::max(0, -static_cast<int>(std::floor(std::log10(step) + 1e-9)));
  for (double v = std::ceil(low / step - 1e-9) * step; v <= high + step * 1e-9; v += step) {
    ticks.values.push_back(std::abs(v) < step * 1e-9 ? 0.0 : v);
  }
  return ticks;
}

struct Box {
  double left, top, right, bottom;
  bool overlaps(const Box& other) const {
    return left < other.right && other.left < right && top < other.bottom && other.top < bottom;
  }
  double overlap_area(const Box& other) const {
    const double w = std::min(right, other.right) - std::max(left, other.left);
    const double h = std::min(bottom, other.bottom) - std::max(top, other.top);
    return w > 0 && h > 0 ? w * h : 0;
  }
};

class Frame {
 public:
  Frame(double x_low, double x_high, double y_low, double y_high, double width, double height)
      : x_low_(x_low),
        x_high_(x_high),
        y_low_(y_low),
        y_high_(y_high),
        width_(width),
        height_(height) {}
  double px(double x) const {
    return margin_left + (x - x_low_) / (x_high_ - x_low_) * (width_ - margin_left - margin_right);
  }
  double py(double y) const {
    return height_ - margin_bottom -
           (y - y_low_) / (y_high_ - y_low_) * (height_ - margin_top - margin_bottom);
  }
  double left() const { return margin_left; }
  double right() const { return width_ - margin_right; }
  double top() const { return margin_top; }
  double bottom() const { return height_ - margin_bottom; }

 private:
  double x_low_, x_high_, y_low_, y_high_, width_, height_;
};

// Places each label next to its point where it overlaps the fewest labels, points and the
// frame edges already there, trying eight positions around the point.
// A labelled point: the data's, a reference point or a placed one.
struct Labelled {
  double x, y;
  std::string_view label;
};

std::vector<std::pair<Box, std::string_view>> place_labels(const std::vector<Labelled>& points,
                                                           const Frame& frame) {
  std::vector<Box> occupied;
  for (const Labelled& point : points) {
    const double cx = frame.px(point.x), cy = frame.py(point.y);
    occupied.push_back(
        {cx - point_radius, cy - point_radius, cx + point_radius, cy + point_radius});
  }
  std::vector<std::pair<Box, std::string_view>> placed;
  for (const Labelled& point : points) {
    const std::string_view label = point.label;
    const double w = static_cast<double>(label.size()) * label_char_width;
    const double h = label_font_size + 2;
    const double cx = frame.px(point.x), cy = frame.py(point.y);
    const double gap = point_radius + 2;
    const std::array<Box, 8> candidates = {{
        {cx + gap, cy - h / 2, cx + gap + w, cy + h / 2},                          // right
        {cx - gap - w, cy - h / 2, cx - gap, cy + h / 2},                          // left
        {cx - w / 2, cy - gap - h, cx + w / 2, cy - gap},                          // above
        {cx - w / 2, cy + gap, cx + w / 2, cy + gap + h},                          // below
        {cx + gap * 0.7, cy - gap * 0.7 - h, cx + gap * 0.7 + w, cy - gap * 0.7},  // above right
        {cx + gap * 0.7, cy + gap * 0.7, cx + gap * 0.7 + w, cy + gap * 0.7 + h},  // below right
        {cx - gap * 0.7 - w, cy - gap * 0.7 - h, cx - gap * 0.7, cy - gap * 0.7},  // above left
        {cx - gap * 0.7 - w, cy + gap * 0.7, cx - gap * 0.7, cy + gap * 0.7 + h},  // below left
    }};
    double best_cost = 0;
    std::size_t best = 0;
    for (std::size_t k = 0; k < candidates.size(); ++k) {
      const Box& box = candidates[k];
      double cost = static_cast<double>(k) * 0.01;  // prefer the earlier positions on a tie
      for (const Box& other : occupied) cost += box.overlap_area(other);
      const double outside =
          std::max(0.0, frame.left() - box.left) + std::max(0.0, box.right - frame.right()) +
          std::max(0.0, frame.top() - box.top) + std::max(0.0, box.bottom - frame.bottom());
      cost += outside * h * 4;
      if (k == 0 || cost < best_cost) {
        best_cost = cost;
        best = k;
      }
    }
    occupied.push_back(candidates[best]);
    placed.emplace_back(candidates[best], label);
  }
  return placed;
}

}  // namespace

std::string scatter_plot_svg(const StudyData& data, const PlotOptions& options) {
  if (options.width < 200 || options.width > 10000 || options.height < 200 ||
      options.height > 10000) {
    base::fail(ErrorCode::invalid_argument, "scatter_plot_svg: size {}x{} is outside 200..10000",
               options.width, options.height);
  }
  if (!data.labels.empty() && data.labels.size() != data.x.size()) {
    base::fail(ErrorCode::invalid_argument, "scatter_plot_svg: {} labels for {} points",
               data.labels.size(), data.x.size());
  }
  const LinearFit fit = linear_fit(data.x, data.y);   // validates the pairs
  predict(fit, data.x[0], options.confidence_level);  // validates the level
  const double width = options.width, height = options.height;
  for (const auto* points : {&options.reference, &options.placed}) {
    for (const PlotPoint& point : *points) {
      const bool bar_ok = (std::isnan(point.y_low) && std::isnan(point.y_high)) ||
                          (std::isfinite(point.y_low) && std::isfinite(point.y_high));
      if (!std::isfinite(point.x) || !std::isfinite(point.y) || !bar_ok) {
        base::fail(ErrorCode::invalid_argument,
                   "scatter_plot_svg: point '{}' ({}, {}) is not finite", point.label, point.x,
                   point.y);
      }
    }
  }

  // Range of everything drawn, padded by 6% (x) and 8% (y), so that points never sit on the
  // frame.
  double x_min = *std::min_element(data.x.begin(), data.x.end());
  double x_max = *std::max_element(data.x.begin(), data.x.end());
  double y_min = *std::min_element(data.y.begin(), data.y.end());
  double y_max = *std::max_element(data.y.begin(), data.y.end());
  for (const auto* points : {&options.reference, &options.placed}) {
    for (const PlotPoint& point : *points) {
      x_min = std::min(x_min, point.x);
      x_max = std::max(x_max, point.x);
      y_min = std::min({y_min, point.y, std::isnan(point.y_low) ? point.y : point.y_low});
      y_max = std::max({y_max, point.y, std::isnan(point.y_high) ? point.y : point.y_high});
    }
  }
  const double x_pad = (x_max - x_min) * 0.06;
  const double y_pad = (y_max - y_min) * 0.08;
  const double x_low = x_min - x_pad, x_high = x_max + x_pad;
  const double y_low = y_min - y_pad, y_high = y_max + y_pad;
  const Frame frame(x_low, x_high, y_low, y_high, width, height);

  std::string svg;
  auto out = std::back_inserter(svg);
  fmt::format_to(out,
                 "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"{0}\" height=\"{1}\" "
                 "xml:space=\"preserve\" "
                 "viewBox=\"0 0 {0} {1}\" font-family=\"DejaVu Sans, Arial, Helvetica, "
                 "sans-serif\">\n",
                 options.width, options.height);
  fmt::format_to(out, "<rect width=\"100%\" height=\"100%\" fill=\"white\"/>\n");
  fmt::format_to(out,
                 "<clipPath id=\"plot-area\"><rect x=\"{:.2f}\" y=\"{:.2f}\" width=\"{:.2f}\" "
                 "height=\"{:.2f}\"/></clipPath>\n",
                 frame.left(), frame.top(), frame.right() - frame.left(),
                 frame.bottom() - frame.top());

  // Grid and ticks.
  const Ticks x_ticks = nice_ticks(x_low, x_high, 7);
  const Ticks y_ticks = nice_ticks(y_low, y_high, 6);
  svg += "<g stroke=\"#e3e3e3\" stroke-width=\"1\">\n";
  for (double v : x_ticks.values) {
    fmt::format_to(out, "<line x1=\"{0:.2f}\" y1=\"{1:.2f}\" x2=\"{0:.2f}\" y2=\"{2:.2f}\"/>\n",
                   frame.px(v), frame.top(), frame.bottom());
  }
  for (double v : y_ticks.values) {
    fmt::format_to(out, "<line x1=\"{1:.2f}\" y1=\"{0:.2f}\" x2=\"{2:.2f}\" y2=\"{0:.2f}\"/>\n",
                   frame.py(v), frame.left(), frame.right());
  }
  svg += "</g>\n<g font-size=\"12\" fill=\"#333\">\n";
  for (double v : x_ticks.values) {
    fmt::format_to(out, "<text x=\"{:.2f}\" y=\"{:.2f}\" text-anchor=\"middle\">{:.{}f}</text>\n",
                   frame.px(v), frame.bottom() + 18, v, x_ticks.decimals);
  }
  for (double v : y_ticks.values) {
    fmt::format_to(out, "<text x=\"{:.2f}\" y=\"{:.2f}\" text-anchor=\"end\">{:.{}f}</text>\n",
                   frame.left() - 8, frame.py(v) + 4, v, y_ticks.decimals);
  }
  svg += "</g>\n";

  // Confidence band of the fitted line, then the line, clipped to the plot area.
  svg +=
      "<g clip-path=\"url(#plot-area)\">\n<polygon fill=\"#4a7fc1\" fill-opacity=\"0.18\" "
      "stroke=\"none\" points=\"";
  std::vector<Prediction> band;
  for (int k = 0; k <= band_samples; ++k) {
    band.push_back(
        predict(fit, x_low + (x_high - x_low) * k / band_samples, options.confidence_level));
  }
  for (const Prediction& p : band) {
    fmt::format_to(out, "{:.2f},{:.2f} ", frame.px(p.x), frame.py(p.mean_high));
  }
  for (auto it = band.rbegin(); it != band.rend(); ++it) {
    fmt::format_to(out, "{:.2f},{:.2f} ", frame.px(it->x), frame.py(it->mean_low));
  }
  svg += "\"/>\n";
  fmt::format_to(out,
                 "<line x1=\"{:.2f}\" y1=\"{:.2f}\" x2=\"{:.2f}\" y2=\"{:.2f}\" "
                 "stroke=\"#2c5d9e\" stroke-width=\"2\"/>\n</g>\n",
                 frame.px(x_low), frame.py(band.front().y), frame.px(x_high),
                 frame.py(band.back().y));

  // Frame, points and their labels.
  fmt::format_to(out,
                 "<rect x=\"{:.2f}\" y=\"{:.2f}\" width=\"{:.2f}\" height=\"{:.2f}\" "
                 "fill=\"none\" stroke=\"#555\"/>\n",
                 frame.left(), frame.top(), frame.right() - frame.left(),
                 frame.bottom() - frame.top());
  // Reference points under the data's, hollow and grey.
  if (!options.reference.empty()) {
    svg += "<g fill=\"none\" stroke=\"#8a8a8a\" stroke-width=\"1.3\">\n";
    for (const PlotPoint& point : options.reference) {
      fmt::format_to(out, "<circle cx=\"{:.2f}\" cy=\"{:.2f}\" r=\"{}\"/>\n", frame.px(point.x),
                     frame.py(point.y), point_radius);
    }
    svg += "</g>\n";
  }
  svg += "<g fill=\"#d9542b\" stroke=\"white\" stroke-width=\"1\">\n";
  for (std::size_t i = 0; i < data.x.size(); ++i) {
    fmt::format_to(out, "<circle cx=\"{:.2f}\" cy=\"{:.2f}\" r=\"{}\"/>\n", frame.px(data.x[i]),
                   frame.py(data.y[i]), point_radius);
  }
  svg += "</g>\n";
  // Placed points on top: an interval bar with end caps, then a diamond.
  if (!options.placed.empty()) {
    svg += "<g stroke=\"#1b1b1b\" stroke-width=\"1.5\" fill=\"#1b1b1b\">\n";
    for (const PlotPoint& point : options.placed) {
      const double cx = frame.px(point.x), cy = frame.py(point.y);
      if (!std::isnan(point.y_low)) {
        const double top = frame.py(point.y_high), bottom = frame.py(point.y_low);
        fmt::format_to(out,
                       "<line x1=\"{0:.2f}\" y1=\"{1:.2f}\" x2=\"{0:.2f}\" y2=\"{2:.2f}\"/>\n"
                       "<line x1=\"{3:.2f}\" y1=\"{1:.2f}\" x2=\"{4:.2f}\" y2=\"{1:.2f}\"/>\n"
                       "<line x1=\"{3:.2f}\" y1=\"{2:.2f}\" x2=\"{4:.2f}\" y2=\"{2:.2f}\"/>\n",
                       cx, top, bottom, cx - 5, cx + 5);
      }
      const double r = point_radius + 2;
      fmt::format_to(
          out, "<polygon points=\"{:.2f},{:.2f} {:.2f},{:.2f} {:.2f},{:.2f} {:.2f},{:.2f}\"/>\n",
          cx, cy - r, cx + r, cy, cx, cy + r, cx - r, cy);
    }
    svg += "</g>\n";
  }
  std::vector<Labelled> labelled;
  if (options.point_labels) {
    for (std::size_t i = 0; i < data.labels.size(); ++i) {
      labelled.push_back({data.x[i], data.y[i], data.labels[i]});
    }
    for (const PlotPoint& point : options.reference) {
      labelled.push_back({point.x, point.y, point.label});
    }
  }
  // Placed points are always labelled: they are what the plot is about.
  for (const PlotPoint& point : options.placed) {
    labelled.push_back({point.x, point.y, point.label});
  }
  if (!labelled.empty()) {
    fmt::format_to(out, "<g font-size=\"{}\" fill=\"#222\">\n", label_font_size);
    for (const auto& [box, label] : place_labels(labelled, frame)) {
      fmt::format_to(out, "<text x=\"{:.2f}\" y=\"{:.2f}\">{}</text>\n", box.left, box.bottom - 3,
                     escape_xml(label));
    }
    svg += "</g>\n";
  }

  // Axis labels and title.
  const std::string x_label = options.x_label.empty() ? data.x_name : options.x_label;
  const std::string y_label = options.y_label.empty() ? data.y_name : options.y_label;
  fmt::format_to(out,
                 "<text x=\"{:.2f}\" y=\"{:.2f}\" font-size=\"14\" text-anchor=\"middle\">{}"
                 "</text>\n",
                 (frame.left() + frame.right()) / 2, height - 22, escape_xml(x_label));
  fmt::format_to(out,
                 "<text transform=\"translate({:.2f},{:.2f}) rotate(-90)\" font-size=\"14\" "
                 "text-anchor=\"middle\">{}</text>\n",
                 22.0, (frame.top() + frame.bottom()) / 2, escape_xml(y_label));
  if (!options.title.empty()) {
    fmt::format_to(out,
                   "<text x=\"{:.2f}\" y=\"{:.2f}\" font-size=\"16\" font-weight=\"bold\" "
                   "text-anchor=\"middle\">{}</text>\n",
                   width / 2, 30.0, escape_xml(options.title));
  }

  // r and RMSE in the top corner the data leaves free: for a falling line the top right.
  const PearsonResult correlation = pearson(data.x, data.y);
  const std::string line1 =
      fmt::format("r = {:.3f}  ·  RMSE = {:.3g}  ·  n = {}", correlation.r, fit.rmse, fit.n);
  std::string line2 =
      fmt::format("band: {:g}% confidence of the fit", options.confidence_level * 100);
  if (!options.reference.empty()) {
    line2 += fmt::format("  ·  ○ {} (not fitted)", options.reference_name);
  }
  const double box_width =
      static_cast<double>(std::max(line1.size(), line2.size())) * 0.56 * 13 + 16;
  const double box_height = 44;
  // Of the four corners, the one covering the fewest points; on a tie the one a line of this
  // slope leaves free (top right for a falling line, top left for a rising one).
  const double left_x = frame.left() + 10, right_x = frame.right() - box_width - 10;
  const double top_y = frame.top() + 10, bottom_y = frame.bottom() - box_height - 10;
  const std::array<std::pair<double, double>, 4> corners =
      fit.slope < 0
          ? std::array<std::pair<double, double>, 4>{{{right_x, top_y},
                                                      {left_x, bottom_y},
                                                      {left_x, top_y},
                                                      {right_x, bottom_y}}}
          : std::array<std::pair<double, double>, 4>{
                {{left_x, top_y}, {right_x, bottom_y}, {right_x, top_y}, {left_x, bottom_y}}};
  std::size_t best_covered = data.x.size() + 1;
  double box_left = left_x, box_top = top_y;
  for (const auto& [corner_left, corner_top] : corners) {
    const Box box{corner_left - 6, corner_top - 6, corner_left + box_width + 6,
                  corner_top + box_height + 6};
    std::size_t covered = 0;
    for (std::size_t i = 0; i < data.x.size(); ++i) {
      const double cx = frame.px(data.x[i]), cy = frame.py(data.y[i]);
      covered += cx >= box.left && cx <= box.right && cy >= box.top && cy <= box.bottom;
    }
    if (covered < best_covered) {
      best_covered = covered;
      box_left = corner_left;
      box_top = corner_top;
    }
  }
  fmt::format_to(out,
                 "<rect x=\"{:.2f}\" y=\"{:.2f}\" width=\"{:.2f}\" height=\"{:.2f}\" rx=\"4\" "
                 "fill=\"white\" fill-opacity=\"0.85\" stroke=\"#999\"/>\n",
                 box_left, box_top, box_width, box_height);
  fmt::format_to(out,
                 "<text x=\"{:.2f}\" y=\"{:.2f}\" font-size=\"13\" fill=\"#111\">{}</text>\n"
                 "<text x=\"{:.2f}\" y=\"{:.2f}\" font-size=\"11\" fill=\"#555\">{}</text>\n",
                 box_left + 8, box_top + 18, escape_xml(line1), box_left + 8, box_top + 35,
                 escape_xml(line2));
  svg += "</svg>\n";
  return svg;
}

}  // namespace stats
LMC_END_NAMESPACE
