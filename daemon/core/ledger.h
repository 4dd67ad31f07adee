// Ledger: the append-only, hash-chained record of every action retentiond
// takes (deletions, rotations, brakes, holds, config reloads, start/stop).
// Each entry's hash is SHA-256 over the previous entry's hash and the
// entry's own fields in a canonical length-prefixed encoding, so editing,
// deleting or reordering any entry breaks the chain; the head (last seq and
// hash) is also kept separately so dropping entries from the end is caught.
// Entries never hold row contents or other personal data beyond an id.
//
// Threading: safe from several threads (StateDb serializes access).
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "base/clock.h"
#include "base/status.h"

namespace retention {

class StateDb;

struct LedgerEntry {
  int64_t seq = 0;  // assigned by Append, from 1
  WallTime time{};
  std::string policy;  // "files.backups", or "daemon"
  std::string action;  // "delete", "rotate", "brake", "start", "reload", ...
  std::string target;  // a path, or a count and key range; never contents
  int64_t count = 0;
  int64_t bytes = 0;
  std::string detail;     // the reason, the cutoff, an error
  std::string prev_hash;  // hex; 64 zeros for the first entry
  std::string hash;       // hex SHA-256
};

struct LedgerCheck {
  bool ok = true;
  int64_t entries = 0;
  int64_t first_bad_seq = 0;  // 0 when ok
  std::string problem;        // what is wrong at first_bad_seq
  std::string head_hash;      // hash of the last entry
};

// An entry that records an event (a brake, a confirmation, a reload, an
// interrupted run) rather than a removal: no count, no bytes.
LedgerEntry EventEntry(WallTime time, std::string policy, std::string action,
                       std::string target, std::string detail);

// The chained hash of `entry` (uses prev_hash and every field but hash).
std::string HashLedgerEntry(const LedgerEntry& entry);

class SqliteConnection;

// Chains `entries` (in order) after the head and inserts them, in the
// caller's open write transaction on the state database `db`: for
// IntentLog, which commits entries together with intents. Fails with
// kCorruption when the head row is missing.
Status AppendInTransaction(SqliteConnection& db,
                           const std::vector<LedgerEntry*>& entries);

class Ledger {
 public:
  explicit Ledger(StateDb& db) : db_(db) {}
  // Assigns seq, prev_hash and hash and appends in one transaction. Returns
  // the stored entry.
  StatusOr<LedgerEntry> Append(LedgerEntry entry);
  // Cheap check that the ledger can be appended to: the head row exists
  // and names the last entry. kCorruption (with what to do) otherwise.
  Status CheckAppendable();
  // Walks the whole chain; reports the first broken entry. A Status error
  // means the ledger could not be read at all.
  StatusOr<LedgerCheck> Verify();
  // The head row: the last entry's seq and hash (0 and 64 zeros when the
  // ledger is empty). kCorruption when the head row is missing.
  StatusOr<std::pair<int64_t, std::string>> CurrentHead();
  // The newest entry whose action is `action`; nullopt when none.
  StatusOr<std::optional<LedgerEntry>> LastOf(const std::string& action);
  // The newest entry whose action is `action` and whose target is
  // `target` (any target when nullopt); nullopt when none.
  StatusOr<std::optional<LedgerEntry>> LastOf(
      const std::string& action, const std::optional<std::string>& target);
  // Up to `limit` entries with seq > after_seq, in order.
  StatusOr<std::vector<LedgerEntry>> Read(int64_t after_seq, size_t limit);
  StateDb& state() const { return db_; }

 private:
  StateDb& db_;
};

}  // namespace retention
