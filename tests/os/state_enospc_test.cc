// The state filesystem fills in the middle of a run (a real tmpfs of a few
// MiB, filled by a test hook after so many removals): the run stops, and
// once space is back the next run records, from the intents left open,
// exactly what was removed — removed == recorded, for each removing kind
// here (files, rows; accounts in accounts_purge_test.cc). Needs root to
// mount the tmpfs; without it the tests say so and check nothing.
#include <fcntl.h>
#include <sys/mount.h>
#include <unistd.h>

#include <catch2/catch.hpp>
#include <filesystem>
#include <fstream>

#include "core/clock_brake.h"
#include "core/daemon.h"
#include "core/intent_log.h"
#include "core/runner.h"
#include "db_test_util.h"
#include "fakes/fake_clock.h"
#include "fakes/hooked_filesystem.h"
#include "rows_env.h"
#include "temp_dir.h"

namespace retention::state_enospc_test {
namespace {

constexpr Duration kDay = std::chrono::hours(24);

// A tmpfs of `size` at `path`; Fill() takes every free byte, Free() gives
// them back.
class SmallFs {
 public:
  SmallFs(const std::string& path, const char* size) : path_(path) {
    std::filesystem::create_directories(path);
    mounted_ = mount("tmpfs", path.c_str(), "tmpfs", 0,
                     (std::string("mode=0700,size=") + size).c_str()) == 0;
  }
  ~SmallFs() {
    if (mounted_) umount2(path_.c_str(), MNT_DETACH);
  }
  bool mounted() const { return mounted_; }
  void Fill() {
    const std::string filler = path_ + "/filler";
    int fd = open(filler.c_str(), O_WRONLY | O_CREAT | O_APPEND, 0600);
    REQUIRE(fd >= 0);
    std::string block(4096, 'x');
    while (write(fd, block.data(), block.size()) > 0) {
    }
    while (write(fd, block.data(), 1) > 0) {
    }
    close(fd);
  }
  void Free() { std::filesystem::remove(path_ + "/filler"); }

 private:
  std::string path_;
  bool mounted_ = false;
};

WallTime RealNow() {
  return std::chrono::time_point_cast<Duration>(
      std::chrono::system_clock::now());
}

int64_t Sum(const std::string& state_db, const std::string& policy) {
  return std::stoll(SideConnection(state_db)
                        ->QueryText("SELECT coalesce(sum(count), 0) FROM "
                                    "ledger WHERE action = 'delete' AND "
                                    "policy = '" +
                                    policy + "'")
                        .value());
}

// Removals under open intents: one an intent, or a group's unsettled ones.
int64_t OpenIntentCount(const std::string& state_db) {
  return std::stoll(SideConnection(state_db)
                        ->QueryText("SELECT coalesce(sum(CASE WHEN items IS "
                                    "NULL THEN 1 ELSE count - recorded END), "
                                    "0) FROM intents")
                        .value());
}

size_t Entries(const std::string& dir) {
  size_t n = 0;
  for (auto& e : std::filesystem::directory_iterator(dir)) {
    (void)e;
    ++n;
  }
  return n;
}

// A Daemon on the real filesystem behind a hook, its clock at the real
// time, started on `config`.
struct HookedDaemon {
  FakeClock clock;
  std::unique_ptr<Filesystem> real = NewPosixFilesystem();
  HookedFilesystem fs{*real};
  KindRegistry registry = BuiltinRegistry();
  std::unique_ptr<Daemon> daemon;
  std::atomic<bool> stop{false};

  explicit HookedDaemon(const std::string& config) {
    clock.SetWall(RealNow());
    daemon = std::make_unique<Daemon>(clock, fs, registry, config);
    std::vector<ConfigError> errors;
    Status started = daemon->Start(&errors);
    INFO(started.ToString());
    REQUIRE(started.ok());
  }
  RunReport Run(const std::string& policy) {
    return daemon->Run(*daemon->Find(policy), false, stop);
  }
};

TEST_CASE("a full state filesystem mid-run: files removed == recorded",
          "[enospc]") {
  TempDir tmp;
  SmallFs state(tmp.File("state"), "12m");  // room for 10,000 entries
  if (!state.mounted()) {
    WARN("cannot mount a tmpfs here (needs root): not checked");
    return;
  }
  const std::string data = tmp.File("data");
  std::filesystem::create_directory(data);
  constexpr int kFiles = 10000;  // more than two groups of intents
  const auto old = std::filesystem::file_time_type::clock::now() -
                   std::chrono::hours(24 * 40);
  for (int i = 0; i < kFiles; ++i) {
    const std::string p = data + "/f" + std::to_string(i);
    std::ofstream(p).close();
    std::filesystem::last_write_time(p, old);
  }
  std::ofstream(tmp.File("r.conf"))
      << "[daemon]\nstate_dir = " << tmp.File("state")
      << "\n[files.x]\nroot = " << data
      << "\nmax_age = 30d\nmax_delete_fraction = 1\n";
  HookedDaemon d(tmp.File("r.conf"));
  int removed = 0;
  d.fs.after_remove = [&] {
    if (++removed == 1000) state.Fill();
  };
  const std::string db = tmp.File("state") + "/state.db";

  RunReport r = d.Run("files.x");
  CHECK(r.outcome == Outcome::kError);
  CHECK_THAT(r.error, Catch::Contains("ledger"));
  const int64_t gone = kFiles - static_cast<int64_t>(Entries(data));
  const int64_t ledgered = Sum(db, "files.x");
  WARN("disk full after 1000 removals: "
       << gone << " gone, " << ledgered << " in the ledger, "
       << OpenIntentCount(db) << " intents open");
  CHECK(gone >= 1000);
  CHECK(gone < kFiles);
  // Whatever the ledger lacks, an open intent covers.
  CHECK(gone - ledgered <= OpenIntentCount(db));

  state.Free();
  d.fs.after_remove = nullptr;
  r = d.Run("files.x");
  INFO(r.error);
  CHECK(r.outcome == Outcome::kOk);
  CHECK(Entries(data) == 0);
  CHECK(Sum(db, "files.x") == kFiles);
  CHECK(OpenIntentCount(db) == 0);
  auto verified = d.daemon->ledger().Verify();
  REQUIRE(verified.ok());
  CHECK(verified->ok);
}

// Forwards to a real Database, calling `fill` with each batch's count; a
// batch after which it filled the state filesystem reports a longer hold.
class FillingDatabase final : public Database {
 public:
  FillingDatabase(std::unique_ptr<Database> inner,
                  std::function<bool(int64_t)> fill)
      : inner_(std::move(inner)), fill_(std::move(fill)) {}
  Status Check(bool allow) override { return inner_->Check(allow); }
  StatusOr<RowsSurvey> Survey(WallTime cutoff) override {
    return inner_->Survey(cutoff);
  }
  StatusOr<RowsBatch> DeleteBatch(WallTime cutoff, int64_t limit,
                                  const BatchMark& mark) override {
    auto batch = inner_->DeleteBatch(cutoff, limit, mark);
    // The batch that filled the disk reports a hold of a whole record
    // period, so the run records (and meets the full disk) next, as a run
    // on a slower machine would: a fast one deletes every row in less.
    if (fill_ && batch.ok() && fill_(batch->removed)) {
      batch->hold = RowsPolicy::kRecordEvery;
    }
    return batch;
  }
  StatusOr<std::optional<RowsMark>> ReadMark(const std::string& p) override {
    return inner_->ReadMark(p);
  }
  Duration Checkpoint() override { return inner_->Checkpoint(); }
  void Pause(Duration d) override { inner_->Pause(d); }

 private:
  std::unique_ptr<Database> inner_;
  std::function<bool(int64_t)> fill_;
};

TEST_CASE("a full state filesystem mid-run: rows removed == recorded",
          "[enospc]") {
  RowsEnv env(TimeFormat::kUnixSeconds);
  SmallFs state(env.tmp.File("state"), "2m");
  if (!state.mounted()) {
    WARN("cannot mount a tmpfs here (needs root): not checked");
    return;
  }
  constexpr int kRows = 200000;
  env.Sql(
      "WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n "
      "WHERE i < " +
      std::to_string(kRows) +
      ") INSERT INTO events (ts) "
      "SELECT " +
      env.Literal(env.clock.Now() - kDay) + " - i FROM n");
  const std::string db_path = env.tmp.File("state") + "/state.db";
  auto state_db = StateDb::Open(db_path);
  REQUIRE(state_db.ok());
  Ledger ledger(**state_db);
  auto fs = NewPosixFilesystem();
  ClockBrake brake(**state_db, ledger, *fs, env.tmp.File("state"),
                   std::chrono::hours(1));
  Runner runner(env.clock, **state_db, ledger, brake);
  // The disk fills once a tenth of the rows are gone: the batches have
  // grown by then.
  int64_t removed = 0;
  bool fill = true;
  RowsTarget target = env.rule.target;
  RowsRule rule = env.rule;
  rule.brake.max_fraction = 1.0;
  RowsPolicy policy("rows.events", rule, env.clock, [&](bool read_only) {
    auto db =
        OpenSqliteDatabase(target, read_only, std::chrono::milliseconds(50));
    if (!db.ok()) return db;
    return StatusOr<std::unique_ptr<Database>>(
        std::make_unique<FillingDatabase>(std::move(*db), [&](int64_t n) {
          removed += n;
          if (!fill || removed < kRows / 10) return false;
          state.Fill();
          fill = false;
          return true;
        }));
  });
  std::atomic<bool> stop{false};
  RunReport r = runner.Run(policy, false, stop);
  CHECK(r.outcome == Outcome::kError);
  const int64_t gone = kRows - env.Count();
  WARN("disk full after " << removed << " rows: " << gone << " rows gone, "
                                      << Sum(db_path, "rows.events")
                                      << " in the ledger");
  CHECK(gone > 0);
  CHECK(gone < kRows);

  state.Free();
  r = runner.Run(policy, false, stop);
  INFO(r.error);
  CHECK(r.outcome == Outcome::kOk);
  CHECK(env.Count() == 0);
  CHECK(Sum(db_path, "rows.events") == kRows);
  CHECK(OpenIntentCount(db_path) == 0);
  auto verified = ledger.Verify();
  REQUIRE(verified.ok());
  CHECK(verified->ok);
}

}  // namespace
}  // namespace retention::state_enospc_test

namespace retention::state_enospc_test {
namespace {

TEST_CASE("a full state filesystem mid-run: rotated logs removed == recorded",
          "[enospc]") {
  TempDir tmp;
  SmallFs state(tmp.File("state"), "3m");
  if (!state.mounted()) {
    WARN("cannot mount a tmpfs here (needs root): not checked");
    return;
  }
  const std::string logs = tmp.File("logs");
  std::filesystem::create_directory(logs);
  std::ofstream(logs + "/app.log") << "live\n";
  constexpr int kArchives = 40;
  const auto old = std::filesystem::file_time_type::clock::now() -
                   std::chrono::hours(24 * 40);
  for (int i = 0; i < kArchives; ++i) {
    char name[64];
    std::snprintf(name, sizeof name, "/app.log-20251001T%02d0000Z", i % 24);
    std::string p = logs + name + (i >= 24 ? ".2" : "");
    std::ofstream(p) << "line " << i << "\n";
    std::filesystem::last_write_time(p, old + std::chrono::minutes(i));
  }
  std::ofstream(tmp.File("r.conf"))
      << "[daemon]\nstate_dir = " << tmp.File("state")
      << "\n[logs.app]\npaths = " << logs
      << "/app.log\nmax_file_size = 1M\nkeep = 2\ncompress = none\n"
         "max_delete_fraction = 1\n";
  HookedDaemon d(tmp.File("r.conf"));
  int removed = 0;
  d.fs.after_remove = [&] {
    if (++removed == 10) state.Fill();
  };
  const std::string db = tmp.File("state") + "/state.db";

  RunReport r = d.Run("logs.app");
  CHECK(r.outcome == Outcome::kError);
  const int64_t gone = kArchives + 1 - static_cast<int64_t>(Entries(logs));
  WARN("disk full after 10 removals: " << gone << " archives gone, "
                                       << Sum(db, "logs.app")
                                       << " in the ledger");
  CHECK(gone >= 10);
  CHECK(gone - Sum(db, "logs.app") <= OpenIntentCount(db));

  state.Free();
  d.fs.after_remove = nullptr;
  r = d.Run("logs.app");
  INFO(r.error);
  CHECK(r.outcome == Outcome::kOk);
  CHECK(Entries(logs) == 3);  // the live file and two archives
  CHECK(Sum(db, "logs.app") == kArchives - 2);
  CHECK(OpenIntentCount(db) == 0);
  auto verified = d.daemon->ledger().Verify();
  REQUIRE(verified.ok());
  CHECK(verified->ok);
}

}  // namespace
}  // namespace retention::state_enospc_test
