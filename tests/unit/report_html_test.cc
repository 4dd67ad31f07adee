// The HTML report's charts (issue 19): a rows policy's chart plots rows (its
// bytes are always 0), a one-point series draws a dot, and every chart has a
// title naming its unit.
#include <catch2/catch.hpp>
#include <regex>
#include <string>

#include "report/report.h"
#include "unit/html_checker.h"

namespace retention::report_html_test {
namespace {

using std::chrono::hours;

const WallTime kNow = FromUnixSeconds(1768132800);  // 2026-01-11T12:00:00Z
const Duration kDay = hours(24);

Report WithPolicy(PolicyReport p) {
  Report r;
  r.generated_at = kNow;
  r.until = kNow;
  r.since = kNow - 7 * kDay;
  r.policies = {std::move(p)};
  return r;
}

PolicyReport RowsPolicy() {
  PolicyReport p;
  p.id = "rows.tokens";
  p.kind = "rows";
  p.limit = "max_age 1h";
  p.removed_items = 1772;
  p.removed_per_day["2026-01-09"] = {1000, 0};
  p.removed_per_day["2026-01-10"] = {772, 0};
  return p;
}

// The heights of the bars drawn.
std::vector<double> BarHeights(const std::string& html) {
  static const std::regex kBar(
      R"re(<rect class="mark"[^>]* height="([0-9.]+)")re");
  std::vector<double> out;
  for (auto m = std::sregex_iterator(html.begin(), html.end(), kBar);
       m != std::sregex_iterator(); ++m) {
    out.push_back(std::stod((*m)[1]));
  }
  return out;
}

// Each <svg> is preceded by its <h3> title and carries a <title>.
void CheckChartsTitled(const std::string& html) {
  size_t charts = 0;
  for (size_t at = html.find("<svg"); at != std::string::npos;
       at = html.find("<svg", at + 1)) {
    ++charts;
    const size_t heading = html.rfind("<h3 class=\"chart\">", at);
    REQUIRE(heading != std::string::npos);
    CHECK(html.find("</h3>\n", heading) + 6 == at);  // right before it
    const size_t end = html.find("</svg>", at);
    CHECK(html.substr(at, end - at).find("<title>") != std::string::npos);
  }
  CHECK(charts > 0);
}

TEST_CASE("a rows policy's chart plots rows removed, not its zero bytes",
          "[report]") {
  const std::string html = FormatReportHtml(WithPolicy(RowsPolicy()));
  CHECK(CheckHtmlNesting(html) == "");
  const std::vector<double> bars = BarHeights(html);
  REQUIRE(bars.size() == 2);
  CHECK(bars[0] == Approx(140.0));  // 1000 of 1000 at full height
  CHECK(bars[1] == Approx(140.0 * 772 / 1000).margin(0.01));
  CHECK(html.find("Removed per day by rows.tokens, in rows</h3>") !=
        std::string::npos);
  CheckChartsTitled(html);
}

TEST_CASE("a files policy's chart plots bytes and says so", "[report]") {
  PolicyReport p = RowsPolicy();
  p.id = "files.backups";
  p.kind = "files";
  p.removed_per_day["2026-01-09"] = {2, 3 << 20};
  p.removed_per_day["2026-01-10"] = {1, 1 << 20};
  const std::string html = FormatReportHtml(WithPolicy(p));
  CHECK(html.find("Removed per day by files.backups, in bytes</h3>") !=
        std::string::npos);
  const std::vector<double> bars = BarHeights(html);
  REQUIRE(bars.size() == 2);
  CHECK(bars[1] == Approx(140.0 / 3).margin(0.01));
  CheckChartsTitled(html);
}

TEST_CASE("a one-point occupancy series draws a dot under a titled chart",
          "[report]") {
  PolicyReport p;
  p.id = "occupancy";
  p.kind = "occupancy";
  p.series_title = "allocated bytes of the largest users over time";
  p.series = {{"alice", {{kNow - hours(1), 5 << 20}}},
              {"bob", {{kNow - hours(1), 1 << 20}}}};
  const std::string html = FormatReportHtml(WithPolicy(p));
  CHECK(CheckHtmlNesting(html) == "");
  size_t dots = 0;
  for (size_t at = html.find("<circle"); at != std::string::npos;
       at = html.find("<circle", at + 1)) {
    ++dots;
  }
  CHECK(dots == 2);
  CHECK(html.find("over time, in bytes</h3>") != std::string::npos);
  CheckChartsTitled(html);
}

}  // namespace
}  // namespace retention::report_html_test
