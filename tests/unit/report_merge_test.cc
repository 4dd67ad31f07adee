// Merging hosts' JSON reports (report_merge.h): the inputs are written by
// the real JSON writer from hand-built Reports, so the merge reads exactly
// what retentionctl report --format json and the daily report write.
#include "report/report_merge.h"

#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>
#include <sstream>

#include "base/text_table.h"
#include "report/report.h"

namespace retention::report_merge_test {
namespace {

using std::chrono::hours;

const WallTime kNow = FromUnixSeconds(1768132800);  // 2026-01-11T12:00:00Z
const Duration kDay = hours(24);

PolicyReport Policy(const std::string& id, int64_t items, int64_t bytes,
                    Duration oldest, Duration limit = 90 * kDay) {
  PolicyReport p;
  p.id = id;
  p.kind = id.substr(0, id.find('.'));
  p.limit = "max_age " + std::to_string(limit / kDay) + "d";
  p.limit_age = limit;
  p.oldest_age = oldest;
  p.kept_items = 3;
  p.measured_at = kNow - hours(1);
  p.removed_items = items;
  p.removed_bytes = bytes;
  RunRecord run;
  run.started = kNow - hours(1);
  run.finished = kNow - hours(1);
  run.outcome = "ok";
  p.last_run = run;
  return p;
}

std::string HostJson(std::vector<PolicyReport> policies, bool verified = true) {
  Report r;
  r.generated_at = kNow;
  r.until = kNow;
  r.since = kNow - 30 * kDay;
  r.policies = std::move(policies);
  r.ledger_check.entries = 40;
  r.ledger_check.head_hash = std::string(64, 'b');
  if (!verified) {
    r.ledger_check.ok = false;
    r.ledger_check.first_bad_seq = 17;
    r.ledger_check.problem = "hash mismatch";
  }
  return FormatReportJson(r);
}

std::vector<ReportFile> Fleet() {
  return {
      {"web1.json", HostJson({Policy("files.backups", 10, 4 << 20, 12 * kDay),
                              Policy("rows.tokens", 1000, 0, hours(1))})},
      {"web2.json", HostJson({Policy("files.backups", 5, 1 << 20, 40 * kDay),
                              Policy("rows.tokens", 772, 0, hours(2))})},
      {"web3.json", HostJson({Policy("files.backups", 0, 0, 2 * kDay)})},
  };
}

const MergedPolicy& Find(const MergedReport& r, const std::string& id) {
  for (const MergedPolicy& p : r.policies) {
    if (p.id == id) return p;
  }
  FAIL("no policy " << id);
  return r.policies.front();
}

std::string MergeError(const std::string& path, const std::string& text) {
  auto merged = MergeReports({{"good.json", HostJson({})}, {path, text}});
  REQUIRE_FALSE(merged.ok());
  return merged.status().message();
}

TEST_CASE("merging several hosts sums removals per policy and names each host",
          "[merge]") {
  auto merged = MergeReports(Fleet());
  REQUIRE(merged.ok());
  REQUIRE(merged->hosts.size() == 3);
  CHECK(merged->hosts[0].host == "web1");
  CHECK(merged->hosts[2].host == "web3");
  const MergedPolicy& backups = Find(*merged, "files.backups");
  REQUIRE(backups.hosts.size() == 3);
  CHECK(backups.removed_items == 15);
  CHECK(backups.removed_bytes == (4 << 20) + (1 << 20));
  CHECK(backups.hosts[1].removed_items == 5);
  CHECK(backups.hosts[0].last_run_outcome == "ok");
  CHECK(backups.hosts[0].last_run_started == "2026-01-11T11:00:00Z");
  CHECK(Find(*merged, "rows.tokens").removed_items == 1772);
  CHECK(merged->all_verified);
}

TEST_CASE("the oldest survivor across hosts is the oldest any host measured",
          "[merge]") {
  auto merged = MergeReports(Fleet());
  REQUIRE(merged.ok());
  const MergedPolicy& backups = Find(*merged, "files.backups");
  REQUIRE(backups.oldest_index);
  CHECK(backups.hosts[*backups.oldest_index].host == "web2");
  CHECK(backups.compliance == "within");
  const std::string text = FormatMergedText(*merged);
  CHECK(text.find("oldest survivor: 40d ✓ on web2") != std::string::npos);
}

TEST_CASE("a policy only some hosts have is shown absent on the others",
          "[merge]") {
  auto merged = MergeReports(Fleet());
  REQUIRE(merged.ok());
  const MergedPolicy& tokens = Find(*merged, "rows.tokens");
  CHECK(tokens.hosts.size() == 2);
  CHECK(tokens.absent == std::vector<std::string>{"web3"});
  const auto doc = nlohmann::json::parse(FormatMergedJson(*merged));
  CHECK(doc["policies"][1]["absent_on"] == nlohmann::json{"web3"});
  CHECK(FormatMergedText(*merged).find("web3") != std::string::npos);
}

TEST_CASE("hosts that disagree on a limit are each shown with theirs",
          "[merge]") {
  auto merged = MergeReports(
      {{"a.json", HostJson({Policy("files.x", 1, 1, 20 * kDay)})},
       {"b.json", HostJson({Policy("files.x", 1, 1, 20 * kDay, 7 * kDay)})}});
  REQUIRE(merged.ok());
  const MergedPolicy& x = merged->policies.at(0);
  CHECK_FALSE(x.limits_agree);
  CHECK(x.compliance == "overdue");  // 20d is past b's 7d
  const std::string text = FormatMergedText(*merged);
  CHECK(text.find("limit on a: max_age 90d (limits differ)") !=
        std::string::npos);
  CHECK(text.find("limit on b: max_age 7d (limits differ)") !=
        std::string::npos);
  const auto doc = nlohmann::json::parse(FormatMergedJson(*merged));
  CHECK(doc["policies"][0]["limits_agree"] == false);
  CHECK(doc["policies"][0]["hosts"][1]["limit_age_seconds"] == 7 * 86400);
}

TEST_CASE("a host whose ledger failed verification is named in every form",
          "[merge]") {
  std::vector<ReportFile> files = Fleet();
  files[1].text = HostJson({Policy("files.backups", 5, 1, kDay)}, false);
  auto merged = MergeReports(files);
  REQUIRE(merged.ok());
  CHECK_FALSE(merged->all_verified);
  CHECK_FALSE(merged->hosts[1].ledger_verified);
  CHECK(merged->hosts[1].first_bad_seq == 17);
  const std::string text = FormatMergedText(*merged);
  CHECK(text.find("1 ledger(s) BROKEN") != std::string::npos);
  CHECK(text.find("BROKEN at seq 17") != std::string::npos);
  CHECK(text.find("web2: hash mismatch") != std::string::npos);
  const auto doc = nlohmann::json::parse(FormatMergedJson(*merged));
  CHECK(doc["all_verified"] == false);
  CHECK(doc["hosts"][1]["ledger"]["problem"] == "hash mismatch");
  CHECK(doc["hosts"][0]["ledger"]["problem"].is_null());
}

TEST_CASE("the merged JSON keeps exact numbers", "[merge]") {
  std::vector<ReportFile> files = Fleet();
  files[0].text =
      HostJson({Policy("files.backups", 1, 1234567890123, 12 * kDay)});
  auto merged = MergeReports(files);
  REQUIRE(merged.ok());
  const auto doc = nlohmann::json::parse(FormatMergedJson(*merged));
  CHECK(doc["schema"] == kMergedReportSchema);
  CHECK(doc["policies"][0]["removed"]["bytes"] == 1234567890123 + (1 << 20));
  CHECK(doc["policies"][0]["oldest"]["host"] == "web2");
  CHECK(doc["policies"][0]["oldest"]["age_seconds"] == 40 * 86400);
}

TEST_CASE("the merged text report stays within 80 columns", "[merge]") {
  std::vector<ReportFile> files = Fleet();
  PolicyReport wide = Policy("files." + std::string(70, 'w'), 1, 1, kDay);
  wide.limit = std::string(120, 'l');
  files.push_back({std::string(50, 'h') + ".json", HostJson({wide}, false)});
  auto merged = MergeReports(files);
  REQUIRE(merged.ok());
  std::istringstream in(FormatMergedText(*merged));
  for (std::string line; std::getline(in, line);) {
    INFO(line);
    CHECK(DisplayWidth(line) <= 80);
  }
}

TEST_CASE("a file that is not JSON is an error naming the file", "[merge]") {
  const std::string e = MergeError("hosts/web9.json", "{\"schema\": ");
  CHECK(e.rfind("hosts/web9.json: not a JSON report", 0) == 0);
}

TEST_CASE("a report of an unknown schema version is refused by name",
          "[merge]") {
  std::string text = HostJson({});
  text.replace(text.find("report.v1"), 9, "report.v9");
  const std::string e = MergeError("new.json", text);
  CHECK(e ==
        "new.json: unknown report schema 'retentiond.report.v9'; this "
        "retentionctl reads retentiond.report.v1");
  CHECK(MergeError("x.json", "[1, 2]") ==
        "x.json: not a retentiond report (no \"schema\" field)");
}

TEST_CASE("a field missing or of the wrong type is named with its path",
          "[merge]") {
  auto doc = nlohmann::json::parse(HostJson({Policy("files.x", 1, 1, kDay)}));
  doc["policies"][0]["removed"]["items"] = "many";
  CHECK(MergeError("a.json", doc.dump()) ==
        "a.json: policies[0].removed.items: expected an integer");
  doc["policies"][0].erase("removed");
  CHECK(MergeError("a.json", doc.dump()) ==
        "a.json: policies[0].removed: missing");
  doc.erase("ledger");
  CHECK(MergeError("a.json", doc.dump()) == "a.json: ledger: missing");
}

TEST_CASE("a report's own host name names the host, not its file", "[merge]") {
  auto doc = nlohmann::json::parse(HostJson({}));
  CHECK(doc["host"] == "");  // unknown: the file names it
  doc["host"] = "db-7.example.org";
  auto merged = MergeReports(
      {{"reports/2026-01-11.json", doc.dump()}, {"web1.json", HostJson({})}});
  REQUIRE(merged.ok());
  CHECK(merged->hosts[0].host == "db-7.example.org");
  CHECK(merged->hosts[0].path == "reports/2026-01-11.json");
  CHECK(merged->hosts[1].host == "web1");
}

TEST_CASE("the same host given twice is an error", "[merge]") {
  auto merged = MergeReports({{"a.json", HostJson({})}, {"a", HostJson({})}});
  REQUIRE_FALSE(merged.ok());
  CHECK(merged.status().message() == "a: host 'a' already given by a.json");
  CHECK_FALSE(MergeReports({}).ok());
}

}  // namespace
}  // namespace retention::report_merge_test
