// StateDb: retentiond's own SQLite database (state_dir/state.db, WAL mode):
// schema version with forward migrations, run records, brakes, and the
// ledger's storage (see ledger.h). Opening creates or migrates it; a newer
// schema than this binary knows is refused (kFailedPrecondition).
//
// Threading: one connection guarded by a mutex; every method is safe to call
// from any thread.
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "base/clock.h"
#include "base/status.h"

namespace retention {

class SqliteConnection;

struct RunRecord {
  int64_t id = 0;
  std::string policy;
  WallTime started{};
  Duration boot_started{};  // Clock::BootNow() at start
  std::string boot_id;
  bool dry_run = false;
  WallTime finished{};  // epoch while running
  // "running", "ok", "dry-run", "error", "braked", "stopped", "interrupted"
  std::string outcome;
  int64_t actions = 0;
  int64_t bytes = 0;
  std::string error;
  // What the run left in scope (Survivors, policy.h): the count and the
  // time of the oldest. Empty when not measured (dry runs, failed plans,
  // kinds that do not measure); `oldest` is also empty when nothing is left.
  std::optional<int64_t> kept;
  std::optional<WallTime> oldest;
  // With `kept`: the bytes of what was left, and (logs) of the live files
  // the set's budget counts besides (Survivors::bytes, ::live_bytes).
  int64_t kept_bytes = 0;
  int64_t live_bytes = 0;
};

// How a run ended, for FinishRun.
struct RunEnd {
  WallTime finished{};
  std::string outcome = "";
  int64_t actions = 0;
  int64_t bytes = 0;
  std::string error = "";
  std::optional<int64_t> kept = std::nullopt;     // as RunRecord::kept
  std::optional<WallTime> oldest = std::nullopt;  // as RunRecord::oldest
  int64_t kept_bytes = 0;  // as RunRecord::kept_bytes (with kept only)
  int64_t live_bytes = 0;
};

struct Brake {
  std::string name;  // "clock", or a policy id
  std::string reason;
  WallTime since{};
};

// An exclusion from every deletion until released (retentionctl hold).
struct Hold {
  std::string kind;    // "policy", "path" or "account"
  std::string target;  // a policy id, an absolute path, an account id
  std::string reason;
  std::string by;  // who placed it: "uid 0 (pid 42)"
  WallTime since{};
};

// A condition a policy stands on that an operator must act on (Policy::
// alerts), as stored: since when it has stood, across restarts.
struct StandingAlert {
  std::string name;  // "budget"
  std::string text;  // what is wrong and what is at risk
  WallTime since{};  // when it was first seen (a changed text keeps it)
};

// Per-policy totals for metrics, over all time, real runs only.
struct PolicyStats {
  std::map<std::string, int64_t> runs_by_outcome;  // "ok" -> 12, ...
  int64_t removed_items = 0;  // ledger "delete"/"purge" entries' counts
  int64_t removed_bytes = 0;
  int64_t rotations = 0;         // ledger "rotate" entries (logs)
  int64_t compressed_bytes = 0;  // input bytes of ledger "compress" entries
  std::optional<WallTime> last_success;  // finish of the last "ok" run
};

class StateDb {
 public:
  static constexpr int kSchemaVersion = 9;

  // Opens or creates the database at `path` (its directory must exist).
  static StatusOr<std::unique_ptr<StateDb>> Open(const std::string& path);
  ~StateDb();

  int schema_version() const { return schema_version_; }
  const std::string& path() const { return path_; }

  // The random id given to this database's ledger when it was created
  // (schema 7): tells a restored or replaced state.db from the original.
  StatusOr<std::string> LedgerId();

  StatusOr<int64_t> BeginRun(const RunRecord& run);
  Status FinishRun(int64_t id, const RunEnd& end);
  // The most recent run of any policy, dry or not; nullopt if none.
  StatusOr<std::optional<RunRecord>> LastRun();
  StatusOr<std::vector<RunRecord>> RecentRuns(size_t limit);
  // The newest run that was not a dry run, per policy id.
  StatusOr<std::map<std::string, RunRecord>> LastRealRuns();
  // The newest real run that measured what it left (kept set), per policy
  // id: the report's and the metrics' oldest surviving item.
  StatusOr<std::map<std::string, RunRecord>> LastMeasuredRuns();
  // The size each of `policy`'s real measuring runs finished since `since`
  // left (kept_bytes + live_bytes), oldest first, at most the newest
  // `limit` (state_db_stats.cc): a log set's size over time.
  StatusOr<std::vector<std::pair<WallTime, uint64_t>>> MeasuredSizes(
      const std::string& policy, WallTime since, size_t limit);
  // Marks every run still "running" as "interrupted" (its process died:
  // killed, crashed, power lost) and returns them. Precondition: the caller
  // holds the state directory's lock, so no live process owns such a run.
  StatusOr<std::vector<RunRecord>> CloseInterruptedRuns(WallTime now);

  // Keyed by policy id; policies with runs or removals only
  // (state_db_stats.cc).
  StatusOr<std::map<std::string, PolicyStats>> PolicyStatistics();

  Status SetBrake(const Brake& brake);  // replaces one of the same name
  Status ClearBrake(const std::string& name);
  StatusOr<std::vector<Brake>> Brakes();

  // Holds (state_db_holds.cc). AddHold replaces one on the same kind and
  // target; RemoveHold returns whether there was one.
  Status AddHold(const Hold& hold);
  StatusOr<bool> RemoveHold(const std::string& kind, const std::string& target);
  StatusOr<std::vector<Hold>> Holds();  // by kind, then target

  // Standing alerts (state_db_alerts.cc). SetAlerts makes `policy`'s
  // alerts exactly `alerts` (name -> text), in one transaction: a new name
  // stands since `now`, a known one keeps its since, one not named is
  // cleared. Returns what is stored for `policy` now, by name.
  StatusOr<std::vector<StandingAlert>> SetAlerts(
      const std::string& policy,
      const std::map<std::string, std::string>& alerts, WallTime now);
  // Every policy's, by policy id, then name.
  StatusOr<std::map<std::string, std::vector<StandingAlert>>> Alerts();

  // For Ledger only: runs `fn(SqliteConnection&)` with the connection under the
  // lock and returns what it returns. `fn` must not call back into StateDb.
  template <typename Fn>
  auto WithConnection(Fn fn) {
    std::lock_guard<std::mutex> lock(mu_);
    return fn(*db_);
  }

  // A store's hold on the connection (a kind's store on the state
  // database, as AccountsStore): the lock is held while it lives. The
  // holder must not call back into StateDb meanwhile.
  class Locked {
   public:
    SqliteConnection* operator->() const { return db_; }
    SqliteConnection& operator*() const { return *db_; }

   private:
    friend class StateDb;
    Locked(std::mutex& mu, SqliteConnection* db) : lock_(mu), db_(db) {}
    std::unique_lock<std::mutex> lock_;
    SqliteConnection* db_;
  };
  Locked Lock() { return Locked(mu_, db_.get()); }

 private:
  StateDb(std::unique_ptr<SqliteConnection> db, std::string path);
  Status Migrate();
  // Runs `commit` (on the locked connection) at synchronous = NORMAL, then
  // goes back to FULL: BeginRun and FinishRun (state_db.cc says why).
  Status WithoutSync(const std::function<Status()>& commit);
  // FinishRun's UPDATE, on the locked connection.
  static Status UpdateRunEnd(SqliteConnection& db, int64_t id,
                             const RunEnd& end);
  // The newest run matching the SQL condition `where`, per policy.
  StatusOr<std::map<std::string, RunRecord>> NewestRunPerPolicy(
      const char* where);

  std::mutex mu_;
  std::unique_ptr<SqliteConnection> db_;
  std::string path_;
  int schema_version_ = 0;
};

}  // namespace retention
