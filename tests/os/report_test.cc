// The retention report on a real state database: the model's sums, period
// and ledger check, then the three writers (text, JSON, self-contained HTML).
#include "report/report.h"

#include <catch2/catch.hpp>
#include <memory>
#include <nlohmann/json.hpp>
#include <set>
#include <sstream>
#include <string>
#include <vector>

#include "config/kind_registry.h"
#include "core/state_db.h"
#include "db_test_util.h"
#include "unit/html_checker.h"

namespace retention::report_test {
namespace {

using std::chrono::hours;

const WallTime kNow = FromUnixSeconds(1768132800);  // 2026-01-11T12:00:00Z
const Duration kDay = hours(24);
const std::string kHostile = "/var/backups/app/<script>alert(\"x\")&'.tar";
const std::string kHostileEscaped =
    "/var/backups/app/&lt;script&gt;alert(&quot;x&quot;)&amp;&#39;.tar";

constexpr char kConfig[] =
    "[files.backups]\n"
    "root = /var/backups/app\n"
    "match = *.tar\n"
    "max_age = 90d\n"
    "min_age = 7d\n"
    "[files.tmp]\n"
    "root = /srv/a&b<c>\n"
    "max_age = 1d\n";

LedgerEntry Entry(const std::string& policy, const std::string& action,
                  WallTime t, const std::string& target = "",
                  int64_t bytes = 0) {
  LedgerEntry e;
  e.time = t;
  e.policy = policy;
  e.action = action;
  e.target = target;
  e.count = action == "delete" ? 1 : 0;
  e.bytes = bytes;
  e.detail = "older than 90d";
  return e;
}

// A state db with runs, brakes and a ledger spread over 30 days.
struct ReportFixture {
  ReportFixture() {
    StatusOr<std::unique_ptr<StateDb>> opened = StateDb::Open(path());
    INFO(opened.status().ToString());
    REQUIRE(opened.ok());
    db = std::move(*opened);
    ledger = std::make_unique<Ledger>(*db);
    std::vector<ConfigError> errors;
    REQUIRE(LoadConfigFromString("/etc/retentiond/retentiond.conf", kConfig,
                                 registry, &config, &errors));
    FillLedger();
    FillRuns();
    REQUIRE(db->SetBrake(
                  {"files.tmp", "would delete 80% of scope", kNow - hours(1)})
                .ok());
    REQUIRE(
        db->SetBrake({"clock", "wall clock jumped 2h", kNow - hours(2)}).ok());
  }

  void Append(const LedgerEntry& e) { REQUIRE(ledger->Append(e).ok()); }

  void FillLedger() {
    Append(Entry("daemon", "start", kNow - 30 * kDay));
    Append(Entry("files.backups", "delete", kNow - 20 * kDay, "/b/old", 5000));
    Append(Entry("daemon", "start", kNow - 5 * kDay));
    Append(Entry("files.backups", "delete", kNow - 2 * kDay, kHostile, 400));
    Append(Entry("files.backups", "delete", kNow - kDay, "/b/1", 100));
    Append(Entry("files.backups", "delete", kNow - kDay, "/b/2", 200));
    Append(Entry("files.tmp", "brake", kNow - hours(4), "files.tmp"));
    Append(Entry("files.tmp", "delete", kNow - hours(3), "/srv/t", 50));
    Append(Entry("daemon", "reload", kNow - hours(2)));
  }

  void Run(const std::string& policy, WallTime t, bool dry,
           const std::string& outcome, const std::string& error) {
    RunRecord run;
    run.policy = policy;
    run.started = t;
    run.dry_run = dry;
    run.outcome = "running";
    StatusOr<int64_t> id = db->BeginRun(run);
    REQUIRE(id.ok());
    REQUIRE(db->FinishRun(*id, {.finished = t + hours(1),
                                .outcome = outcome,
                                .actions = 2,
                                .bytes = 300,
                                .error = error})
                .ok());
  }

  void FillRuns() {
    Run("files.backups", kNow - kDay - hours(1), false, "ok", "");
    Run("files.backups", kNow - hours(1), true, "dry-run", "");
    Run("files.tmp", kNow - hours(3), false, "error",
        "unlinkat " + kHostile + ": Permission denied");
  }

  Report Build(Duration since = 7 * kDay) {
    ReportSectionRegistry sections = BuiltinReportSections();
    StatusOr<Report> report =
        BuildReport(config, *db, *ledger, sections, kNow, since);
    INFO(report.status().ToString());
    REQUIRE(report.ok());
    return *report;
  }

  std::string path() const { return dir.File("state.db"); }

  TempDir dir;
  KindRegistry registry = BuiltinRegistry();
  Config config;
  std::unique_ptr<StateDb> db;
  std::unique_ptr<Ledger> ledger;
};

const PolicyReport& Find(const Report& r, const std::string& id) {
  for (const PolicyReport& p : r.policies) {
    if (p.id == id) return p;
  }
  FAIL("no policy " << id);
  std::abort();
}

TEST_CASE("the report sums removals per policy and per day", "[report]") {
  ReportFixture f;
  Report r = f.Build();
  REQUIRE(r.policies.size() == 2);
  const PolicyReport& backups = Find(r, "files.backups");
  CHECK(backups.kind == "files");
  CHECK(backups.limit == "max_age 90d, floor min_age 7d");
  CHECK(backups.removed_items == 3);
  CHECK(backups.removed_bytes == 700);
  REQUIRE(backups.removed_per_day.size() == 2);
  CHECK(backups.removed_per_day.at("2026-01-10").items == 2);
  CHECK(backups.removed_per_day.at("2026-01-10").bytes == 300);
  CHECK(backups.removed_per_day.at("2026-01-09").bytes == 400);
  const PolicyReport& tmp = Find(r, "files.tmp");
  CHECK(tmp.limit == "max_age 1d");
  CHECK(tmp.removed_items == 1);
  CHECK(tmp.removed_bytes == 50);
}

TEST_CASE("the report names the last real run, brakes and daemon events",
          "[report]") {
  ReportFixture f;
  Report r = f.Build();
  const PolicyReport& backups = Find(r, "files.backups");
  REQUIRE(backups.last_run);
  CHECK(backups.last_run->outcome == "ok");  // not the later dry run
  CHECK_FALSE(backups.brake);
  const PolicyReport& tmp = Find(r, "files.tmp");
  REQUIRE(tmp.last_run);
  CHECK(tmp.last_run->outcome == "error");
  REQUIRE(tmp.brake);
  CHECK(tmp.brake->reason == "would delete 80% of scope");
  REQUIRE(r.clock_brake);
  CHECK(r.clock_brake->reason == "wall clock jumped 2h");
  CHECK(r.daemon_events ==
        std::map<std::string, int64_t>{{"reload", 1}, {"start", 1}});
}

TEST_CASE("the oldest item's age comes from the newest measuring real run",
          "[report]") {
  ReportFixture f;
  {
    // No run measured yet: the fixture's runs predate measurement.
    const Report r = f.Build();  // kept alive: Find returns into it
    const PolicyReport& backups = Find(r, "files.backups");
    CHECK_FALSE(backups.oldest_age);
    CHECK(OldestText(backups) == "not measured");
    REQUIRE(backups.limit_age);
    CHECK(*backups.limit_age == 90 * kDay);
    CHECK(CheckCompliance(backups) == Compliance::kNotMeasured);
  }
  auto measured = [&](const std::string& policy, WallTime end, int64_t kept,
                      std::optional<WallTime> oldest, bool dry = false) {
    RunRecord run;
    run.policy = policy;
    run.started = end - hours(1);
    run.dry_run = dry;
    StatusOr<int64_t> id = f.db->BeginRun(run);
    REQUIRE(id.ok());
    REQUIRE(f.db->FinishRun(*id, {.finished = end,
                                  .outcome = "ok",
                                  .kept = kept,
                                  .oldest = oldest})
                .ok());
  };
  // backups: 12 left, the oldest 80 days old when the run ended.
  measured("files.backups", kNow - hours(5), 12,
           kNow - hours(5) - 80 * kDay - std::chrono::seconds(59));
  // A later dry run saw an older file: dry runs measure nothing.
  measured("files.backups", kNow - hours(1), 12, kNow - 200 * kDay, true);
  // tmp: nothing left at all.
  measured("files.tmp", kNow - hours(2), 0, std::nullopt);
  const Report r = f.Build();
  const PolicyReport& backups = Find(r, "files.backups");
  REQUIRE(backups.oldest_age);
  CHECK(*backups.oldest_age == 80 * kDay + std::chrono::seconds(59));
  CHECK(backups.kept_items == 12);
  CHECK(backups.measured_at == kNow - hours(5));
  CHECK(OldestText(backups) == "80d");  // seconds do not matter here
  CHECK(CheckCompliance(backups) == Compliance::kWithin);
  const PolicyReport& tmp = Find(r, "files.tmp");
  CHECK(OldestText(tmp) == "none left");
  CHECK(CheckCompliance(tmp) == Compliance::kWithin);
  nlohmann::json j = nlohmann::json::parse(FormatReportJson(r));
  CHECK(j["policies"][0]["oldest_age_seconds"] == 80 * 86400 + 59);
  CHECK(j["policies"][0]["kept_items"] == 12);
  CHECK(j["policies"][0]["measured_at"] == FormatIso8601(kNow - hours(5)));
  CHECK(j["policies"][0]["compliance"] == "within");
  CHECK(FormatReportText(r).find("files.backups (files): ✓ kept") !=
        std::string::npos);
  CHECK(FormatReportText(r).find("none left") != std::string::npos);

  // 95 days old at the next run: overdue, and the report says so.
  measured("files.backups", kNow, 3, kNow - 95 * kDay);
  const Report later = f.Build();
  CHECK(CheckCompliance(Find(later, "files.backups")) == Compliance::kOverdue);
  CHECK(FormatReportHtml(later).find("✗ NOT KEPT") != std::string::npos);
}

TEST_CASE("entries before the period are left out of the report", "[report]") {
  ReportFixture f;
  CHECK(Find(f.Build(7 * kDay), "files.backups").removed_bytes == 700);
  Report month = f.Build(31 * kDay);
  CHECK(Find(month, "files.backups").removed_bytes == 5700);
  CHECK(Find(month, "files.backups").removed_per_day.size() == 3);
  CHECK(month.daemon_events.at("start") == 2);
  CHECK(month.since == kNow - 31 * kDay);
  CHECK(month.until == kNow);
}

TEST_CASE("a policy no longer configured still shows what it removed",
          "[report]") {
  ReportFixture f;
  f.Append(Entry("files.gone", "delete", kNow - hours(5), "/g/1", 77));
  Report r = f.Build();
  const PolicyReport& gone = Find(r, "files.gone");
  CHECK_FALSE(gone.configured);
  CHECK(gone.kind == "files");
  CHECK(gone.removed_bytes == 77);
}

TEST_CASE("a verified ledger is reported with its head hash", "[report]") {
  ReportFixture f;
  Report r = f.Build();
  CHECK(r.ledger_check.ok);
  CHECK(r.ledger_check.entries == 9);
  StatusOr<std::vector<LedgerEntry>> last = f.ledger->Read(8, 1);
  REQUIRE(last.ok());
  REQUIRE(last->size() == 1);
  CHECK(r.ledger_check.head_hash == last->front().hash);
}

TEST_CASE("a tampered ledger is reported as broken", "[report]") {
  ReportFixture f;
  RawSql(f.path(), "UPDATE ledger SET bytes = 1 WHERE seq = 4");
  Report r = f.Build();
  CHECK_FALSE(r.ledger_check.ok);
  CHECK(r.ledger_check.first_bad_seq == 4);
  CHECK(FormatReportText(r).find("BROKEN at seq 4") != std::string::npos);
  nlohmann::json j = nlohmann::json::parse(FormatReportJson(r));
  CHECK(j["ledger"]["verified"] == false);
  CHECK(j["ledger"]["first_bad_seq"] == 4);
}

TEST_CASE("the report's three formats render the fixture database",
          "[report]") {
  ReportFixture f;
  Report r = f.Build();
  const std::string text = FormatReportText(r);
  CHECK(text.find("files.backups") != std::string::npos);
  CHECK(text.find("files.tmp") != std::string::npos);
  nlohmann::json j = nlohmann::json::parse(FormatReportJson(r));
  CHECK(j["schema"] == "retentiond.report.v1");
  CHECK(j["policies"].size() == 2);
  CHECK(j["ledger"]["verified"] == true);
  const std::string html = FormatReportHtml(r);
  CHECK(CheckHtmlNesting(html) == "");
  CHECK(CheckSelfContained(html) == "");
  CHECK(html.find(kHostile) == std::string::npos);
  CHECK(html.find(kHostileEscaped) != std::string::npos);  // the run's error
  CHECK(html.find("/srv/a&amp;b&lt;c&gt;") != std::string::npos);
}

// An empty state database and its ledger, with a configuration loaded
// from `text` against `kinds`.
struct EmptyState {
  EmptyState(const std::string& text, const KindRegistry& kinds) {
    StatusOr<std::unique_ptr<StateDb>> opened =
        StateDb::Open(dir.File("state.db"));
    REQUIRE(opened.ok());
    db = std::move(*opened);
    ledger = std::make_unique<Ledger>(*db);
    std::vector<ConfigError> errors;
    REQUIRE(LoadConfigFromString("t.conf", text, kinds, &config, &errors));
  }
  TempDir dir;
  std::unique_ptr<StateDb> db;
  std::unique_ptr<Ledger> ledger;
  Config config;
};

// A kind registered from outside; its runs measure what they leave.
class WidgetsSection final : public ReportSection {
 public:
  std::string kind() const override { return "widgets"; }
  SectionSummary Summarize(const Section& section) const override {
    return {"max_age " + section.GetString("max_age"), kDay, {{"shelf", "B"}}};
  }
};

TEST_CASE("a new kind adds its report section without touching the writers",
          "[report]") {
  KindRegistry kinds = BuiltinRegistry();
  kinds.Register({"widgets",
                  false,
                  {{"max_age", ValueType::kDuration, "", true, {}, "age"}},
                  {},
                  {}});
  EmptyState state("[widgets.w]\nmax_age = 1d\n", kinds);
  StateDb* db = state.db.get();
  ReportSectionRegistry sections = BuiltinReportSections();
  sections.Register(std::make_unique<WidgetsSection>());
  RunRecord run;
  run.policy = "widgets.w";
  run.started = kNow - hours(2);
  StatusOr<int64_t> id = db->BeginRun(run);
  REQUIRE(id.ok());
  REQUIRE(db
              ->FinishRun(*id, {.finished = kNow - hours(1),
                                .outcome = "ok",
                                .kept = 4,
                                .oldest = kNow - hours(1) - 2 * kDay})
              .ok());
  StatusOr<Report> r =
      BuildReport(state.config, *db, *state.ledger, sections, kNow, kDay);
  REQUIRE(r.ok());
  REQUIRE(r->policies.size() == 1);
  CHECK(r->policies[0].limit == "max_age 1d");
  CHECK(CheckCompliance(r->policies[0]) == Compliance::kOverdue);
  CHECK(FormatReportText(*r).find("2d") != std::string::npos);
  CHECK(FormatReportHtml(*r).find("shelf") != std::string::npos);
  nlohmann::json j = nlohmann::json::parse(FormatReportJson(*r));
  CHECK(j["policies"][0]["oldest_age_seconds"] == 2 * 86400);
  CHECK(j["policies"][0]["compliance"] == "overdue");
}

TEST_CASE("a log set written without O_APPEND is named in the report once",
          "[report]") {
  EmptyState state(
      "[logs.app]\npaths = /var/log/app/app.log\nkeep = 5\n"
      "max_file_size = 1M\nmethod = truncate\n",
      BuiltinRegistry());
  Ledger& ledger = *state.ledger;
  LedgerEntry e = Entry("logs.app", "rotate", kNow - hours(3), "/a/app.log-1");
  e.detail = "reached max_file_size 1 MiB";
  REQUIRE(ledger.Append(e).ok());
  ReportSectionRegistry sections = BuiltinReportSections();
  auto detail = [&]() -> std::string {
    StatusOr<Report> r =
        BuildReport(state.config, *state.db, ledger, sections, kNow, kDay);
    REQUIRE(r.ok());
    REQUIRE(r->policies.size() == 1);
    for (const auto& [name, value] : r->policies[0].details) {
      if (name == "writer without O_APPEND") return value;
    }
    return "";
  };
  CHECK(detail().empty());  // an ordinary rotation says nothing
  for (int i = 2; i <= 3; ++i) {
    e.target = "/a/app.log-" + std::to_string(i);
    e.time = kNow - hours(3 - i + 1);
    e.detail = "reached max_file_size 1 MiB; written without O_APPEND: head "
               "punched out in place";
    REQUIRE(ledger.Append(e).ok());
  }
  const std::string said = detail();
  CHECK_THAT(said, Catch::Matchers::StartsWith(
                       "2 rotations punched the head out in place (last "
                       "/a/app.log-3"));
  CHECK_THAT(said, Catch::Matchers::Contains("apparent size grows"));
}

}  // namespace
}  // namespace retention::report_test
