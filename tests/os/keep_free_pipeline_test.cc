// [daemon] keep_free through the whole path: config file -> Daemon -> the
// "daemon.keep_free" policy -> plan -> execute -> ledger, over two log sets
// on a fake filesystem (one device) with a real state database.
#include <catch2/catch.hpp>
#include <filesystem>
#include <fstream>

#include "core/daemon.h"
#include "fake_fs_daemon.h"
#include "kinds/logs/keep_free_planner.h"
#include "kinds/logs/logs_naming.h"

namespace retention::keep_free_pipeline_test {
namespace {

using std::chrono::hours;
constexpr Duration kDay = hours(24);
constexpr uint64_t kM = 1 << 20;

struct KeepFreePipeline : FakeFsDaemon {
  explicit KeepFreePipeline(const std::string& keep_free) {
    WriteConfig(
        "[logs.a]\npaths = /var/log/a/app.log\nmax_file_size = 100M\n\n"
        "[logs.b]\npaths = /var/log/b/app.log\nmax_file_size = 100M\n"
        "min_age = 2d\n",
        keep_free);
    for (const char* set : {"a", "b"}) {
      const std::string dir = std::string("/var/log/") + set;
      fs.AddDir(dir);
      fs.AddFile(dir + "/app.log", 50 * kM, clock.Now());
    }
    Start();
  }
  // A compressed archive of set `set`, rotated `age` ago.
  std::string AddArchive(const std::string& set, Duration age) {
    const std::string path =
        "/var/log/" + set + "/" +
        FormatArchiveName("app.log", clock.Now() - age, 0, Compression::kZstd);
    fs.AddFile(path, 10 * kM, clock.Now() - age);
    return path;
  }
  RunReport Run(bool dry_run) {
    return FakeFsDaemon::Run(kKeepFreePolicyId, dry_run);
  }
  std::vector<LedgerEntry> Deletes() { return Entries("delete"); }
};

// 100M wanted of 1000M (10%), 75M free: three 10M archives must go, the
// oldest across both sets; b's 1-day-old archive is under its min_age.
void Stage(KeepFreePipeline& p, std::vector<std::string>* expected) {
  const std::string a9 = p.AddArchive("a", 9 * kDay);
  const std::string b7 = p.AddArchive("b", 7 * kDay);
  const std::string a5 = p.AddArchive("a", 5 * kDay);
  p.AddArchive("a", 3 * kDay);
  p.AddArchive("b", 1 * kDay);
  p.fs.SetSpace({75 * kM, 1000 * kM});
  *expected = {a9, b7, a5};
}

TEST_CASE("keep_free deletes the oldest archives across log sets, recorded") {
  KeepFreePipeline p("keep_free = 10%\n");
  std::vector<std::string> expected;
  Stage(p, &expected);
  RunReport r = p.Run(/*dry_run=*/false);
  CHECK(r.outcome == Outcome::kOk);
  CHECK(p.fs.removed() == expected);
  CHECK(p.fs.Exists("/var/log/a/app.log"));
  CHECK(p.fs.Exists("/var/log/b/app.log"));
  auto deletes = p.Deletes();
  REQUIRE(deletes.size() == 3);
  for (size_t i = 0; i < deletes.size(); ++i) {
    CHECK(deletes[i].policy == kKeepFreePolicyId);
    CHECK(deletes[i].target == expected[i]);
    CHECK(deletes[i].bytes == 10 * kM);
    CHECK_THAT(deletes[i].detail, Catch::Contains("below keep_free 10%"));
  }
  CHECK(p.daemon->ledger().Verify()->ok);
}

TEST_CASE("a keep_free dry run lists the same archives and removes nothing") {
  KeepFreePipeline p("keep_free = 10%\n");
  std::vector<std::string> expected;
  Stage(p, &expected);
  RunReport r = p.Run(/*dry_run=*/true);
  CHECK(r.outcome == Outcome::kDryRun);
  std::vector<std::string> planned;
  for (const Action& a : r.plan.actions) planned.push_back(a.target);
  CHECK(planned == expected);
  CHECK(p.fs.removed().empty());
  CHECK(p.Deletes().empty());
}

TEST_CASE("keep_free in bytes counts the filesystem's available space") {
  KeepFreePipeline p("keep_free = 80M\n");
  std::vector<std::string> expected;
  Stage(p, &expected);
  p.Run(/*dry_run=*/false);
  CHECK(p.fs.removed() == std::vector<std::string>{expected[0]});
}

TEST_CASE("without keep_free there is no keep_free policy") {
  KeepFreePipeline p("");
  CHECK_FALSE(p.daemon->Find(kKeepFreePolicyId));
  for (const auto& [id, every] : p.daemon->Schedule()) {
    CHECK(id != kKeepFreePolicyId);
  }
}

TEST_CASE("a bad keep_free value is a config error naming the key") {
  TempDir tmp;
  const std::string path = tmp.path() + "/retentiond.conf";
  std::ofstream(path) << "[daemon]\nkeep_free = 100%\n";
  KindRegistry registry = BuiltinRegistry();
  Config config;
  std::vector<ConfigError> errors;
  CHECK_FALSE(LoadConfig(path, registry, &config, &errors));
  REQUIRE(errors.size() == 1);
  CHECK(errors[0].key == "keep_free");
  CHECK_THAT(errors[0].message, Catch::Contains("less than 100%"));
}

}  // namespace
}  // namespace retention::keep_free_pipeline_test
