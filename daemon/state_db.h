// StateDb: retentiond's own SQLite database (state_dir/state.db, WAL mode):
// schema version with forward migrations, run records, brakes, and the
// ledger's storage (see ledger.h). Opening creates or migrates it; a newer
// schema than this binary knows is refused (kFailedPrecondition).
//
// Threading: one connection guarded by a mutex; every method is safe to call
// from any thread.
#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "clock.h"
#include "occupancy_history.h"
#include "status.h"

namespace retention {

class SqliteDb;

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

// The progress of one account's purge ([accounts], accounts_policy.h).
struct AccountPurge {
  std::string policy;
  std::string account;  // the account id
  WallTime deleted{};   // the deleted time it is purged for
  // "moving" (before its data directory is moved into quarantine),
  // "rows" (its rows are gone; `rows` says how many), "recording" (its
  // tree is gone; the ledger entry is being written), "done" (recorded);
  // and the stages of a purge undone (accounts_planner.h).
  std::string stage;
  // "sessions 3, usage_events 5, account row deleted"; at "moving" the
  // data directory's identity ("data_dir DEV:INO").
  std::string rows;
  WallTime updated{};
};

// An account marked deleted whose grace has not passed yet.
struct PendingPurge {
  std::string account;
  WallTime deleted{};
  WallTime due{};
  bool held = false;  // due already, but a hold keeps it
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
  static constexpr int kSchemaVersion = 8;

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
  StatusOr<bool> RemoveHold(const std::string& kind,
                            const std::string& target);
  StatusOr<std::vector<Hold>> Holds();  // by kind, then target

  // Account purges (state_db_accounts.cc). SaveAccountPurge inserts or
  // replaces the record of (policy, account); AccountPurges lists a
  // policy's records by account. ReplacePendingPurges swaps a policy's
  // pending list for `pending` in one transaction; PendingPurges reads it,
  // soonest due first.
  Status SaveAccountPurge(const AccountPurge& purge);
  StatusOr<std::vector<AccountPurge>> AccountPurges(const std::string& policy);
  Status ReplacePendingPurges(const std::string& policy,
                              const std::vector<PendingPurge>& pending);
  StatusOr<std::vector<PendingPurge>> PendingPurges(const std::string& policy);
  // Whether the ledger holds a "purge" of account `account` by `policy`
  // recorded at or after `since` (a purge cut short between its ledger
  // entry and its "done" record is not recorded twice).
  StatusOr<bool> AccountPurgeRecorded(const std::string& policy,
                                      const std::string& account,
                                      WallTime since);
  // The same for a ledger entry of any `action` ("restore").
  StatusOr<bool> AccountEventRecorded(const std::string& policy,
                                      const std::string& account,
                                      const std::string& action,
                                      WallTime since);

  // Occupancy history (state_db_occupancy.cc). RecordOccupancy stores a
  // scan and its users in one transaction, sets scan->id, and drops scans
  // older than kOccupancyKeep.
  Status RecordOccupancy(OccupancyScanRecord* scan);
  // The newest stored scan with its users; nullopt if none.
  StatusOr<std::optional<OccupancyScanRecord>> LatestOccupancy();
  // Allocated bytes of each of `users` over the newest `scans` scans,
  // oldest first.
  StatusOr<std::map<std::string, std::vector<OccupancyPoint>>>
  OccupancyHistory(const std::vector<std::string>& users, size_t scans);

  // For Ledger only: runs `fn(SqliteDb&)` with the connection under the
  // lock and returns what it returns. `fn` must not call back into StateDb.
  template <typename Fn>
  auto WithConnection(Fn fn) {
    std::lock_guard<std::mutex> lock(mu_);
    return fn(*db_);
  }

 private:
  StateDb(std::unique_ptr<SqliteDb> db, std::string path);
  Status Migrate();
  // The newest run matching the SQL condition `where`, per policy.
  StatusOr<std::map<std::string, RunRecord>> NewestRunPerPolicy(
      const char* where);

  std::mutex mu_;
  std::unique_ptr<SqliteDb> db_;
  std::string path_;
  int schema_version_ = 0;
};

}  // namespace retention
