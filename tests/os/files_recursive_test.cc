// [files.NAME] with recursive and remove_empty_dirs through the whole path
// (config -> Daemon -> plan -> execute -> ledger) on the fake filesystem:
// what goes at every depth, which directories go, what never does (an
// excluded directory, a symlinked directory's contents, a mount, a FIFO, a
// locked file, a directory swapped between plan and deletion), and the
// property test: over random trees, ages, clocks and holds, no item younger
// than its deadline, under its floor, among the keep_newest or held is
// deleted, nothing outside the root is, and the dry run lists exactly what
// the real run deletes.
#include <algorithm>
#include <catch2/catch.hpp>
#include <random>
#include <set>

#include "fake_fs_daemon.h"
#include "kinds/files/files_planner.h"

namespace retention::files_recursive_test {
namespace {

using std::chrono::hours;
using std::chrono::seconds;
constexpr Duration kDay = hours(24);

// `path` is `dir` or beneath it.
bool Under(const std::string& path, const std::string& dir) {
  return path == dir || path.rfind(dir + "/", 0) == 0;
}

std::vector<std::string> Targets(const Plan& plan) {
  std::vector<std::string> out;
  for (const Action& a : plan.actions) out.push_back(a.target);
  return out;
}

struct Recursive : FakeFsDaemon {
  explicit Recursive(const std::string& keys = "") {
    WriteConfig(
        "[files.tree]\nroot = /data/tree\nmax_age = 30d\nrecursive = "
        "yes\nmax_delete_fraction = 1\n" +
        keys);
    fs.AddDir("/data/tree");
  }
  void Old(const std::string& path) {
    fs.AddFile("/data/tree/" + path, 100, clock.Now() - 40 * kDay);
  }
  void Young(const std::string& path) {
    fs.AddFile("/data/tree/" + path, 100, clock.Now() - kDay);
  }
  // Directories get the age of the files added to them; make them old.
  void AgeDir(const std::string& path) {
    fs.SetMtime("/data/tree/" + path, clock.Now() - 40 * kDay);
  }
};

TEST_CASE("recursive files expire at every depth; the dry run lists them") {
  Recursive f;
  f.Old("a.tar");
  f.Old("x/b.tar");
  f.Old("x/y/z/c.tar");
  f.Young("x/y/new.tar");
  f.Start();
  RunReport dry = f.Run("files.tree", true);
  CHECK(Targets(dry.plan) == std::vector<std::string>{"/data/tree/x/y/z/c.tar",
                                                      "/data/tree/x/b.tar",
                                                      "/data/tree/a.tar"});
  CHECK(f.fs.removed().empty());
  RunReport real = f.Run("files.tree");
  CHECK(real.outcome == Outcome::kOk);
  CHECK(f.fs.removed() == Targets(dry.plan));
  CHECK(f.fs.Exists("/data/tree/x/y/new.tar"));
  CHECK(f.fs.Exists("/data/tree/x/y/z"));  // remove_empty_dirs is off
  CHECK(f.Entries("delete").size() == 3);
}

TEST_CASE("remove_empty_dirs removes emptied old directories, deepest first") {
  Recursive f("remove_empty_dirs = yes\n");
  f.Old("gone/deeper/a");
  f.Old("gone/b");
  f.Old("mixed/old");
  f.Young("mixed/young");
  f.fs.AddDir("/data/tree/fresh-empty");  // made now: too young
  f.fs.AddDir("/data/tree/old-empty");
  for (const char* d : {"gone/deeper", "gone", "mixed", "old-empty"}) {
    f.AgeDir(d);
  }
  f.Start();
  RunReport dry = f.Run("files.tree", true);
  RunReport real = f.Run("files.tree");
  CHECK(real.outcome == Outcome::kOk);
  const std::vector<std::string> removed = f.fs.removed();
  CHECK(removed == Targets(dry.plan));
  CHECK(std::set<std::string>(removed.begin(), removed.end()) ==
        std::set<std::string>{"/data/tree/gone/deeper/a",
                              "/data/tree/gone/deeper", "/data/tree/gone/b",
                              "/data/tree/gone", "/data/tree/mixed/old",
                              "/data/tree/old-empty"});
  // A directory only after what was in it.
  auto at = [&](const std::string& p) {
    return std::find(removed.begin(), removed.end(), p) - removed.begin();
  };
  CHECK(at("/data/tree/gone/deeper/a") < at("/data/tree/gone/deeper"));
  CHECK(at("/data/tree/gone/deeper") < at("/data/tree/gone"));
  CHECK(at("/data/tree/gone/b") < at("/data/tree/gone"));
  CHECK(f.fs.Exists("/data/tree"));
  CHECK(f.fs.Exists("/data/tree/fresh-empty"));
  CHECK(f.fs.Exists("/data/tree/mixed/young"));
  for (const LedgerEntry& e : f.Entries("delete")) {
    CHECK_THAT(e.target, Catch::StartsWith("/data/tree/"));
  }
}

TEST_CASE(
    "a recursive sweep never enters an excluded directory, a symlinked "
    "directory or a mount, and never removes a FIFO") {
  Recursive f("exclude = .snapshot\nremove_empty_dirs = yes\n");
  f.Old(".snapshot/keep.tar");
  f.fs.AddDir("/outside");
  f.fs.AddFile("/outside/secret", 100, f.clock.Now() - 400 * kDay);
  f.fs.AddSymlink("/data/tree/link", "/outside");
  f.fs.SetMtime("/data/tree/link", f.clock.Now() - 40 * kDay);
  f.Old("mnt/inside.tar");
  f.fs.MarkMount("/data/tree/mnt");
  f.fs.AddSpecial("/data/tree/fifo");
  f.Old("plain.tar");
  f.Start();
  RunReport r = f.Run("files.tree");
  CHECK(r.outcome == Outcome::kOk);
  // The symlink itself is an expired entry; what it points to is not.
  CHECK(f.fs.removed() ==
        std::vector<std::string>{"/data/tree/link", "/data/tree/plain.tar"});
  CHECK(f.fs.Exists("/outside/secret"));
  CHECK(f.fs.Exists("/data/tree/.snapshot/keep.tar"));
  CHECK(f.fs.Exists("/data/tree/mnt/inside.tar"));
  CHECK(f.fs.Exists("/data/tree/fifo"));
  std::string warnings;
  for (const std::string& w : r.plan.warnings) warnings += w + "\n";
  CHECK_THAT(warnings, Catch::Contains("/data/tree/mnt: a mount point"));
  CHECK_THAT(warnings, Catch::Contains("/data/tree/fifo: not a regular file"));
}

TEST_CASE("a subdirectory swapped between plan and deletion is not touched") {
  Recursive f;
  f.Old("a/1.tar");
  f.Old("a/2.tar");
  f.Old("b/3.tar");
  f.Start();
  // Plan, then swap a/ for another directory before the deletions: the
  // Runner plans and executes in one call, so swap from a hold-free plan
  // by running the policy object directly.
  auto policy = f.daemon->Find("files.tree");
  auto plan = policy->MakePlan(f.clock.Now());
  REQUIRE(plan.ok());
  REQUIRE(plan->actions.size() == 3);
  f.fs.Replace("/data/tree/a");
  struct Ctx final : ExecContext {
    Status Record(const std::string&, const Action&) override {
      return Status::Ok();
    }
    bool stopping() const override { return false; }
  } ctx;
  ExecResult r = policy->Execute(*plan, ctx);
  CHECK(f.fs.removed() == std::vector<std::string>{"/data/tree/b/3.tar"});
  CHECK(r.done == 1);
  CHECK(r.failed == 2);
  REQUIRE(r.errors.size() == 1);  // one message for the directory
  CHECK_THAT(r.errors[0], Catch::Contains("/data/tree/a/"));
}

TEST_CASE("a file another process holds an flock on survives a sweep") {
  Recursive f;
  f.Old("d/locked.tar");
  f.Old("d/free.tar");
  f.fs.SetLocked("/data/tree/d/locked.tar", true);
  f.Start();
  RunReport r = f.Run("files.tree");
  CHECK(f.fs.removed() == std::vector<std::string>{"/data/tree/d/free.tar"});
  CHECK(f.fs.Exists("/data/tree/d/locked.tar"));
}

TEST_CASE(
    "a file held under flock survives a sweep that cannot read the "
    "lock table: every file is probed") {
  Recursive f;
  f.Old("d/locked.tar");
  f.Old("d/free.tar");
  f.fs.SetLocked("/data/tree/d/locked.tar", true);
  f.fs.FailNext(FsOp::kLockedInodes, EACCES);
  f.Start();
  RunReport r = f.Run("files.tree");
  CHECK(f.fs.removed() == std::vector<std::string>{"/data/tree/d/free.tar"});
  CHECK(f.fs.Exists("/data/tree/d/locked.tar"));
  // The held file is the one error: a missing lock table is none.
  REQUIRE(r.result.errors.size() == 1);
  CHECK_THAT(r.result.errors[0], Catch::Contains("locked by another process"));
}

TEST_CASE("remove_empty_dirs without recursive is a configuration error") {
  FakeFsDaemon f;
  f.fs.AddDir("/data/flat");
  f.WriteConfig(
      "[files.flat]\nroot = /data/flat\nmax_age = 1d\nremove_empty_dirs = "
      "yes\n");
  Config config;
  std::vector<ConfigError> errors;
  CHECK_FALSE(LoadConfig(f.config_path(), f.registry, &config, &errors));
  REQUIRE(errors.size() == 1);
  CHECK(errors[0].key == "remove_empty_dirs");
  CHECK(errors[0].message == "needs recursive = yes");
}

// The property test. Each trial builds a random tree of old and young
// files and directories, random max_age / min_age / keep_newest, maybe a
// hold on one subdirectory, advances the clock by a random amount, then
// runs the policy dry and for real and checks every promise.
TEST_CASE(
    "property: over random trees, clocks and holds nothing is deleted "
    "early, held, kept or outside the root, and dry run == real run") {
  std::mt19937_64 rng(20261123);
  auto pick = [&](uint64_t n) { return rng() % n; };
  for (int trial = 0; trial < 60; ++trial) {
    INFO("trial " << trial);
    FakeFsDaemon f;
    const int max_days = 1 + static_cast<int>(pick(60));
    const int min_days = static_cast<int>(pick(90));
    const uint64_t keep_newest = pick(4);
    const bool remove_dirs = pick(2) == 0;
    f.WriteConfig("[files.p]\nroot = /r\nrecursive = yes\nmax_age = " +
                  std::to_string(max_days) +
                  "d\nmin_age = " + std::to_string(min_days) +
                  "d\nkeep_newest = " + std::to_string(keep_newest) +
                  "\nremove_empty_dirs = " + (remove_dirs ? "yes" : "no") +
                  "\nmax_delete_fraction = 1\nexclude = keep*\n");
    f.fs.AddDir("/r");
    f.fs.AddDir("/outside");
    f.fs.AddFile("/outside/x", 1, f.clock.Now() - 1000 * kDay);
    std::vector<std::string> dirs = {"/r"};
    const int n = 5 + static_cast<int>(pick(60));
    for (int i = 0; i < n; ++i) {
      const std::string parent = dirs[pick(dirs.size())];
      const auto age = seconds(static_cast<int64_t>(pick(200 * 86400)));
      const uint64_t kind = pick(10);
      const std::string name =
          (pick(8) == 0 ? "keep" : "n") + std::to_string(i);
      const std::string path = parent + "/" + name;
      if (kind < 3) {
        f.fs.AddDir(path);
        dirs.push_back(path);
      } else if (kind == 3) {
        f.fs.AddSymlink(path, "/outside");
      } else if (kind == 4 && pick(3) == 0) {
        f.fs.AddSpecial(path);
      } else {
        f.fs.AddFile(path, 1 + pick(1000), f.clock.Now() - age);
        continue;
      }
      f.fs.SetMtime(path, f.clock.Now() - age);
    }
    f.Start();
    std::string held;
    if (dirs.size() > 1 && pick(2) == 0) {
      held = dirs[1 + pick(dirs.size() - 1)];
      REQUIRE(f.daemon->PlaceHold("path", held, "litigation", "test").ok());
    }
    f.clock.Advance(seconds(static_cast<int64_t>(pick(30 * 86400))));
    const WallTime now = f.clock.Now();
    // Snapshot of what exists before, for the checks below.
    std::map<std::string, FileInfo> before;
    std::vector<std::string> stack = {"/r"};
    while (!stack.empty()) {
      const std::string d = stack.back();
      stack.pop_back();
      auto root = f.fs.OpenRoot(d);
      REQUIRE(root.ok());
      auto names = f.fs.List(**root);
      REQUIRE(names.ok());
      for (const std::string& name : *names) {
        auto info = f.fs.StatAt(**root, name);
        REQUIRE(info.ok());
        before[d + "/" + name] = *info;
        if (info->type == FileType::kDirectory) stack.push_back(d + "/" + name);
      }
    }
    RunReport dry = f.Run("files.p", true);
    REQUIRE(dry.outcome == Outcome::kDryRun);
    REQUIRE(f.fs.removed().empty());
    RunReport real = f.Run("files.p");
    INFO(real.error);
    REQUIRE(real.outcome == Outcome::kOk);
    const std::vector<std::string> removed = f.fs.removed();
    CHECK(removed == Targets(dry.plan));

    const Duration deadline = std::max(kDay * max_days, kDay * min_days);
    std::vector<std::pair<WallTime, std::string>> candidates;  // files
    for (const auto& [path, info] : before) {
      const std::string name = path.substr(path.rfind('/') + 1);
      const bool in_kept_dir = path.find("/keep") != std::string::npos;
      if ((info.type == FileType::kRegular ||
           info.type == FileType::kSymlink) &&
          !in_kept_dir) {
        candidates.push_back({info.mtime, path});
      }
    }
    std::sort(candidates.rbegin(), candidates.rend());  // newest first
    std::set<std::string> newest;
    for (size_t i = 0; i < candidates.size() && i < keep_newest; ++i) {
      newest.insert(candidates[i].second);
    }
    for (const std::string& path : removed) {
      INFO(path);
      REQUIRE(before.count(path) == 1);  // so: beneath /r, never /outside
      const FileInfo& info = before[path];
      CHECK(now - info.mtime > deadline);  // never early, floor wins
      CHECK(path.find("/keep") == std::string::npos);     // excluded
      CHECK(newest.count(path) == 0);                     // keep_newest
      CHECK(info.type != FileType::kOther);               // never a FIFO
      if (!held.empty()) CHECK_FALSE(Under(path, held));  // never held
      if (info.type == FileType::kDirectory) {
        CHECK(remove_dirs);
        CHECK_FALSE(f.fs.Exists(path));
      }
    }
    CHECK(f.fs.Exists("/outside/x"));
    // Everything old enough, not excluded, not held, not among the newest
    // and a file or link is gone: the sweep is complete, not just safe.
    for (const auto& [t, path] : candidates) {
      const bool due = now - t > deadline && newest.count(path) == 0 &&
                       (held.empty() || !Under(path, held));
      if (due) CHECK_FALSE(f.fs.Exists(path));
    }
  }
}

}  // namespace
}  // namespace retention::files_recursive_test
