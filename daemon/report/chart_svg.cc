// Chart layout and its SVG (chart.h): marks in user units, then text.
#include <algorithm>
#include <cstdio>
#include <iterator>
#include <sstream>

#include "base/human_format.h"
#include "report/chart.h"

namespace retention {
namespace {

constexpr double kPlotWidth = kChartWidth - kChartLeft;
constexpr double kPlotHeight = kChartHeight - kChartBottom;
constexpr double kMinBar = 1.5;  // a value above zero stays visible
constexpr double kDot = 3;

constexpr const char* kColors[] = {"#4c78a8", "#f58518", "#54a24b",
                                   "#e45756", "#72b7b2", "#b279a2"};

std::string Num(double v) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.2f", v);
  return buf;
}

std::string ValueText(const Chart& c, uint64_t v) {
  return c.bytes ? HumanBytes(v) : HumanCount(v) + " " + c.unit;
}

uint64_t Top(const Chart& c) {
  uint64_t top = 1;
  for (const ChartBar& b : c.bars) top = std::max(top, b.value);
  for (const ChartLine& l : c.lines) {
    for (const auto& [when, v] : l.points) top = std::max(top, v);
    if (l.limit) top = std::max(top, *l.limit);
  }
  return top;
}

double Y(uint64_t value, uint64_t top) {
  return kPlotHeight - kPlotHeight * double(value) / double(top);
}

void LayBars(const Chart& c, uint64_t top, ChartLayout* out) {
  const double slot = kPlotWidth / double(std::max<size_t>(c.slots, 1));
  for (const ChartBar& b : c.bars) {
    ChartMark m;
    m.height = std::max(kMinBar, kPlotHeight * double(b.value) / double(top));
    m.x = kChartLeft + slot * double(b.slot);
    m.y = kPlotHeight - m.height;
    m.width = std::max(slot - 1, 1.0);
    m.tip = b.tip;
    out->marks.push_back(std::move(m));
  }
}

void LayLines(const Chart& c, uint64_t top, ChartLayout* out) {
  std::optional<WallTime> first, last;
  for (const ChartLine& l : c.lines) {
    for (const auto& [when, v] : l.points) {
      first = std::min(first.value_or(when), when);
      last = std::max(last.value_or(when), when);
    }
  }
  const double span =
      first ? std::max(1.0, std::chrono::duration<double>(*last - *first)
                                .count())
            : 1.0;
  for (size_t i = 0; i < c.lines.size(); ++i) {
    const ChartLine& l = c.lines[i];
    if (l.limit) {
      ChartMark m{.shape = ChartMark::Shape::kLine, .css_class = "limit"};
      m.color = i;
      m.x = kChartLeft;
      m.y = Y(*l.limit, top);
      m.width = kPlotWidth;
      m.tip = l.name + ": limit " + ValueText(c, *l.limit);
      out->marks.push_back(std::move(m));
    }
    ChartMark m{.shape = ChartMark::Shape::kPolyline};
    m.color = i;
    for (const auto& [when, v] : l.points) {
      const double x =
          kChartLeft +
          kPlotWidth * std::chrono::duration<double>(when - *first).count() /
              span;
      m.points.emplace_back(x, Y(v, top));
    }
    if (m.points.empty()) continue;
    // A line through one place draws nothing: a dot there instead.
    if (std::all_of(m.points.begin(), m.points.end(),
                    [&](const auto& p) { return p == m.points.front(); })) {
      m.shape = ChartMark::Shape::kCircle;
    }
    const uint64_t newest = l.points.back().second;
    m.tip = l.name + ": " + ValueText(c, newest) +
            (l.limit ? " of " + ValueText(c, *l.limit) : "");
    if (m.shape == ChartMark::Shape::kCircle) {
      m.x = m.points.front().first;
      m.y = m.points.front().second;
      m.radius = kDot;
    }
    out->marks.push_back(std::move(m));
  }
}

void WriteMark(const ChartMark& m, std::ostringstream& out) {
  const char* color = kColors[m.color % std::size(kColors)];
  const std::string tip = "<title>" + EscapeHtml(m.tip) + "</title>";
  switch (m.shape) {
    case ChartMark::Shape::kRect:
      out << "<rect class=\"" << m.css_class << "\" fill=\"" << color
          << "\" x=\"" << Num(m.x) << "\" y=\"" << Num(m.y) << "\" width=\""
          << Num(m.width) << "\" height=\"" << Num(m.height) << "\">" << tip
          << "</rect>\n";
      return;
    case ChartMark::Shape::kCircle:
      out << "<circle class=\"" << m.css_class << "\" fill=\"" << color
          << "\" cx=\"" << Num(m.x) << "\" cy=\"" << Num(m.y) << "\" r=\""
          << Num(m.radius) << "\">" << tip << "</circle>\n";
      return;
    case ChartMark::Shape::kPolyline:
      out << "<polyline class=\"" << m.css_class << "\" fill=\"none\" stroke=\""
          << color << "\" stroke-width=\"2\" points=\"";
      for (const auto& [x, y] : m.points) out << Num(x) << "," << Num(y) << " ";
      out << "\">" << tip << "</polyline>\n";
      return;
    case ChartMark::Shape::kLine:
      out << "<line class=\"" << m.css_class << "\" stroke=\"" << color
          << "\" stroke-dasharray=\"6 4\" x1=\"" << Num(m.x) << "\" y1=\""
          << Num(m.y) << "\" x2=\"" << Num(m.x + m.width) << "\" y2=\""
          << Num(m.y + m.height) << "\">" << tip << "</line>\n";
      return;
  }
}

}  // namespace

ChartLayout Layout(const Chart& chart) {
  ChartLayout out;
  const uint64_t top = Top(chart);
  out.top_label = ValueText(chart, top);
  LayBars(chart, top, &out);
  LayLines(chart, top, &out);
  return out;
}

std::string ChartSvg(const Chart& chart) {
  const ChartLayout layout = Layout(chart);
  const std::string heading = EscapeHtml(chart.Heading());
  std::ostringstream out;
  out << "<h3 class=\"chart\">" << heading << "</h3>\n"
      << "<svg class=\"chart\" width=\"" << kChartWidth << "\" height=\""
      << kChartHeight << "\" viewBox=\"0 0 " << kChartWidth << " "
      << kChartHeight << "\" role=\"img\" aria-label=\"" << heading
      << "\" data-unit=\"" << EscapeHtml(chart.unit) << "\">\n<title>"
      << heading << "</title>\n"
      << "<text x=\"0\" y=\"12\">" << EscapeHtml(layout.top_label)
      << "</text><text x=\"0\" y=\"" << Num(kPlotHeight) << "\">0</text>"
      << "<text x=\"" << kChartLeft << "\" y=\"" << kChartHeight - 4 << "\">"
      << EscapeHtml(chart.first_label) << "</text><text x=\"" << kChartWidth
      << "\" y=\"" << kChartHeight - 4 << "\" text-anchor=\"end\">"
      << EscapeHtml(chart.last_label) << "</text>\n";
  for (const ChartMark& m : layout.marks) WriteMark(m, out);
  out << "</svg>\n";
  if (chart.lines.empty()) return out.str();
  out << "<p class=\"legend\">";
  for (size_t i = 0; i < chart.lines.size(); ++i) {
    out << "<span style=\"color:" << kColors[i % std::size(kColors)]
        << "\">&#9632; " << EscapeHtml(chart.lines[i].name) << "</span> ";
  }
  out << "</p>\n";
  return out.str();
}

std::string EscapeHtml(const std::string& s) {
  std::string out;
  out.reserve(s.size());
  for (char c : s) {
    switch (c) {
      case '&':
        out += "&amp;";
        break;
      case '<':
        out += "&lt;";
        break;
      case '>':
        out += "&gt;";
        break;
      case '"':
        out += "&quot;";
        break;
      case '\'':
        out += "&#39;";
        break;
      default:
        out += c;
    }
  }
  return out;
}

}  // namespace retention
