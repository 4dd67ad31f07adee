// The report's chart builders (report/chart.h): every chart has a title
// and a unit, removals are counted in the kind's unit, a one-point series
// and a tiny value still draw a visible mark, limits are drawn as lines.
#include <catch2/catch.hpp>
#include <string>

#include "report/chart.h"

namespace retention::chart_test {
namespace {

using std::chrono::hours;

const WallTime kNow = FromUnixSeconds(1768132800);  // 2026-01-11T12:00:00Z
const Duration kDay = hours(24);

Report Period() {
  Report r;
  r.generated_at = kNow;
  r.until = kNow;
  r.since = kNow - 7 * kDay;
  return r;
}

PolicyReport Removing(const std::string& kind, int64_t items, int64_t bytes) {
  PolicyReport p;
  p.id = kind + ".x";
  p.kind = kind;
  p.removed_per_day["2026-01-09"] = {items, bytes};
  p.removed_per_day["2026-01-10"] = {1, bytes == 0 ? 0 : 1};
  return p;
}

PolicyReport Occupancy(std::vector<ChartSeries> series) {
  PolicyReport p;
  p.id = p.kind = "occupancy";
  p.series_title = "Occupancy of the largest users against their quota";
  p.series = std::move(series);
  return p;
}

// Data marks with an area (bars, dots) or a length (lines).
size_t VisibleMarks(const Chart& chart) {
  size_t n = 0;
  for (const ChartMark& m : Layout(chart).marks) {
    if (std::string(m.css_class) != "mark") continue;
    switch (m.shape) {
      case ChartMark::Shape::kRect:
        n += m.width > 0 && m.height > 0;
        break;
      case ChartMark::Shape::kCircle:
        n += m.radius > 0;
        break;
      case ChartMark::Shape::kPolyline:
        n += m.points.size() >= 2 && m.points.front() != m.points.back();
        break;
      case ChartMark::Shape::kLine:
        break;
    }
  }
  return n;
}

void CheckTitledWithMarks(const std::vector<Chart>& charts) {
  for (const Chart& c : charts) {
    CHECK_FALSE(c.title.empty());
    CHECK_FALSE(c.unit.empty());
    CHECK(c.Heading().find(", in " + c.unit) != std::string::npos);
    CHECK(VisibleMarks(c) > 0);
    const std::string svg = ChartSvg(c);
    CHECK(svg.find("data-unit=\"" + c.unit + "\"") != std::string::npos);
    CHECK(svg.find("<title>" + EscapeHtml(c.Heading()) + "</title>") !=
          std::string::npos);
  }
}

TEST_CASE("a rows policy's removals chart counts rows, never its zero bytes",
          "[chart]") {
  const std::vector<Chart> charts =
      PolicyCharts(Period(), Removing("rows", 1772, 0));
  REQUIRE(charts.size() == 1);
  CHECK(charts[0].unit == "rows");
  CHECK_FALSE(charts[0].bytes);
  REQUIRE(charts[0].bars.size() == 2);
  CHECK(charts[0].bars[0].value == 1772);
  CHECK(charts[0].bars[0].tip == "2026-01-09: 1,772 rows");
  CheckTitledWithMarks(charts);
}

TEST_CASE("removals are charted in each kind's unit", "[chart]") {
  CHECK(RemovalUnit(Removing("accounts", 3, 5 << 20)) == "accounts");
  CHECK(RemovalUnit(Removing("files", 3, 5 << 20)) == "bytes");
  CHECK(RemovalUnit(Removing("logs", 3, 5 << 20)) == "bytes");
  // Empty files removed: their count, not an empty chart of zero bytes.
  CHECK(RemovalUnit(Removing("files", 3, 0)) == "files");
  for (const char* kind : {"rows", "accounts", "files", "logs"}) {
    CheckTitledWithMarks(PolicyCharts(Period(), Removing(kind, 3, 0)));
    CheckTitledWithMarks(PolicyCharts(Period(), Removing(kind, 3, 7 << 20)));
  }
}

TEST_CASE("a day's tiny removal next to a huge one still draws a bar",
          "[chart]") {
  const Chart c = PolicyCharts(Period(), Removing("rows", 10000000, 0))[0];
  const ChartLayout layout = Layout(c);
  REQUIRE(layout.marks.size() == 2);
  CHECK(layout.marks[1].height >= 1.0);
  CHECK(layout.top_label == "10,000,000 rows");
}

TEST_CASE("a one-point occupancy series draws a dot, against its quota",
          "[chart]") {
  const std::vector<Chart> charts = PolicyCharts(
      Period(), Occupancy({{"alice", {{kNow - hours(1), 5 << 20}}, 10 << 20}}));
  REQUIRE(charts.size() == 1);
  CHECK(charts[0].unit == "bytes");
  const ChartLayout layout = Layout(charts[0]);
  REQUIRE(layout.marks.size() == 2);
  CHECK(std::string(layout.marks[0].css_class) == "limit");
  CHECK(layout.marks[0].y == Approx(140.0 - 140.0));  // the quota is the top
  CHECK(layout.marks[1].shape == ChartMark::Shape::kCircle);
  CHECK(layout.marks[1].y == Approx(70.0));  // half the quota
  CHECK(layout.marks[1].tip == "alice: 5.0 MiB of 10 MiB");
  CheckTitledWithMarks(charts);
}

TEST_CASE("a line whose points coincide draws a dot", "[chart]") {
  const std::vector<Chart> charts =
      PolicyCharts(Period(), Occupancy({{"bob", {{kNow, 0}, {kNow, 0}}}}));
  REQUIRE(charts.size() == 1);
  CHECK(Layout(charts[0]).marks.back().shape == ChartMark::Shape::kCircle);
  CheckTitledWithMarks(charts);
}

TEST_CASE("a log set's size is charted against its budget", "[chart]") {
  PolicyReport p = Removing("logs", 2, 3 << 20);
  p.limit_bytes = 20 << 20;
  p.size_history = {{kNow - 2 * kDay, 12 << 20}, {kNow - kDay, 18 << 20}};
  const std::vector<Chart> charts = PolicyCharts(Period(), p);
  REQUIRE(charts.size() == 2);
  CHECK(charts[0].Heading() ==
        "Size of logs.x against its budget of 20 MiB, in bytes");
  CHECK(charts[0].first_label == "2026-01-09");
  CHECK(charts[0].last_label == "2026-01-10");
  CHECK(charts[1].title == "Removed per day by logs.x");
  CheckTitledWithMarks(charts);
}

TEST_CASE("a policy that removed nothing and measures nothing has no chart",
          "[chart]") {
  PolicyReport p = Removing("files", 1, 0);
  p.removed_per_day.clear();
  p.limit_bytes = 1;  // a budget, but no measuring run yet
  CHECK(PolicyCharts(Period(), p).empty());
}

TEST_CASE("chart text from the configuration is escaped", "[chart]") {
  PolicyReport p = Removing("rows", 3, 0);
  p.id = "rows.<script>";
  const std::string svg = ChartSvg(PolicyCharts(Period(), p)[0]);
  CHECK(svg.find("<script>") == std::string::npos);
  CHECK(svg.find("rows.&lt;script&gt;") != std::string::npos);
}

}  // namespace
}  // namespace retention::chart_test
