#include "ai/report/svg_chart.h"

#include <algorithm>
#include <cmath>

#include <fmt/format.h>

namespace vcfagent::ai::report {
namespace {

constexpr int kLeft = 70;
constexpr int kRight = 16;
constexpr int kTop = 44;
constexpr int kBottom = 64;
constexpr const char* kFont = "font-family=\"sans-serif\"";

// Coordinates with one decimal: enough for screens, stable bytes.
std::string Num(double v) {
  std::string s = fmt::format("{:.1f}", v);
  if (s.size() > 2 && s.compare(s.size() - 2, 2, ".0") == 0) s.resize(s.size() - 2);
  return s == "-0" ? "0" : s;
}

struct Frame {
  int width, height;
  double plot_left() const { return kLeft; }
  double plot_right() const { return width - kRight; }
  double plot_top() const { return kTop; }
  double plot_bottom() const { return height - kBottom; }
  double plot_width() const { return plot_right() - plot_left(); }
  double plot_height() const { return plot_bottom() - plot_top(); }
};

std::string Open(const Frame& f, std::string_view title) {
  std::string out = fmt::format(
      "<svg xmlns=\"http://www.w3.org/2000/svg\" viewBox=\"0 0 {} {}\" width=\"{}\" height=\"{}\" "
      "role=\"img\" {} font-size=\"11\">\n<title>{}</title>\n"
      "<rect x=\"0\" y=\"0\" width=\"{}\" height=\"{}\" fill=\"#ffffff\"/>\n"
      "<text x=\"{}\" y=\"18\" text-anchor=\"middle\" font-size=\"14\" font-weight=\"bold\">{}</text>\n",
      f.width, f.height, f.width, f.height, kFont, XmlEscape(title), f.width, f.height,
      Num(f.width / 2.0), XmlEscape(title));
  return out;
}

// The y axis with grid lines and tick labels, and both axis titles.
std::string Axes(const Frame& f, const std::vector<double>& y_ticks, double y_max,
                 std::string_view x_label, std::string_view y_label) {
  std::string out;
  for (double t : y_ticks) {
    const double y = f.plot_bottom() - (y_max > 0 ? t / y_max : 0) * f.plot_height();
    out += fmt::format("<line x1=\"{}\" y1=\"{}\" x2=\"{}\" y2=\"{}\" stroke=\"#e0e0e0\"/>\n",
                       Num(f.plot_left()), Num(y), Num(f.plot_right()), Num(y));
    out += fmt::format("<text x=\"{}\" y=\"{}\" text-anchor=\"end\">{}</text>\n", Num(f.plot_left() - 6),
                       Num(y + 4), XmlEscape(FormatTick(t)));
  }
  out += fmt::format("<line x1=\"{0}\" y1=\"{1}\" x2=\"{0}\" y2=\"{2}\" stroke=\"#333333\"/>\n",
                     Num(f.plot_left()), Num(f.plot_top()), Num(f.plot_bottom()));
  out += fmt::format("<line x1=\"{0}\" y1=\"{2}\" x2=\"{1}\" y2=\"{2}\" stroke=\"#333333\"/>\n",
                     Num(f.plot_left()), Num(f.plot_right()), Num(f.plot_bottom()));
  out += fmt::format("<text x=\"{}\" y=\"{}\" text-anchor=\"middle\" font-size=\"12\">{}</text>\n",
                     Num(f.plot_left() + f.plot_width() / 2), Num(f.height - 8), XmlEscape(x_label));
  out += fmt::format(
      "<text x=\"14\" y=\"{0}\" text-anchor=\"middle\" font-size=\"12\" transform=\"rotate(-90 14 {0})\">{1}</text>\n",
      Num(f.plot_top() + f.plot_height() / 2), XmlEscape(y_label));
  return out;
}

std::string Legend(const Frame& f, const std::vector<std::pair<std::string, std::string>>& entries) {
  std::string out;
  double x = f.plot_left();
  for (const auto& [name, color] : entries) {
    out += fmt::format("<rect x=\"{}\" y=\"26\" width=\"10\" height=\"10\" fill=\"{}\"/>\n", Num(x),
                       XmlEscape(color));
    out += fmt::format("<text x=\"{}\" y=\"35\">{}</text>\n", Num(x + 14), XmlEscape(name));
    x += 24 + 6.5 * static_cast<double>(name.size());
  }
  return out;
}

double Finite(double v) { return std::isfinite(v) ? v : 0; }

}  // namespace

std::string XmlEscape(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  for (char c : text) {
    switch (c) {
      case '&': out += "&amp;"; break;
      case '<': out += "&lt;"; break;
      case '>': out += "&gt;"; break;
      case '"': out += "&quot;"; break;
      case '\'': out += "&#39;"; break;
      default:
        // XML 1.0 allows tab, LF and CR among the control characters; others make it ill-formed.
        if (static_cast<unsigned char>(c) < 0x20 && c != '\t' && c != '\n' && c != '\r') break;
        out += c;
    }
  }
  return out;
}

std::vector<double> NiceTicks(double max) {
  if (!(max > 0) || !std::isfinite(max)) return {0, 1};
  const double raw = max / 5;
  const double magnitude = std::pow(10.0, std::floor(std::log10(raw)));
  double step = magnitude;
  for (double m : {1.0, 2.0, 5.0, 10.0}) {
    step = m * magnitude;
    if (step >= raw) break;
  }
  std::vector<double> ticks;
  for (int i = 0;; ++i) {
    const double t = i * step;
    ticks.push_back(t);
    if (t >= max) break;
  }
  return ticks;
}

std::string FormatTick(double value) {
  const double a = std::fabs(value);
  auto trim = [](std::string s) {
    if (s.find('.') != std::string::npos) {
      while (s.back() == '0') s.pop_back();
      if (s.back() == '.') s.pop_back();
    }
    return s;
  };
  if (a >= 1e9) return trim(fmt::format("{:.2f}", value / 1e9)) + "G";
  if (a >= 1e6) return trim(fmt::format("{:.2f}", value / 1e6)) + "M";
  if (a >= 1e4) return trim(fmt::format("{:.1f}", value / 1e3)) + "k";
  return trim(fmt::format("{:.3f}", value));
}

std::string RenderBarChart(const BarChart& chart) {
  const Frame f{chart.width, chart.height};
  const size_t n = chart.categories.size();
  double y_max = 0;
  for (size_t c = 0; c < n; ++c) {
    double stack = 0;
    for (const auto& s : chart.series) {
      const double v = c < s.values.size() ? std::max(0.0, Finite(s.values[c])) : 0;
      stack += v;
      if (!chart.stacked) y_max = std::max(y_max, v);
    }
    if (chart.stacked) y_max = std::max(y_max, stack);
  }
  const std::vector<double> ticks = NiceTicks(y_max);
  const double top = ticks.back();
  std::string out = Open(f, chart.title);
  out += Axes(f, ticks, top, chart.x_label, chart.y_label);
  if (chart.series.size() > 1) {
    std::vector<std::pair<std::string, std::string>> entries;
    for (const auto& s : chart.series) entries.emplace_back(s.name, s.color);
    out += Legend(f, entries);
  }
  if (n == 0) {
    out += fmt::format("<text x=\"{}\" y=\"{}\" text-anchor=\"middle\" fill=\"#666666\">no data</text>\n",
                       Num(f.plot_left() + f.plot_width() / 2), Num(f.plot_top() + f.plot_height() / 2));
    return out + "</svg>\n";
  }
  const double slot = f.plot_width() / static_cast<double>(n);
  const double gap = slot > 6 ? slot * 0.15 : 0;
  const size_t groups = chart.stacked ? 1 : std::max<size_t>(1, chart.series.size());
  const double bar = (slot - 2 * gap) / static_cast<double>(groups);
  // Labels need ~7 px per character; show every k-th so they never overlap.
  size_t longest = 1;
  for (const auto& c : chart.categories) longest = std::max(longest, c.size());
  const bool rotate = longest * 6.5 > slot;
  const double label_room = rotate ? 12 : static_cast<double>(longest) * 6.5 + 4;
  const size_t every = std::max<size_t>(1, static_cast<size_t>(std::ceil(label_room / slot)));
  for (size_t c = 0; c < n; ++c) {
    const double x0 = f.plot_left() + slot * static_cast<double>(c) + gap;
    double stack = 0;
    for (size_t k = 0; k < chart.series.size(); ++k) {
      const auto& s = chart.series[k];
      const double v = c < s.values.size() ? std::max(0.0, Finite(s.values[c])) : 0;
      const double h = top > 0 ? v / top * f.plot_height() : 0;
      const double x = chart.stacked ? x0 : x0 + bar * static_cast<double>(k);
      const double y = f.plot_bottom() - (chart.stacked ? stack : 0) - h;
      if (chart.stacked) stack += h;
      if (h <= 0) continue;
      out += fmt::format("<rect x=\"{}\" y=\"{}\" width=\"{}\" height=\"{}\" fill=\"{}\"><title>{}: {}</title></rect>\n",
                         Num(x), Num(y), Num(std::max(bar, 0.5)), Num(h), XmlEscape(s.color),
                         XmlEscape(chart.categories[c] + (chart.series.size() > 1 ? " " + s.name : "")),
                         XmlEscape(FormatTick(v)));
    }
    if (c % every != 0) continue;
    const double cx = f.plot_left() + slot * (static_cast<double>(c) + 0.5);
    const double ly = f.plot_bottom() + 14;
    if (rotate) {
      out += fmt::format("<text x=\"{0}\" y=\"{1}\" text-anchor=\"end\" transform=\"rotate(-45 {0} {1})\">{2}</text>\n",
                         Num(cx), Num(ly), XmlEscape(chart.categories[c]));
    } else {
      out += fmt::format("<text x=\"{}\" y=\"{}\" text-anchor=\"middle\">{}</text>\n", Num(cx), Num(ly),
                         XmlEscape(chart.categories[c]));
    }
  }
  return out + "</svg>\n";
}

std::string RenderScatterChart(const ScatterChart& chart) {
  const Frame f{chart.width, chart.height};
  const size_t n = std::min(chart.x.size(), chart.y.size());
  double x_max = 0, y_max = 0;
  for (size_t i = 0; i < n; ++i) {
    x_max = std::max(x_max, Finite(chart.x[i]));
    y_max = std::max(y_max, Finite(chart.y[i]));
  }
  const std::vector<double> y_ticks = NiceTicks(y_max);
  const std::vector<double> x_ticks = NiceTicks(x_max);
  const double y_top = y_ticks.back(), x_top = x_ticks.back();
  std::string out = Open(f, chart.title);
  out += Axes(f, y_ticks, y_top, chart.x_label, chart.y_label);
  for (double t : x_ticks) {
    const double x = f.plot_left() + (x_top > 0 ? t / x_top : 0) * f.plot_width();
    out += fmt::format("<text x=\"{}\" y=\"{}\" text-anchor=\"middle\">{}</text>\n", Num(x),
                       Num(f.plot_bottom() + 14), XmlEscape(FormatTick(t)));
  }
  bool any_highlight = false;
  for (size_t i = 0; i < n; ++i) {
    const bool hi = i < chart.highlighted.size() && chart.highlighted[i];
    any_highlight |= hi;
    const double x = f.plot_left() + (x_top > 0 ? std::max(0.0, Finite(chart.x[i])) / x_top : 0) * f.plot_width();
    const double y = f.plot_bottom() - (y_top > 0 ? std::max(0.0, Finite(chart.y[i])) / y_top : 0) * f.plot_height();
    out += fmt::format("<circle cx=\"{}\" cy=\"{}\" r=\"{}\" fill=\"{}\" fill-opacity=\"0.7\">", Num(x), Num(y),
                       hi ? 4 : 3, hi ? "#e15759" : "#4e79a7");
    if (i < chart.point_labels.size()) out += "<title>" + XmlEscape(chart.point_labels[i]) + "</title>";
    out += "</circle>\n";
  }
  if (any_highlight) {
    out += Legend(f, {{"samples", "#4e79a7"}, {chart.highlight_name.empty() ? "highlighted" : chart.highlight_name, "#e15759"}});
  }
  if (n == 0) {
    out += fmt::format("<text x=\"{}\" y=\"{}\" text-anchor=\"middle\" fill=\"#666666\">no data</text>\n",
                       Num(f.plot_left() + f.plot_width() / 2), Num(f.plot_top() + f.plot_height() / 2));
  }
  return out + "</svg>\n";
}

}  // namespace vcfagent::ai::report
