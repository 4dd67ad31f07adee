// The whole path on the built-in files kind: config file -> Daemon ->
// scheduler -> plan -> execute -> ledger, with a fake clock and filesystem
// for the policy roots and a real state database in a temp directory.
#include <catch2/catch.hpp>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "app/options.h"
#include "core/daemon.h"
#include "core/scheduler.h"
#include "ctl/ctl_offline.h"
#include "fake_fs_daemon.h"

namespace retention::pipeline_test {
namespace {

using std::chrono::hours;
constexpr Duration kDay = hours(24);

// The daemon over the fake filesystem with one [files.backups] policy on
// /data/backups, which holds new.tar (a day old).
struct Pipeline : FakeFsDaemon {
  Pipeline() {
    WriteConfig("max_age = 90d\n");
    fs.AddDir("/data/backups");
    fs.AddFile("/data/backups/new.tar", 10, clock.Now() - kDay);
    Start();
  }
  // The config with the backups policy's `policy_keys`.
  void WriteConfig(const std::string& policy_keys) {
    FakeFsDaemon::WriteConfig("[files.backups]\nroot = /data/backups\n" +
                              policy_keys + "every = 1d\n");
  }
  RunReport Run(bool dry_run = false) {
    return FakeFsDaemon::Run("backups", dry_run);
  }
  // What the newest measuring real run left; nullopt when none measured.
  std::optional<RunRecord> Measured() {
    auto runs = daemon->state().LastMeasuredRuns();
    REQUIRE(runs.ok());
    auto it = runs->find("files.backups");
    if (it == runs->end()) return std::nullopt;
    return it->second;
  }
};

TEST_CASE("an expired file is deleted through the whole path and recorded") {
  Pipeline p;
  p.fs.AddFile("/data/backups/old.tar", 4096, p.clock.Now() - kDay * 91);
  Scheduler scheduler;
  for (const auto& [id, every] : p.daemon->Schedule()) {
    scheduler.Set(id, every, p.clock.BootNow());
  }
  p.clock.Advance(kDay);
  auto due = scheduler.TakeDue(p.clock.BootNow());
  REQUIRE(due == std::vector<std::string>{"files.backups"});
  RunReport r = p.daemon->Run(*p.daemon->Find(due[0]), false, p.stop);
  CHECK(r.outcome == Outcome::kOk);
  CHECK(p.fs.removed() == std::vector<std::string>{"/data/backups/old.tar"});
  CHECK(p.fs.Exists("/data/backups/new.tar"));
  auto deletes = p.Entries("delete");
  REQUIRE(deletes.size() == 1);
  CHECK(deletes[0].target == "/data/backups/old.tar");
  CHECK(deletes[0].bytes == 4096);
  CHECK(p.daemon->ledger().Verify()->ok);
  // The run recorded what it left: new.tar, one day old when planned.
  std::optional<RunRecord> left = p.Measured();
  REQUIRE(left);
  CHECK(left->kept == 1);
  CHECK(left->oldest == p.clock.Now() - 2 * kDay);
}

TEST_CASE("a dry run of an expired file plans it and removes nothing") {
  Pipeline p;
  p.fs.AddFile("/data/backups/old.tar", 4096, p.clock.Now() - kDay * 91);
  RunReport r = p.Run(/*dry_run=*/true);
  CHECK(r.outcome == Outcome::kDryRun);
  REQUIRE(r.plan.actions.size() == 1);
  CHECK(r.plan.actions[0].target == "/data/backups/old.tar");
  CHECK(p.fs.removed().empty());
  CHECK(p.Entries("delete").empty());
  CHECK_FALSE(p.Measured());  // a dry run measures nothing
}

TEST_CASE(
    "a wall clock jump of +1h, +1y or -1y deletes nothing until confirmed") {
  const Duration year = kDay * 365;
  for (Duration jump : {Duration(hours(1)), year, -year}) {
    INFO("jump " << std::chrono::duration_cast<hours>(jump).count() << "h");
    Pipeline p;
    // Old enough after a +1y jump; already expired for the -1y case.
    p.fs.AddFile("/data/backups/a.tar", 1, p.clock.Now() - kDay * 89);
    p.fs.AddFile("/data/backups/b.tar", 1, p.clock.Now() - year * 2);
    CHECK(p.Run().outcome == Outcome::kOk);  // baseline; deletes b.tar
    const size_t removed_before = p.fs.removed().size();
    p.clock.Advance(hours(2));
    p.clock.JumpWall(jump);
    p.fs.AddFile("/data/backups/c.tar", 1, p.clock.Now() - year * 3);
    CHECK(p.Run().outcome == Outcome::kBraked);
    p.clock.Advance(hours(2));
    CHECK(p.Run().outcome == Outcome::kBraked);  // stays engaged
    CHECK(p.fs.removed().size() == removed_before);
    CHECK(p.Entries("brake").size() == 1);
    auto engaged = p.daemon->clock_brake().Engaged();
    REQUIRE(engaged.ok());
    REQUIRE(engaged->has_value());
    p.fs.AddFileWithContents(p.tmp.path() + "/state/confirm-clock",
                             ClockConfirmation(**engaged), p.clock.Now());
    CHECK(p.Run().outcome == Outcome::kOk);
    CHECK(p.fs.Exists("/data/backups/c.tar") == false);
    CHECK(p.Entries("confirm-clock").size() == 1);
  }
}

TEST_CASE(
    "a confirmation given while no clock brake is engaged does not release "
    "a later one",
    "[clock]") {
  Pipeline p;
  CHECK(p.Run().outcome == Outcome::kOk);  // baseline
  const std::string confirm = p.tmp.path() + "/state/confirm-clock";
  // What `retentionctl confirm-clock` used to leave behind with nothing
  // engaged: a bare file, then the online call with nothing engaged.
  p.fs.AddFile(confirm, 20, p.clock.Now());
  auto was = p.daemon->ConfirmClock("uid 0");
  REQUIRE(was.ok());
  CHECK_FALSE(*was);
  CHECK(p.Entries("confirm-clock").empty());
  p.clock.Advance(hours(2));
  p.clock.JumpWall(kDay * 365);
  p.fs.AddFile("/data/backups/x.tar", 1, p.clock.Now() - kDay * 100);
  CHECK(p.Run().outcome == Outcome::kBraked);
  p.clock.Advance(hours(1));
  CHECK(p.Run().outcome == Outcome::kBraked);  // the second run too
  CHECK_FALSE(p.fs.Exists(confirm));           // removed unused
  CHECK(p.fs.Exists("/data/backups/x.tar"));
  CHECK(p.Entries("confirm-clock").empty());
}

TEST_CASE("a confirmation naming an earlier clock brake is ignored",
          "[clock]") {
  Pipeline p;
  CHECK(p.Run().outcome == Outcome::kOk);
  p.clock.JumpWall(kDay * 365);
  CHECK(p.Run().outcome == Outcome::kBraked);
  auto first = p.daemon->clock_brake().Engaged();
  REQUIRE(first.ok());
  REQUIRE(first->has_value());
  const Brake earlier = **first;
  auto was = p.daemon->ConfirmClock("uid 0");
  REQUIRE(was.ok());
  CHECK(*was);
  CHECK(p.Run().outcome == Outcome::kOk);
  // A confirmation of the first brake arrives late, then the clock jumps
  // again: the second brake is not released by it.
  const std::string confirm = p.tmp.path() + "/state/confirm-clock";
  p.clock.Advance(hours(1));
  p.clock.JumpWall(-kDay * 365);
  CHECK(p.Run().outcome == Outcome::kBraked);
  p.fs.AddFileWithContents(confirm, ClockConfirmation(earlier), p.clock.Now());
  CHECK(p.Run().outcome == Outcome::kBraked);
  CHECK_FALSE(p.fs.Exists(confirm));
  CHECK(p.Entries("confirm-clock").size() == 1);  // the online one only
}

TEST_CASE("confirm-clock without a daemon confirms only the engaged brake",
          "[clock]") {
  Pipeline p;
  // retentionctl reads the state database itself; the fake filesystem must
  // show it too.
  p.fs.AddFile(p.tmp.path() + "/state/state.db", 1, p.clock.Now());
  std::ostringstream out, err;
  CtlContext ctx{.state_dir = p.tmp.path() + "/state",
                 .fs = p.fs,
                 .clock = p.clock,
                 .out = out,
                 .err = err};
  const std::string confirm = p.tmp.path() + "/state/confirm-clock";
  CHECK(p.Run().outcome == Outcome::kOk);
  CHECK(ConfirmClockInStateDir(ctx) == kExitFailure);
  CHECK(out.str().empty());
  CHECK(err.str() ==
        "retentionctl: no clock brake is engaged; nothing to confirm\n");
  CHECK_FALSE(p.fs.Exists(confirm));  // nothing left behind

  p.clock.JumpWall(kDay * 365);
  p.fs.AddFile("/data/backups/x.tar", 1, p.clock.Now() - kDay * 100);
  CHECK(p.Run().outcome == Outcome::kBraked);
  CHECK(p.Run().outcome == Outcome::kBraked);
  out.str("");
  CHECK(ConfirmClockInStateDir(ctx) == kExitOk);
  INFO(err.str());
  CHECK(out.str().rfind("clock confirmed; the clock brake engaged at ", 0) ==
        0);
  CHECK(p.fs.Exists(confirm));
  CHECK(p.Run().outcome == Outcome::kOk);
  CHECK_FALSE(p.fs.Exists("/data/backups/x.tar"));
  CHECK_FALSE(p.fs.Exists(confirm));
  CHECK(p.Entries("confirm-clock").size() == 1);
}

TEST_CASE("a dry run after a clock jump cannot hide the jump") {
  Pipeline p;
  CHECK(p.Run().outcome == Outcome::kOk);
  p.clock.JumpWall(kDay * 365);
  p.fs.AddFile("/data/backups/x.tar", 1, p.clock.Now() - kDay * 100);
  CHECK(p.Run(/*dry_run=*/true).outcome == Outcome::kDryRun);
  CHECK(p.Run().outcome == Outcome::kBraked);
  CHECK(p.fs.Exists("/data/backups/x.tar"));
}

TEST_CASE("a missed daily run after 395 days fires once and deletes once") {
  Pipeline p;
  Scheduler scheduler;
  scheduler.Set("files.backups", kDay, p.clock.BootNow());
  p.clock.Advance(kDay * 395);
  auto due = scheduler.TakeDue(p.clock.BootNow());
  CHECK(due.size() == 1);
  for (const std::string& id : due)
    p.daemon->Run(*p.daemon->Find(id), false, p.stop);
  CHECK(p.fs.removed() == std::vector<std::string>{"/data/backups/new.tar"});
  CHECK(scheduler.TakeDue(p.clock.BootNow()).empty());
}

TEST_CASE("a stop request before execution deletes nothing and says stopped") {
  Pipeline p;
  p.fs.AddFile("/data/backups/old.tar", 1, p.clock.Now() - kDay * 91);
  p.stop = true;
  RunReport r = p.Run();
  CHECK(r.outcome == Outcome::kStopped);
  CHECK(p.fs.removed().empty());
}

TEST_CASE("one file that cannot be removed does not stop the others") {
  Pipeline p;
  p.fs.AddFile("/data/backups/a.tar", 1, p.clock.Now() - kDay * 92);
  p.fs.AddFile("/data/backups/b.tar", 1, p.clock.Now() - kDay * 91);
  p.fs.FailNext(FsOp::kRemove, EIO);
  RunReport r = p.Run();
  CHECK(r.outcome == Outcome::kError);
  CHECK(r.result.failed == 1);
  CHECK(p.fs.removed() == std::vector<std::string>{"/data/backups/b.tar"});
  CHECK(p.Entries("delete").size() == 1);
  // a.tar may still be there (the failure is not pinned to an item): it
  // counts as left, so the report says overdue rather than within.
  std::optional<RunRecord> left = p.Measured();
  REQUIRE(left);
  CHECK(left->kept ==
        3);  // new.tar, and both deletions (which failed is unknown)
  CHECK(left->oldest == p.clock.Now() - kDay * 92);
}

TEST_CASE("a file swapped after planning is not removed and the run stops") {
  Pipeline p;
  p.fs.AddFile("/data/backups/a.tar", 1, p.clock.Now() - kDay * 92);
  p.fs.AddFile("/data/backups/b.tar", 1, p.clock.Now() - kDay * 91);
  auto policy = p.daemon->Find("backups");
  auto plan = policy->MakePlan(p.clock.Now());
  REQUIRE(plan.ok());
  p.fs.Replace("/data/backups/a.tar");
  struct Ctx : ExecContext {
    Status Record(const std::string&, const Action&) override {
      return Status::Ok();
    }
    bool stopping() const override { return false; }
  } ctx;
  ExecResult r = policy->Execute(*plan, ctx);
  CHECK(r.done == 0);
  CHECK(r.failed == 1);
  CHECK(p.fs.removed().empty());
}

TEST_CASE("a reload with a broken config keeps the running policies") {
  Pipeline p;
  p.WriteConfig("max_agee = 90d\n");
  std::vector<ConfigError> errors;
  Status st = p.daemon->Reload(&errors);
  CHECK_FALSE(st.ok());
  std::string all = JoinConfigErrors(errors);
  CHECK(all.find("retentiond.conf:6: [files.backups] max_agee:") !=
        std::string::npos);
  CHECK(all.find("did you mean 'max_age'") != std::string::npos);
  CHECK(p.daemon->Find("backups") != nullptr);
  p.WriteConfig("max_age = 30d\n");
  errors.clear();
  CHECK(p.daemon->Reload(&errors).ok());
}

// The logs kind is registered for its keys before its executor exists; a
// daemon must refuse such a section cleanly, never call an empty factory.
TEST_CASE("a policy kind that cannot run yet is refused at reload and start") {
  Pipeline p;
  // A kind whose keys are known but that has no executor (no factory).
  p.registry.Register(
      {"widgets",
       false,
       {{"size", ValueType::kSize, "", true, {}, "widget size"}},
       {},
       {}});
  std::ofstream(p.config_path(), std::ios::app) << "[widgets.w]\nsize = 2M\n";
  std::vector<ConfigError> errors;
  Status st = p.daemon->Reload(&errors);
  // Reported like a configuration error, at the section (exit code 78).
  REQUIRE(errors.size() == 1);
  CHECK(errors[0].section == "widgets.w");
  CHECK(errors[0].where.line > 0);
  CHECK(st.code() == Status::Code::kInvalidArgument);
  CHECK(st.message().find("[widgets.w]: widgets policies are not executable "
                          "yet") != std::string::npos);
  CHECK(p.daemon->Find("backups") != nullptr);
  CHECK(p.daemon->Find("w") == nullptr);
  p.daemon.reset();
  Daemon next(p.clock, p.fs, p.registry, p.config_path());
  errors.clear();
  CHECK_FALSE(next.Start(&errors).ok());
  CHECK(errors.size() == 1);
}

TEST_CASE("a second retentiond on the same state directory is refused") {
  Pipeline p;
  Daemon other(p.clock, p.fs, p.registry, p.config_path());
  std::vector<ConfigError> errors;
  Status st = other.Start(&errors);
  CHECK(st.IsBusy());
  CHECK(st.message().find("in use by another retentiond") != std::string::npos);
  p.daemon.reset();  // the first one stops: the lock is free again
  Daemon next(p.clock, p.fs, p.registry, p.config_path());
  CHECK(next.Start(&errors).ok());
}

TEST_CASE("a run its process never finished is recorded as interrupted") {
  Pipeline p;
  RunRecord run;
  run.policy = "files.backups";
  run.started = p.clock.Now();
  auto id = p.daemon->state().BeginRun(run);  // then the process "dies"
  REQUIRE(id.ok());
  p.daemon.reset();
  p.clock.Advance(hours(1));
  p.daemon =
      std::make_unique<Daemon>(p.clock, p.fs, p.registry, p.config_path());
  std::vector<ConfigError> errors;
  REQUIRE(p.daemon->Start(&errors).ok());
  auto entries = p.Entries("interrupted");
  REQUIRE(entries.size() == 1);
  CHECK(entries[0].policy == "files.backups");
  CHECK(entries[0].target == "run " + std::to_string(*id));
  CHECK(p.daemon->state().LastRun()->value().outcome == "interrupted");
  CHECK(p.daemon->ledger().Verify()->ok);
}

}  // namespace
}  // namespace retention::pipeline_test

namespace retention::pipeline_test {
namespace {

TEST_CASE("policy statistics count real runs and recorded removals only") {
  Pipeline p;
  p.fs.AddFile("/data/backups/old.tar", 4096, p.clock.Now() - kDay * 91);
  p.fs.AddFile("/data/backups/old2.tar", 100, p.clock.Now() - kDay * 92);
  p.Run(/*dry_run=*/true);
  p.Run();
  p.fs.FailNext(FsOp::kOpenRoot, EIO);
  p.Run();
  auto stats = p.daemon->state().PolicyStatistics();
  REQUIRE(stats.ok());
  const PolicyStats& s = stats->at("files.backups");
  CHECK(s.runs_by_outcome ==
        std::map<std::string, int64_t>{{"ok", 1}, {"error", 1}});
  CHECK(s.removed_items == 2);
  CHECK(s.removed_bytes == 4196);
  CHECK(s.last_success.has_value());
  CHECK(stats->count("daemon") == 0);
}

TEST_CASE("a run deleting most of its scope brakes until released") {
  Pipeline p;
  for (int i = 0; i < 11; ++i) {
    p.fs.AddFile("/data/backups/old" + std::to_string(i) + ".tar", 10,
                 p.clock.Now() - kDay * 100);
  }
  // 11 of 12 expired: 92% > max_delete_fraction 0.25, scope 12 >= 10.
  RunReport dry = p.Run(/*dry_run=*/true);
  CHECK(dry.outcome == Outcome::kDryRun);
  CHECK(dry.plan.actions.size() == 11);
  auto brakes = p.daemon->state().Brakes();
  REQUIRE(brakes.ok());
  CHECK(brakes->empty());  // a dry run never engages it

  RunReport r = p.Run();
  CHECK(r.outcome == Outcome::kBraked);
  CHECK_THAT(r.error, Catch::Contains("would delete 11 of 12 items (91%)") &&
                          Catch::Contains("retentionctl release "
                                          "files.backups"));
  CHECK(p.fs.removed().empty());
  REQUIRE(p.Entries("brake").size() == 1);
  brakes = p.daemon->state().Brakes();
  REQUIRE(brakes.ok());
  REQUIRE(brakes->size() == 1);
  CHECK((*brakes)[0].name == "files.backups");
  // Engaged: the next run is braked too, whatever it plans.
  CHECK(p.Run().outcome == Outcome::kBraked);
  CHECK(p.Entries("brake").size() == 1);

  auto was = p.daemon->ReleaseBrake("files.backups", "uid 0");
  REQUIRE(was.ok());
  CHECK(*was);
  REQUIRE(p.Entries("release").size() == 1);
  CHECK(p.Run().outcome == Outcome::kOk);
  CHECK(p.fs.removed().size() == 11);
  CHECK(p.daemon->state().Brakes()->empty());
  CHECK(p.daemon->ledger().Verify()->ok);
}

TEST_CASE("max_delete_fraction 1 never brakes") {
  Pipeline p;
  p.WriteConfig("max_age = 90d\nmax_delete_fraction = 1\n");
  std::vector<ConfigError> errors;
  REQUIRE(p.daemon->Reload(&errors).ok());
  for (int i = 0; i < 11; ++i) {
    p.fs.AddFile("/data/backups/old" + std::to_string(i) + ".tar", 10,
                 p.clock.Now() - kDay * 100);
  }
  CHECK(p.Run().outcome == Outcome::kOk);
  CHECK(p.fs.removed().size() == 11);
}

TEST_CASE("a held path is never deleted until the hold is released") {
  Pipeline p;
  p.fs.AddDir("/data/backups/case");
  p.fs.AddFile("/data/backups/old.tar", 10, p.clock.Now() - kDay * 100);
  p.fs.AddFile("/data/backups/kept.tar", 10, p.clock.Now() - kDay * 100);
  auto hold = p.daemon->PlaceHold("path", "/data/backups/kept.tar",
                                  "legal hold 17", "uid 0");
  REQUIRE(hold.ok());
  CHECK(hold->since == p.clock.Now());
  REQUIRE(p.Entries("hold").size() == 1);
  CHECK(p.Entries("hold")[0].target == "path /data/backups/kept.tar");

  RunReport dry = p.Run(/*dry_run=*/true);
  REQUIRE(dry.plan.actions.size() == 1);
  CHECK(dry.plan.actions[0].target == "/data/backups/old.tar");
  CHECK_THAT(dry.plan.warnings.back(), Catch::Contains("legal hold 17"));
  CHECK(p.fs.removed().empty());

  CHECK(p.Run().outcome == Outcome::kOk);
  CHECK(p.fs.removed() == std::vector<std::string>{"/data/backups/old.tar"});
  auto released =
      p.daemon->ReleaseHold("path", "/data/backups/kept.tar", "uid 0");
  REQUIRE(released.ok());
  CHECK(*released);
  CHECK(p.Entries("release-hold").size() == 1);
  CHECK_FALSE(*p.daemon->ReleaseHold("path", "/data/backups/kept.tar", "x"));
  p.Run();
  CHECK(p.fs.removed().size() == 2);
}

TEST_CASE("a policy hold stops every deletion of that policy") {
  Pipeline p;
  p.fs.AddFile("/data/backups/old.tar", 10, p.clock.Now() - kDay * 100);
  REQUIRE(p.daemon->PlaceHold("policy", "backups", "audit", "uid 0").ok());
  auto holds = p.daemon->state().Holds();
  REQUIRE(holds.ok());
  REQUIRE(holds->size() == 1);
  CHECK((*holds)[0].target == "files.backups");  // resolved to its id
  CHECK(p.Run().outcome == Outcome::kOk);
  CHECK(p.fs.removed().empty());
}

TEST_CASE("holds with a bad kind or target are refused") {
  Pipeline p;
  CHECK(p.daemon->PlaceHold("paths", "/x", "r", "u").status().code() ==
        Status::Code::kInvalidArgument);
  CHECK(p.daemon->PlaceHold("path", "relative", "r", "u").status().code() ==
        Status::Code::kInvalidArgument);
  CHECK(p.daemon->PlaceHold("policy", "nosuch", "r", "u").status().code() ==
        Status::Code::kInvalidArgument);
  CHECK(p.daemon->PlaceHold("account", "42", "", "u").status().code() ==
        Status::Code::kInvalidArgument);
  CHECK(p.daemon->state().Holds()->empty());
}

}  // namespace
}  // namespace retention::pipeline_test
