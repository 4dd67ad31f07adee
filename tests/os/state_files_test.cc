// The files the daemon keeps in state_dir get their modes from the daemon,
// not from the umask or the directory: state.db (and its -wal, -shm) 0600,
// the daily reports 0600 in a 0700 directory; a state_dir others may write
// is refused.
#include <sys/stat.h>

#include <atomic>
#include <catch2/catch.hpp>
#include <filesystem>
#include <fstream>

#include "base/clock.h"
#include "config/kind_registry.h"
#include "core/daemon.h"
#include "report/daily_report.h"
#include "temp_dir.h"

namespace retention::state_files_test {
namespace {

// Runs the test body under `mask` and restores the umask after.
class ScopedUmask {
 public:
  explicit ScopedUmask(mode_t mask) : old_(umask(mask)) {}
  ~ScopedUmask() { umask(old_); }

 private:
  mode_t old_;
};

mode_t ModeOf(const std::string& path) {
  struct stat st;
  REQUIRE(lstat(path.c_str(), &st) == 0);
  return st.st_mode & 07777;
}

struct StateDirDaemon {
  TempDir tmp;
  PosixClock clock;
  std::unique_ptr<Filesystem> posix = NewPosixFilesystem();
  KindRegistry registry = BuiltinRegistry();
  std::unique_ptr<Daemon> daemon;
  std::string state = tmp.File("state");

  explicit StateDirDaemon(mode_t state_mode) {
    REQUIRE(mkdir(state.c_str(), 0700) == 0);
    REQUIRE(chmod(state.c_str(), state_mode) == 0);
    std::ofstream(tmp.File("r.conf"))
        << "[daemon]\nstate_dir = " << state << "\n";
    daemon =
        std::make_unique<Daemon>(clock, *posix, registry, tmp.File("r.conf"));
  }
  Status Start() {
    std::vector<ConfigError> errors;
    return daemon->Start(&errors);
  }
};

TEST_CASE("state.db is 0600 in a 0755 state_dir whatever the umask",
          "[state]") {
  ScopedUmask mask(0022);
  StateDirDaemon d(0755);
  Status st = d.Start();
  INFO(st.ToString());
  REQUIRE(st.ok());
  REQUIRE(d.daemon->Record("start", "test").ok());  // writes the WAL
  CHECK(ModeOf(d.state + "/state.db") == 0600);
  for (const char* extra : {"/state.db-wal", "/state.db-shm"}) {
    if (std::filesystem::exists(d.state + extra)) {
      INFO(extra);
      CHECK(ModeOf(d.state + extra) == 0600);
    }
  }
}

TEST_CASE("an existing state.db readable by others is made 0600", "[state]") {
  ScopedUmask mask(0022);
  StateDirDaemon d(0755);
  std::ofstream(d.state + "/state.db").flush();  // empty: a new database
  REQUIRE(chmod((d.state + "/state.db").c_str(), 0644) == 0);
  REQUIRE(d.Start().ok());
  CHECK(ModeOf(d.state + "/state.db") == 0600);
}

TEST_CASE("a state_dir writable by others is refused", "[state]") {
  StateDirDaemon d(0777);
  Status st = d.Start();
  CHECK(st.code() == Status::Code::kUnsafe);
  CHECK(st.message().find("writable by others (mode 0777)") !=
        std::string::npos);
  CHECK_FALSE(std::filesystem::exists(d.state + "/state.db"));
}

TEST_CASE("daily reports are 0600 in a 0700 directory whatever the umask",
          "[state]") {
  ScopedUmask mask(0);
  StateDirDaemon d(0755);
  REQUIRE(d.Start().ok());
  auto written =
      WriteDailyReport(*d.posix, *d.daemon->config(), d.daemon->state(),
                       d.daemon->ledger(), d.clock.Now());
  INFO(written.status().ToString());
  REQUIRE(written.ok());
  CHECK(ModeOf(d.state + "/reports") == 0700);
  for (const auto& entry :
       std::filesystem::directory_iterator(d.state + "/reports")) {
    INFO(entry.path());
    CHECK(ModeOf(entry.path()) == 0600);
  }
}

}  // namespace
}  // namespace retention::state_files_test

namespace retention::state_files_test {
namespace {

// A rows policy on a database that is not there, beside a files policy.
struct BrokenDatabaseDaemon {
  TempDir tmp;
  PosixClock clock;
  std::unique_ptr<Filesystem> posix = NewPosixFilesystem();
  KindRegistry registry = BuiltinRegistry();
  std::unique_ptr<Daemon> daemon;
  std::atomic<bool> stop{false};

  BrokenDatabaseDaemon() {
    REQUIRE(mkdir(tmp.File("state").c_str(), 0700) == 0);
    REQUIRE(mkdir(tmp.File("data").c_str(), 0700) == 0);
    std::ofstream(tmp.File("r.conf"))
        << "[daemon]\nstate_dir = state\ndaily_report = no\n"
           "[files.data]\nroot = data\nmax_age = 30d\n"
           "[rows.tokens]\ndatabase = sqlite:missing.db\ntable = t\n"
           "time_column = ts\nmax_age = 1h\n";
    daemon =
        std::make_unique<Daemon>(clock, *posix, registry, tmp.File("r.conf"));
  }
};

TEST_CASE("the daemon starts the valid policies and reports a broken one",
          "[state]") {
  BrokenDatabaseDaemon d;
  std::vector<ConfigError> errors;
  REQUIRE(d.daemon->Start(&errors, /*start_broken=*/true).ok());
  CHECK(errors.empty());
  REQUIRE(d.daemon->Find("files.data") != nullptr);
  auto rows = d.daemon->Find("rows.tokens");
  REQUIRE(rows != nullptr);
  RunReport report = d.daemon->Run(*rows, false, d.stop);
  CHECK(report.outcome == Outcome::kError);
  CHECK(report.error.find("not started") != std::string::npos);
  CHECK(report.error.find("missing.db") != std::string::npos);
  CHECK(d.daemon->Run(*d.daemon->Find("files.data"), false, d.stop).outcome ==
        Outcome::kOk);
}

TEST_CASE("a --once start (no start_broken) still fails on a broken policy",
          "[state]") {
  BrokenDatabaseDaemon d;
  std::vector<ConfigError> errors;
  CHECK_FALSE(d.daemon->Start(&errors).ok());
  REQUIRE(errors.size() == 1);
  CHECK(errors[0].section == "rows.tokens");
}

}  // namespace
}  // namespace retention::state_files_test
