// The Run object shared by --once --json, RunPolicy's reply and
// retentionctl: RunToJson and RunFromJson agree, and bad input is an error,
// never an exception.
#include "run_summary.h"

#include <catch2/catch.hpp>

#include "status_printers.h"

namespace retention {
namespace {

using nlohmann::json;

RunReport SampleRun() {
  RunReport r;
  r.policy = "files.backups";
  r.dry_run = false;
  r.outcome = "error";
  r.error = "disk gone";
  r.plan.policy = r.policy;
  r.plan.scope = 9;
  r.plan.warnings = {"skipped /b/x: EACCES"};
  r.plan.actions.push_back({"delete", "/b/a.tar", 100, 1, "past 90d", {}});
  r.plan.actions.push_back({"delete", "/b/b.tar", 5, 2, "past 90d too", {}});
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
  CHECK(doc["runs"][0]["warnings"].back() == "skipped /data/old\xef\xbf\xbdname");
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

}  // namespace
}  // namespace retention
