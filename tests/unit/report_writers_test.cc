// The report writers on hand-built Reports: pure functions, no database.
#include <algorithm>
#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>
#include <sstream>
#include <string>
#include <vector>

#include "report/report.h"
#include "unit/html_checker.h"

namespace retention::report_writers_test {
namespace {

using std::chrono::hours;

const WallTime kNow = FromUnixSeconds(1768132800);  // 2026-01-11T12:00:00Z
const Duration kDay = hours(24);
const std::string kHostile = "<script>alert(\"x\")&'</script>";

PolicyReport Policy(const std::string& id, int64_t bytes) {
  PolicyReport p;
  p.id = id;
  p.kind = "files";
  p.limit = "max_age 90d";
  p.limit_age = 90 * kDay;
  p.details = {{"root", "/srv/" + kHostile}};
  p.removed_items = 2;
  p.removed_bytes = bytes;
  p.removed_per_day["2026-01-05"] = {1, bytes / 2};
  p.removed_per_day["2026-01-10"] = {1, bytes - bytes / 2};
  return p;
}

Report Sample() {
  Report r;
  r.generated_at = kNow;
  r.until = kNow;
  r.since = kNow - 7 * kDay;
  r.policies = {Policy("files.backups", 3 << 20), Policy("files.t", 10)};
  r.policies[0].oldest_age = 100 * kDay;
  r.policies[1].oldest_age = 3 * kDay;
  r.policies[1].brake = Brake{"files.t", kHostile, kNow - hours(1)};
  r.ledger_check.entries = 12;
  r.ledger_check.head_hash = std::string(64, 'a');
  r.daemon_events = {{"start", 1}, {"reload", 2}};
  return r;
}

std::vector<std::string> Lines(const std::string& text) {
  std::vector<std::string> lines;
  std::istringstream in(text);
  for (std::string line; std::getline(in, line);) lines.push_back(line);
  return lines;
}

TEST_CASE("compliance compares the oldest item's age with the limit",
          "[report]") {
  PolicyReport p;
  CHECK(CheckCompliance(p) == Compliance::kNotMeasured);
  p.limit_age = kDay;
  CHECK(CheckCompliance(p) == Compliance::kNotMeasured);
  p.oldest_age = kDay;
  CHECK(CheckCompliance(p) == Compliance::kWithin);
  p.oldest_age = kDay + hours(1);
  CHECK(CheckCompliance(p) == Compliance::kOverdue);
}

TEST_CASE("the oldest item's age is shown to a useful precision", "[report]") {
  using std::chrono::minutes;
  using std::chrono::seconds;
  PolicyReport p;
  CHECK(OldestText(p) == "not measured");
  p.oldest_age = 89 * kDay + hours(3) + minutes(4) + seconds(5);
  p.kept_items = 7;
  CHECK(OldestText(p) == "89d3h");
  p.oldest_age = hours(2) + minutes(15) + seconds(9);
  CHECK(OldestText(p) == "2h15m");
  p.oldest_age = seconds(42);
  CHECK(OldestText(p) == "42s");
  p.oldest_age = Duration::zero();
  p.kept_items = 0;
  CHECK(OldestText(p) == "none left");
}

TEST_CASE("what a run left is shown with its bytes against a byte budget",
          "[report]") {
  PolicyReport p;
  CHECK(LeftText(p).empty());
  p.kept_items = 3;
  p.kept_bytes = 12 << 20;
  CHECK(LeftText(p) == "3 items, 12 MiB");
  p.live_bytes = 4 << 20;
  CHECK(LeftText(p) == "3 items, 12 MiB; with live files 16 MiB");
  p.limit_bytes = 20 << 20;
  CHECK(LeftText(p) ==
        "3 items, 12 MiB; with live files 16 MiB of budget 20 MiB");
  p.limit_bytes = 15 << 20;
  CHECK(LeftText(p) ==
        "3 items, 12 MiB; with live files 16 MiB of budget 15 MiB, OVER "
        "BUDGET");
  p.kept_items = 1;
  p.live_bytes = 0;
  p.limit_bytes.reset();
  CHECK(LeftText(p) == "1 item, 12 MiB");
  Report r = Sample();
  r.policies[0].kept_items = 2;
  r.policies[0].kept_bytes = 2048;
  r.policies[0].limit_bytes = 4096;
  CHECK_THAT(FormatReportText(r),
             Catch::Contains("left: 2 items, 2.0 KiB; with live files") &&
                 Catch::Contains("budget 4.0 KiB"));
  CHECK_THAT(FormatReportHtml(r), Catch::Contains("<th>left</th>"));
  nlohmann::json j = nlohmann::json::parse(FormatReportJson(r));
  CHECK(j["policies"][0]["kept_bytes"] == 2048);
  CHECK(j["policies"][0]["live_bytes"] == 0);
  CHECK(j["policies"][0]["limit_bytes"] == 4096);
  CHECK(j["policies"][1]["limit_bytes"].is_null());
}

TEST_CASE("holds in place are listed by every report format", "[report]") {
  Report r = Sample();
  CHECK_THAT(FormatReportText(r), Catch::Contains("holds: none"));
  r.holds = {Hold{"path", "/data/<b>", "legal hold 17", "uid 0", kNow}};
  CHECK_THAT(FormatReportText(r),
             Catch::Contains("  path /data/<b> since 2026-01-11T12:00:00Z by "
                             "uid 0: legal hold 17"));
  const std::string html = FormatReportHtml(r);
  CHECK_THAT(html, Catch::Contains("path /data/&lt;b&gt; since"));
  nlohmann::json j = nlohmann::json::parse(FormatReportJson(r));
  CHECK(j["holds"][0]["target"] == "/data/<b>");
  CHECK(j["holds"][0]["reason"] == "legal hold 17");
}

TEST_CASE("the audit run with a report is shown by every report format",
          "[report]") {
  Report r = Sample();
  CHECK_THAT(FormatReportText(r), !Catch::Contains("audit"));
  CHECK(nlohmann::json::parse(FormatReportJson(r))["audit"].is_null());
  AuditFinding kept{.policy = "files.a", .kind = "files", .unit = "file"};
  kept.kept = 4;
  AuditFinding broken{.policy = "rows.<t>", .kind = "rows", .unit = "row"};
  broken.overdue = 3;
  broken.oldest = kNow - hours(2);
  r.audit = std::vector<AuditFinding>{kept, broken};
  const std::string text = FormatReportText(r);
  CHECK_THAT(text, Catch::Contains("  ✓ files.a: nothing past its deadline"));
  CHECK_THAT(text, Catch::Contains("  ✗ rows.<t>: 3 rows past the deadline, "
                                   "oldest 2h old"));
  const std::string html = FormatReportHtml(r);
  CHECK_THAT(html, Catch::Contains("<span class=\"bad\">✗ rows.&lt;t&gt;: 3"));
  nlohmann::json j = nlohmann::json::parse(FormatReportJson(r));
  CHECK(j["audit"]["ok"] == false);
  CHECK(j["audit"]["policies"][1]["policy"] == "rows.<t>");
  CHECK(j["audit"]["policies"][1]["overdue"] == 3);
  CHECK(j["audit"]["policies"][0]["ok"] == true);
}

TEST_CASE("the days of a period run from its first to its last UTC day",
          "[report]") {
  std::vector<std::string> days = DaysInPeriod(kNow - 2 * kDay, kNow);
  CHECK(days ==
        std::vector<std::string>{"2026-01-09", "2026-01-10", "2026-01-11"});
  CHECK(DaysInPeriod(kNow, kNow) == std::vector<std::string>{"2026-01-11"});
}

TEST_CASE("the text report opens with its verdict, then a block per policy",
          "[report]") {
  Report r = Sample();
  r.version = "0.1.0";
  r.config_path = "/etc/retentiond/retentiond.conf";
  r.policies[1].description = "Temporary files are deleted after 90 days.";
  r.policies[1].worst_late = hours(26);
  const std::vector<std::string> lines = Lines(FormatReportText(r));
  REQUIRE(lines.size() > 6);
  CHECK(lines[1] == "retentiond 0.1.0, config /etc/retentiond/retentiond.conf");
  CHECK(lines[2] ==
        "period 2026-01-04T12:00:00Z .. 2026-01-11T12:00:00Z (7d)");
  CHECK(lines[3] == "verdict: 1 of 2 promises kept; NOT KEPT: files.backups");
  CHECK(lines[4] == "ledger: verified, 12 entries");
  const std::string text = FormatReportText(r);
  CHECK_THAT(text, Catch::Contains("\nfiles.backups (files): ✗ NOT KEPT") &&
                       Catch::Contains("\nfiles.t (files): ✓ kept\n"
                                       "  promise: Temporary files are "
                                       "deleted after 90 days.\n"
                                       "  limit: max_age 90d\n"
                                       "  oldest survivor: 3d\n"
                                       "  removed in the period: 2 items, 10 B;"
                                       " worst lateness 1d2h\n"));
  CHECK(text.find("reload=2 start=1") != std::string::npos);
  nlohmann::json j = nlohmann::json::parse(FormatReportJson(r));
  CHECK(j["version"] == "0.1.0");
  CHECK(j["verdict"]["promises"] == 2);
  CHECK(j["verdict"]["not_kept"] == nlohmann::json{"files.backups"});
  CHECK(j["policies"][1]["description"] ==
        "Temporary files are deleted after 90 days.");
  CHECK(j["policies"][1]["worst_lateness_seconds"] == 26 * 3600);
  CHECK_THAT(FormatReportHtml(r),
             Catch::Contains("1 of 2 promises kept; NOT KEPT: files.backups"));
}

TEST_CASE("no line of the text report passes 80 columns", "[report]") {
  Report r = Sample();
  r.config_path = "/etc/" + std::string(120, 'c');
  r.policies[0].description = std::string(200, 'd');
  r.policies[0].details.push_back({"paths", "/var/log/app/a.log /var/log/b"});
  r.holds = {Hold{"path", "/data/" + std::string(90, 'p'), "legal", "uid 0",
                  kNow}};
  for (const std::string& line : Lines(FormatReportText(r))) {
    INFO(line);
    CHECK(line.size() <= 80 * 4);  // bytes: a code point is at most 4
    CHECK(std::count_if(line.begin(), line.end(), [](char c) {
            return (static_cast<unsigned char>(c) & 0xC0) != 0x80;
          }) <= 80);
  }
}

TEST_CASE("the JSON report parses and has every schema field", "[report]") {
  nlohmann::json j = nlohmann::json::parse(FormatReportJson(Sample()));
  CHECK(j["schema"] == "retentiond.report.v1");
  CHECK(j["generated_at"] == "2026-01-11T12:00:00Z");
  CHECK(j["period"]["since"] == "2026-01-04T12:00:00Z");
  CHECK(j["ledger"]["verified"] == true);
  CHECK(j["ledger"]["first_bad_seq"].is_null());
  CHECK(j["clock_brake"].is_null());
  CHECK(j["daemon_events"]["reload"] == 2);
  const nlohmann::json& p = j["policies"][0];
  for (const char* key :
       {"id", "kind", "configured", "limit", "limit_age_seconds",
        "oldest_age_seconds", "compliance", "details", "last_run", "removed",
        "removed_per_day", "brake"}) {
    INFO(key);
    CHECK(p.contains(key));
  }
  CHECK(p["compliance"] == "overdue");
  CHECK(p["limit_age_seconds"] == 90 * 86400);
  CHECK(p["last_run"].is_null());
  CHECK(p["removed"]["bytes"] == 3 << 20);
  CHECK(p["removed_per_day"][1]["day"] == "2026-01-10");
  CHECK(j["policies"][1]["compliance"] == "within");
  CHECK(j["policies"][1]["brake"]["reason"] == kHostile);
}

TEST_CASE("every report format names the host it was built on", "[report]") {
  Report r = Sample();
  r.host = "web1.example.org";
  CHECK(FormatReportText(r).rfind(
            "retention report of web1.example.org, generated ", 0) == 0);
  CHECK(nlohmann::json::parse(FormatReportJson(r))["host"] ==
        "web1.example.org");
  CHECK(FormatReportHtml(r).find("<p>host web1.example.org, retentiond ") !=
        std::string::npos);
  r.host = "";
  CHECK(FormatReportText(r).rfind("retention report, generated ", 0) == 0);
}

TEST_CASE("the HTML report is well-formed, self-contained and escaped",
          "[report]") {
  const std::string html = FormatReportHtml(Sample());
  CHECK(CheckHtmlNesting(html) == "");
  CHECK(CheckSelfContained(html) == "");
  CHECK(html.find(kHostile) == std::string::npos);
  CHECK(html.find(
            "&lt;script&gt;alert(&quot;x&quot;)&amp;&#39;&lt;/script&gt;") !=
        std::string::npos);
  CHECK(html.find("<svg") != std::string::npos);
  CHECK(html.find("<rect") != std::string::npos);
  CHECK(html.find("✗ NOT KEPT") != std::string::npos);
}

TEST_CASE("the HTML checker catches what it is meant to catch", "[report]") {
  CHECK(CheckHtmlNesting("<p><b>x</p></b>") != "");
  CHECK(CheckHtmlNesting("<p>a < b</p>") != "");
  CHECK(CheckHtmlNesting("<div>") != "");
  CHECK(CheckHtmlNesting("<p>x<br><rect/></p>") == "");
  CHECK(CheckSelfContained("<img src=\"x\">") != "");
}

TEST_CASE("the text report shows control characters in a path as '?'",
          "[report]") {
  Report r = Sample();
  r.policies[0].details = {{"root", "/srv/\x1b[2Jevil"}};
  const std::string text = FormatReportText(r);
  CHECK(text.find('\x1b') == std::string::npos);
  CHECK(text.find("/srv/?[2Jevil") != std::string::npos);
}

}  // namespace
}  // namespace retention::report_writers_test
