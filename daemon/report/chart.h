// Chart: the HTML report's charts as data, built and laid out by pure
// functions so that what a chart shows can be tested without parsing SVG.
// Each chart answers one question and says in what unit:
//   - removed per day, in the kind's unit (rows, accounts, bytes, files);
//   - occupancy of the largest users over time, each against its quota;
//   - a log set's size over time against its byte budget.
// Layout() turns a chart into marks (bars, lines, dots, limit lines) in
// SVG user units; a value that is not zero always gets a mark of non-zero
// size, and a line of one point a dot, so no chart with data looks empty.
//
// Threading: plain values and pure functions.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "base/clock.h"
#include "report/report.h"

namespace retention {

inline constexpr double kChartWidth = 720;
inline constexpr double kChartHeight = 160;
inline constexpr double kChartLeft = 64;    // room for the value labels
inline constexpr double kChartBottom = 20;  // room for the time labels

struct ChartBar {
  size_t slot = 0;  // its place among `slots`
  uint64_t value = 0;
  std::string tip;  // "2026-01-09: 1,000 rows"
};

struct ChartLine {
  std::string name;
  std::vector<std::pair<WallTime, uint64_t>> points;  // oldest first
  std::optional<uint64_t> limit;                      // quota, budget
};

struct Chart {
  std::string title;  // "Removed per day by rows.tokens"
  std::string unit;   // "rows", "accounts", "files", "bytes"
  bool bytes = false;  // values are bytes: labels in IEC units
  // Bars: one slot per day of the period; lines: over time.
  size_t slots = 0;
  std::vector<ChartBar> bars;
  std::vector<ChartLine> lines;
  std::string first_label, last_label;  // the ends of the time axis

  // "Removed per day by rows.tokens, in rows".
  std::string Heading() const { return title + ", in " + unit; }
};

// The charts of one policy, in order: its series (occupancy), its size
// against its budget (when it has one and measuring runs in the period),
// then what it removed per day (when it removed anything).
std::vector<Chart> PolicyCharts(const Report& report,
                                const PolicyReport& policy);

// What a kind's removals are counted in: "rows" (rows), "accounts"
// (accounts), else "bytes" when any removal had a size, else "files".
std::string RemovalUnit(const PolicyReport& policy);

// One thing drawn. Data marks have class "mark"; a limit line "limit".
struct ChartMark {
  enum class Shape { kRect, kCircle, kPolyline, kLine };
  Shape shape = Shape::kRect;
  const char* css_class = "mark";
  size_t color = 0;  // an index into the palette
  double x = 0, y = 0, width = 0, height = 0;  // rect; line: x,y to x+w,y+h
  double radius = 0;                           // circle at x, y
  std::vector<std::pair<double, double>> points;  // polyline
  std::string tip;
};

struct ChartLayout {
  std::string top_label;  // the value at the top of the plot, with its unit
  std::vector<ChartMark> marks;
};

ChartLayout Layout(const Chart& chart);

// The chart as inline SVG preceded by its <h3> heading (title and unit),
// with the heading also as the SVG's <title> and aria-label, and the unit
// in data-unit. Text is escaped.
std::string ChartSvg(const Chart& chart);

// HTML-escapes &, <, >, " and '.
std::string EscapeHtml(const std::string& text);

}  // namespace retention
