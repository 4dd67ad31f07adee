// StateGuard (state_guard.h): nothing is removed while the ledger could
// not record it — state.db unlinked or replaced under the daemon, a ledger
// whose head is missing — and a fresh state.db where the state directory
// held another ledger is refused at start.
#include "core/state_guard.h"

#include <catch2/catch.hpp>
#include <filesystem>

#include "db_test_util.h"
#include "fake_fs_daemon.h"

namespace retention::state_guard_test {
namespace {

constexpr Duration kDay = std::chrono::hours(24);

struct GuardedDaemon : FakeFsDaemon {
  std::string root = tmp.path() + "/data";
  std::string state_db = tmp.path() + "/state/state.db";
  GuardedDaemon() {
    fs.AddDir(root);
    fs.AddFile(root + "/old", 100, clock.Now() - 40 * kDay);
    WriteConfig("[files.x]\nroot = " + root +
                "\nmax_age = 30d\nmax_delete_fraction = 1\n");
  }
};

TEST_CASE("a state db removed under the daemon stops every deletion",
          "[state-guard]") {
  GuardedDaemon d;
  d.Start();
  std::filesystem::remove(d.state_db);
  RunReport r = d.Run("files.x");
  CHECK(r.outcome == Outcome::kError);
  CHECK_THAT(r.error, Catch::Contains("state.db was removed"));
  CHECK(d.fs.Exists(d.root + "/old"));
}

TEST_CASE("a state db replaced under the daemon stops every deletion",
          "[state-guard]") {
  GuardedDaemon d;
  d.Start();
  std::filesystem::copy_file(d.state_db, d.state_db + ".copy");
  std::filesystem::rename(d.state_db + ".copy", d.state_db);
  RunReport r = d.Run("files.x");
  CHECK(r.outcome == Outcome::kError);
  CHECK_THAT(r.error, Catch::Contains("state.db was replaced"));
  CHECK(d.fs.Exists(d.root + "/old"));
}

TEST_CASE("a ledger without its head deletes nothing", "[state-guard]") {
  GuardedDaemon d;
  d.Start();
  RawSql(d.state_db, "DELETE FROM ledger_head");
  RunReport r = d.Run("files.x");
  CHECK(r.outcome == Outcome::kError);
  CHECK_THAT(r.error, Catch::Contains("ledger_head is missing"));
  CHECK(d.fs.Exists(d.root + "/old"));
  CHECK(d.fs.removed().empty());
}

TEST_CASE("a ledger whose head does not name its last entry deletes nothing",
          "[state-guard]") {
  GuardedDaemon d;
  d.Start();
  RawSql(d.state_db, "UPDATE ledger_head SET seq = seq + 5");
  RunReport r = d.Run("files.x");
  CHECK(r.outcome == Outcome::kError);
  CHECK_THAT(r.error, Catch::Contains("retentionctl verify"));
  CHECK(d.fs.Exists(d.root + "/old"));
}

TEST_CASE("a fresh state db where another ledger was is refused at start",
          "[state-guard]") {
  GuardedDaemon d;
  d.Start();
  REQUIRE(d.Run("files.x").outcome == Outcome::kOk);
  d.daemon.reset();
  std::filesystem::remove(d.state_db);
  std::filesystem::remove(d.state_db + "-wal");
  std::filesystem::remove(d.state_db + "-shm");
  d.daemon =
      std::make_unique<Daemon>(d.clock, d.fs, d.registry, d.config_path());
  std::vector<ConfigError> errors;
  Status st = d.daemon->Start(&errors);
  CHECK(st.code() == Status::Code::kFailedPrecondition);
  CHECK_THAT(st.message(), Catch::Contains("state.db was replaced or "
                                           "recreated"));
  CHECK_THAT(st.message(), Catch::Contains("ledger-id"));
  SECTION("removing ledger-id starts a new ledger on purpose") {
    d.daemon.reset();
    std::filesystem::remove(d.tmp.path() + "/state/ledger-id");
    d.Start();
  }
}

TEST_CASE("the same state db is accepted at every start", "[state-guard]") {
  GuardedDaemon d;
  d.Start();
  d.daemon.reset();
  d.Start();
  CHECK(d.Run("files.x").outcome == Outcome::kOk);
}

}  // namespace
}  // namespace retention::state_guard_test
