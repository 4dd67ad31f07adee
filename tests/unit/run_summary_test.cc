// The Run object shared by --once --json, RunPolicy's reply and
// retentionctl: RunToJson and RunFromJson agree, and bad input is an error,
// never an exception.
#include "report/run_summary.h"

#include <spdlog/sinks/ostream_sink.h>
#include <spdlog/spdlog.h>

#include <algorithm>
#include <catch2/catch.hpp>
#include <sstream>

#include "core/lateness.h"
#include "status_printers.h"

namespace retention::run_summary_test {
namespace {

using nlohmann::json;

RunReport SampleRun() {
  RunReport r;
  r.policy = "files.backups";
  r.dry_run = false;
  r.outcome = Outcome::kError;
  r.error = "disk gone";
  r.plan.policy = r.policy;
  r.plan.scope = 9;
  r.plan.warnings = {"skipped /b/x: EACCES"};
  r.plan.actions.push_back({Verb::kDelete, "/b/a.tar", 100, 1, "past 90d", {}});
  r.plan.actions.push_back(
      {Verb::kDelete, "/b/b.tar", 5, 2, "past 90d too", {}});
  r.result.done = 1;
  r.result.bytes = 100;
  r.result.failed = 1;
  r.result.errors = {"unlinkat /b/b.tar: EIO"};
  return r;
}

TEST_CASE("a run survives RunToJson then RunFromJson") {
  const RunReport r = SampleRun();
  StatusOr<RunReport> back = RunFromJson(RunToJson(r));
  REQUIRE(back.ok());
  CHECK(back->policy == r.policy);
  CHECK(back->dry_run == r.dry_run);
  CHECK(back->outcome == r.outcome);
  CHECK(back->error == r.error);
  CHECK(back->plan.scope == 9);
  CHECK(back->plan.warnings == r.plan.warnings);
  REQUIRE(back->plan.actions.size() == 2);
  CHECK(back->plan.actions[1].target == "/b/b.tar");
  CHECK(back->plan.actions[1].count == 2);
  CHECK(back->plan.actions[1].reason == "past 90d too");
  CHECK(back->result.done == 1);
  CHECK(back->result.failed == 1);
  CHECK(back->result.errors == r.result.errors);
  CHECK(FormatRunsText({*back}) == FormatRunsText({r}));
  CHECK(RunToJson(*back) == RunToJson(r));
}

TEST_CASE("FormatRunsJson lists each run as RunToJson writes it") {
  json doc = json::parse(FormatRunsJson({SampleRun()}));
  REQUIRE(doc["runs"].size() == 1);
  CHECK(doc["runs"][0] == RunToJson(SampleRun()));
  CHECK(doc["runs"][0]["planned"][0]["action"] == "delete");
}

TEST_CASE("FormatRunsJson replaces bytes that are not UTF-8") {
  RunReport r = SampleRun();
  r.plan.warnings.push_back("skipped /data/old\xffname");
  std::string out;
  REQUIRE_NOTHROW(out = FormatRunsJson({r}));
  json doc = json::parse(out);
  CHECK(doc["runs"][0]["warnings"].back() ==
        "skipped /data/old\xef\xbf\xbdname");
}

TEST_CASE("RunFromJson ignores fields it does not know") {
  json run = RunToJson(SampleRun());
  run["new_field"] = {1, 2};
  CHECK(RunFromJson(run).ok());
}

TEST_CASE("RunFromJson names a missing or mistyped field") {
  json run = RunToJson(SampleRun());
  run.erase("outcome");
  StatusOr<RunReport> missing = RunFromJson(run);
  REQUIRE_FALSE(missing.ok());
  CHECK(missing.status().message() == "run lacks 'outcome'");

  run = RunToJson(SampleRun());
  run["done"] = "three";
  StatusOr<RunReport> mistyped = RunFromJson(run);
  REQUIRE_FALSE(mistyped.ok());
  CHECK(mistyped.status().code() == Status::Code::kInvalidArgument);
  CHECK(mistyped.status().message().find("'done'") != std::string::npos);

  run = RunToJson(SampleRun());
  run["planned"][0]["target"] = nullptr;
  CHECK_FALSE(RunFromJson(run).ok());
  run["planned"] = "none";
  CHECK_FALSE(RunFromJson(run).ok());
  CHECK_FALSE(RunFromJson(json("run")).ok());
}

// A real run of `policy` in `unit`s with `scope` items, which recorded
// `performed`.
RunReport Did(const std::string& policy, const std::string& unit,
              uint64_t scope, std::vector<Performed> performed) {
  RunReport r;
  r.policy = policy;
  r.outcome = Outcome::kOk;
  r.unit = unit;
  r.plan.policy = policy;
  r.plan.scope = scope;
  r.performed = std::move(performed);
  return r;
}

TEST_CASE("a run's summary says what it did in the kind's units", "[summary]") {
  CHECK(SummarizeRun(Did("rows.analytics", "row", 1200000,
                         {{Verb::kDelete, 700000, 0}})) ==
        "rows.analytics: deleted 700,000 rows");
  CHECK(SummarizeRun(Did("logs.access", "file", 3,
                         {{Verb::kRotate, 1, (4 << 20) + 1000}})) ==
        "logs.access: rotated 1 file (4.0 MiB)");
  CHECK(SummarizeRun(
            Did("files.backups", "file", 40, {{Verb::kDelete, 12, 3250586}})) ==
        "files.backups: deleted 12 files (3.1 MiB)");
  CHECK(SummarizeRun(Did("accounts", "account", 9, {{Verb::kPurge, 1, 0}})) ==
        "accounts: purged 1 account");
  RunReport occupancy =
      Did("occupancy", "user", 200, {{Verb::kOverQuota, 2, 0}});
  occupancy.destructive = false;
  CHECK(SummarizeRun(occupancy) ==
        "occupancy: measured 200 users; 2 users over quota");
}

TEST_CASE("a run's summary names a single item and says how late it was",
          "[summary]") {
  CHECK(SummarizeRun(Did("logs.app", "file", 3,
                         {{Verb::kRotate, 1, 200u << 20,
                           "/var/log/app/app.log-20261205T0447Z", {}}})) ==
        "logs.app: rotated app.log-20261205T0447Z (200 MiB)");
  CHECK(SummarizeRun(Did("accounts", "account", 6,
                         {{Verb::kPurge, 1, 1288490189, "account erin", {}}})) ==
        "accounts: purged account erin (1.2 GiB)");
  CHECK(SummarizeRun(Did("rows.tokens", "row", 90,
                         {{Verb::kDelete, 41, 0, "tokens: 41 rows with ...",
                           std::chrono::seconds(3725)}})) ==
        "rows.tokens: deleted 41 rows (oldest 1h2m past its limit)");
  CHECK(SummarizeRun(Did("files.cache", "file", 20000,
                         {{Verb::kDelete, 10000, 1288490189, "/c/a", {}}})) ==
        "files.cache: deleted 10,000 files (1.2 GiB)");
  RunReport occupancy =
      Did("occupancy", "user", 5, {{Verb::kOverQuota, 1, 0, "carol", {}}});
  occupancy.destructive = false;
  CHECK(SummarizeRun(occupancy) ==
        "occupancy: measured 5 users; carol over quota");
}

TEST_CASE("a recorded lateness reaches the summary through the ledger's reason",
          "[summary]") {
  std::vector<Performed> performed;
  Action a{Verb::kDelete, "t: 3 rows", 0, 3,
           "past max_age 1h" + LatenessSuffix(std::chrono::seconds(90)), {}};
  AddPerformed(a, &performed);
  a.reason = "past max_age 1h" + LatenessSuffix(std::chrono::seconds(3725));
  AddPerformed(a, &performed);
  REQUIRE(performed.size() == 1);
  CHECK(performed[0].worst_late == std::chrono::seconds(3725));
  CHECK(a.reason == "past max_age 1h; lateness 1h2m5s");
  CHECK(LatenessOf("x; lateness 34490878s") == std::chrono::seconds(34490878));
}

TEST_CASE("a run that did nothing says so, and a brake says what waits",
          "[summary]") {
  RunReport idle = Did("files.backups", "file", 3, {});
  CHECK(SummarizeRun(idle) ==
        "files.backups: nothing to do; 3 files in scope");
  RunReport braked = Did("files.data", "file", 4, {});
  braked.outcome = Outcome::kBraked;
  braked.error = "clock brake engaged: wall clock moved +1y";
  braked.plan.actions.push_back({Verb::kDelete, "/d/old", 4096, 1, "old", {}});
  CHECK(SummarizeRun(braked) ==
        "files.data: braked: nothing done; 4 files in scope; planned: delete "
        "1 file (4.0 KiB)  (clock brake engaged: wall clock moved +1y)");
  // Stopped: said once (e2e.demo_output found the line over 100 columns).
  RunReport stopped = Did("logs.app", "file", 13, {});
  stopped.outcome = Outcome::kStopped;
  stopped.error = "stopped on request";
  stopped.plan.actions.push_back({Verb::kRotate, "/l/app.log", 4096, 0, "size", {}});
  CHECK(SummarizeRun(stopped) ==
        "logs.app: stopped: nothing done; 13 files in scope; planned: rotate "
        "1 file (4.0 KiB)");
}

TEST_CASE("a dry run's summary says what it would do", "[summary]") {
  RunReport r = Did("rows.tokens", "row", 2500, {});
  r.dry_run = true;
  r.outcome = Outcome::kDryRun;
  r.plan.actions.push_back(
      {Verb::kDelete, "tokens: 1234 rows", 0, 1234, "old", {}});
  CHECK(SummarizeRun(r) ==
        "rows.tokens: dry-run: planned: delete 1,234 rows; 2,500 rows in "
        "scope");
}

TEST_CASE("a run that did nothing is logged at debug, not info", "[summary]") {
  std::ostringstream out;
  auto sink = std::make_shared<spdlog::sinks::ostream_sink_mt>(out);
  auto previous = spdlog::default_logger();
  spdlog::set_default_logger(std::make_shared<spdlog::logger>("test", sink));
  spdlog::set_level(spdlog::level::info);
  LogRunReport(Did("rows.tokens", "row", 10, {}));
  RunReport measured = Did("occupancy", "user", 6, {});
  measured.destructive = false;
  LogRunReport(measured);  // no quota transition: nothing new to say
  const std::string idle = out.str();
  LogRunReport(Did("rows.tokens", "row", 10, {{Verb::kDelete, 3, 0}}));
  const std::string busy = out.str();
  spdlog::set_default_logger(previous);
  CHECK(idle.empty());
  CHECK(busy.find("deleted 3 rows") != std::string::npos);
}

TEST_CASE("a run's JSON keeps the exact numbers of what was performed",
          "[summary]") {
  RunReport r =
      Did("rows.analytics", "row", 1200000,
          {{Verb::kDelete, 700001, 0, "events: 700001 rows",
            std::chrono::seconds(34490878)}});
  json j = RunToJson(r);
  CHECK(j["performed"][0]["count"] == 700001);
  CHECK(j["performed"][0]["worst_lateness_seconds"] == 34490878);
  CHECK(SummarizeRun(r) ==
        "rows.analytics: deleted 700,001 rows (oldest 1y34d past its limit)");
  CHECK(j["unit"] == "row");
  StatusOr<RunReport> back = RunFromJson(j);
  REQUIRE(back.ok());
  CHECK(SummarizeRun(*back) == SummarizeRun(r));
  // A reply from a daemon that did not send them still reads.
  j.erase("performed");
  j.erase("unit");
  j.erase("destructive");
  CHECK(RunFromJson(j).ok());
}

TEST_CASE("warnings of one cause are cut to a few and a count") {
  std::vector<std::string> lines;
  for (int i = 0; i < 24089; ++i) {
    lines.push_back("/srv/u/link" + std::to_string(i) +
                    ": not a regular file; never rotated");
  }
  lines.push_back("/srv/u: PermissionDenied: list /srv/u: Permission denied");
  LimitByCause(&lines);
  REQUIRE(lines.size() == kShownPerCause + 2);
  CHECK(lines[0] == "/srv/u/link0: not a regular file; never rotated");
  CHECK(lines[kShownPerCause] ==
        "/srv/u: PermissionDenied: list /srv/u: Permission denied");
  CHECK(lines.back() ==
        "and " + std::to_string(24089 - kShownPerCause) +
            " more like this: not a regular file; never rotated");
}

TEST_CASE("numbers do not make a new cause, and causes are bounded") {
  std::vector<std::string> lines;
  for (int i = 0; i < 10; ++i) {
    lines.push_back("/l: writer pid " + std::to_string(1000 + i) +
                    " does not use O_APPEND");
  }
  // A hostile name after the last ": " cannot make unbounded causes.
  for (int i = 0; i < 1000; ++i) {
    lines.push_back("account id: x" + std::string(1, char('a' + i % 26)) +
                    std::string(1, char('a' + i / 26 % 26)));
  }
  LimitByCause(&lines);
  CHECK(lines.size() <= kMaxCauses * (kShownPerCause + 1) + 1);
  CHECK(lines[0] == "/l: writer pid 1000 does not use O_APPEND");
  CHECK(std::count(lines.begin(), lines.end(),
                   "and 7 more like this: writer pid # does not use "
                   "O_APPEND") == 1);
  CHECK_THAT(lines.back(), Catch::StartsWith("and ") &&
                               Catch::EndsWith(" more of other causes"));
  std::vector<std::string> few = {"a: x", "b: x", "c: y"};
  LimitByCause(&few);
  CHECK(few == std::vector<std::string>{"a: x", "b: x", "c: y"});
}

}  // namespace
}  // namespace retention::run_summary_test
