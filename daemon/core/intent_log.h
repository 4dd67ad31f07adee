// Write-ahead intents: before retentiond removes anything (a file, a rotated
// log, a batch of rows), the intent to remove it is durable in the state
// database; the removal's ledger entry later closes the intent in the same
// transaction. An intent still open at the next start or run was cut short
// (kill -9, a full disk, a crash) and is resolved against the world
// (intent_recovery.h), so the ledger's counts equal what is gone.
//
// CommitIntents is the group commit: outcomes and new intents of many
// removals go into one transaction, one fsync. The removals of a group are
// one row (a group intent) that lists each with its planned identity, and
// counts how many of them are settled; they settle in order.
//
// Threading: the functions take StateDb's lock; safe from any thread.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "base/clock.h"
#include "base/status.h"
#include "core/ledger.h"
#include "core/verb.h"

namespace retention {

class StateDb;

struct Intent {
  int64_t id = 0;  // assigned by CommitIntents
  std::string policy;
  Verb verb = Verb::kDelete;  // the ledger action it becomes
  std::string target;         // a path, or a table and cutoff
  uint64_t dev = 0;           // a file target's planned identity; 0 otherwise
  uint64_t ino = 0;
  uint64_t bytes = 0;
  uint64_t count = 0;     // items planned
  uint64_t recorded = 0;  // items already in the ledger under it (rows)
  std::string reason;
  WallTime created{};
  // A group intent: its removals, in the order they are performed, each an
  // Intent of its own (with the group's id, policy and created; no items).
  // `recorded` then counts the removals already settled — in the ledger,
  // or closed with nothing done —, always the first ones. Empty for an
  // intent of one action.
  std::vector<Intent> items{};
};

// One outcome: a ledger entry, and what it does to its intent.
struct IntentUpdate {
  int64_t intent = 0;  // 0: an entry that no intent announced (an event)
  // false: the intent stays open and entry->count is added to its
  // `recorded` (a long rows run records as it goes).
  bool close = true;
  std::optional<LedgerEntry> entry;  // none: closed with nothing done
  // For a group intent: settles its next removal, whose entry `entry` is
  // (none: nothing done); `close` goes with the last one.
  bool item = false;
};

// What the world says of an open intent (Policy::Resolve).
struct IntentFate {
  enum class Kind {
    kPerformed,     // `count` items (beyond intent.recorded) are gone
    kNotPerformed,  // nothing of it is left unrecorded
    kUnknown,       // cannot be told now (`how` says why): stays open
    kInFlight,      // still being performed by this process: stays open
  };
  Kind kind = Kind::kUnknown;
  uint64_t count = 0;
  uint64_t bytes = 0;
  std::string target;  // the entry's target; empty: the intent's
  std::string how;     // how it was told, for the entry's detail

  static IntentFate Performed(uint64_t count, uint64_t bytes, std::string how) {
    return {Kind::kPerformed, count, bytes, "", std::move(how)};
  }
  static IntentFate NotPerformed(std::string how) {
    return {Kind::kNotPerformed, 0, 0, "", std::move(how)};
  }
  static IntentFate Unknown(std::string why) {
    return {Kind::kUnknown, 0, 0, "", std::move(why)};
  }
  static IntentFate InFlight() { return {Kind::kInFlight, 0, 0, "", ""}; }
};

// In ONE write transaction: appends the entries of `updates` in order,
// closes or advances their intents, then inserts `opens` and sets their
// ids. On failure nothing of it is written (the caller's removals that the
// updates describe stay covered by their open intents).
Status CommitIntents(StateDb& db, std::vector<IntentUpdate>* updates,
                     std::vector<Intent>* opens);

// The open intents of `policy` (every policy when empty), oldest first.
// Fails kCorruption if a group intent's list of removals does not decode.
StatusOr<std::vector<Intent>> OpenIntents(StateDb& db,
                                          const std::string& policy);

}  // namespace retention
