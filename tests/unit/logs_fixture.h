// LogsFixture: one [logs.app] policy over /var/log/app/app.log, built by
// the logs kind's own factory (RegisterLogsKind with a FakeLogRotator) on
// FakeClock + FakeFilesystem, its runs recorded by a RecordingContext. No
// state database: a run's rotations, recoveries and removals reach the
// context; compressions (recorded on the shared pool's thread into
// Services::ledger, null here) are seen in the fake tree.
//
// Threading: single-threaded test use; Run() waits for the policy's
// compressions (on the pool) before it returns.
#pragma once

#include <algorithm>
#include <catch2/catch.hpp>
#include <memory>
#include <string>
#include <vector>

#include "compress/compressor.h"
#include "config/config.h"
#include "config/kind_registry.h"
#include "fakes/fake_clock.h"
#include "fakes/fake_filesystem.h"
#include "fakes/fake_log_rotator.h"
#include "fakes/keeping_context.h"
#include "kinds/logs/logs_policy.h"
#include "os/fs_rules.h"
#include "unit/test_registry.h"

namespace retention {

inline constexpr char kLogDir[] = "/var/log/app";
inline constexpr char kLive[] = "/var/log/app/app.log";
// What a rotation at the fixture's start (2026-01-01T00:00:00Z) is named.
inline constexpr char kFirstArchive[] = "/var/log/app/app.log-20260101T000000Z";

using RecordingContext = KeepingContext;

struct LogsFixture {
  FakeClock clock;
  FakeFilesystem fs{clock};
  FakeLogRotator rotator{fs};
  Services services{clock, fs};
  KindRegistry registry;
  RecordingContext ctx;
  std::unique_ptr<Policy> policy;  // last: its threads stop first

  LogsFixture() {
    registry.Register(TestDaemonKind());
    RegisterLogsKind(&registry, &rotator);
    fs.AddDir(kLogDir);
  }
  // The policy of "[logs.app]\npaths = /var/log/app/app.log\n" + `keys`.
  void Build(const std::string& keys) { BuildPaths(kLive, keys); }
  // The policy of "[logs.app]\npaths = " + `paths` + "\n" + `keys`.
  void BuildPaths(const std::string& paths, const std::string& keys) {
    Config config;
    std::vector<ConfigError> errors;
    const bool loaded = LoadConfigFromString(
        "/etc/retentiond/t.conf", "[logs.app]\npaths = " + paths + "\n" + keys,
        registry, &config, &errors);
    INFO((errors.empty() ? "" : errors[0].ToString()));
    REQUIRE(loaded);
    auto built =
        registry.Find("logs")->factory(*config.Find("logs.app"), services);
    REQUIRE(built.ok());
    policy = std::move(*built);
  }
  LogsPolicy& logs() { return static_cast<LogsPolicy&>(*policy); }
  Plan MakePlan() {
    auto plan = policy->MakePlan(clock.Now());
    INFO(plan.status().ToString());
    REQUIRE(plan.ok());
    return *plan;
  }
  // One real run, its compressions finished.
  ExecResult Run() {
    ExecResult r = policy->Execute(MakePlan(), ctx);
    logs().WaitForCompressions();
    return r;
  }
  // The live file, holding `bytes`.
  void AddLive(const std::string& bytes) {
    fs.AddFileWithContents(kLive, bytes, clock.Now());
  }
  // A rotated file `name` beside the live one, `size` zeros.
  void AddArchive(const std::string& name, uint64_t size) {
    fs.AddFile(JoinPath(kLogDir, name), size, clock.Now());
  }
  // The set of the budget tests: three archives of 4K, 31, 24 and 7 days
  // old, and a live file of 1000 bytes.
  void AddThreeArchives() {
    AddLive(std::string(1000, 'x'));
    AddArchive("app.log-20251201T000000Z.zst", 4096);
    AddArchive("app.log-20251208T000000Z.zst", 4096);
    AddArchive("app.log-20251225T000000Z.zst", 4096);
  }
  // Targets of the recorded actions with `verb`, in order.
  std::vector<std::string> Recorded(Verb verb) const {
    std::vector<std::string> out;
    for (const Action& a : ctx.recorded) {
      if (a.verb == verb) out.push_back(a.target);
    }
    return out;
  }
  // Names in the log directory, sorted.
  std::vector<std::string> Names() {
    auto dir = fs.OpenRoot(kLogDir);
    REQUIRE(dir.ok());
    auto names = fs.List(**dir);
    REQUIRE(names.ok());
    std::sort(names->begin(), names->end());
    return *names;
  }
  // The decompressed bytes of the zstd archive at `path`.
  std::string Unzstd(const std::string& path) {
    auto dir = fs.OpenRoot(SplitPath(path).dir);
    REQUIRE(dir.ok());
    auto text = DecompressToString(fs, **dir, SplitPath(path).name,
                                   Compression::kZstd, size_t{1} << 20);
    INFO(text.status().ToString());
    REQUIRE(text.ok());
    return *text;
  }
};

}  // namespace retention
