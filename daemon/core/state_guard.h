// StateGuard: keeps retentiond from removing anything its ledger could not
// record. Before each real run the state database must still be the file
// at state_dir/state.db that was opened (not unlinked or replaced under
// the running daemon) and its ledger must take appends (the head row is
// there and names the last entry). At start it also ties the state
// directory to its ledger: state_dir/ledger-id names the ledger the
// directory holds, so a fresh or swapped state.db where another ledger
// existed is refused until the operator removes that file.
//
// state.db is a real file whatever Filesystem the policies use (SQLite
// opens it itself), so the guard reads the real files beside it
// (state_guard_posix.cc).
//
// Threading: Check() may be called from several run threads at once (it
// only reads); Adopt() once, before any run.
#pragma once

#include <cstdint>
#include <string>

#include "core/ledger.h"
#include "core/state_db.h"

namespace retention {

inline constexpr char kLedgerIdFile[] = "ledger-id";

class StateGuard {
 public:
  StateGuard(std::string state_dir, StateDb& db, Ledger& ledger)
      : state_dir_(std::move(state_dir)), db_(db), ledger_(ledger) {}

  // Notes the identity of state.db and compares its ledger id with
  // state_dir/ledger-id, writing that file at the first start.
  // kFailedPrecondition, saying what to do, when they differ.
  Status Adopt();
  // kFailedPrecondition when state.db is no longer the opened file,
  // kCorruption when the ledger cannot be appended to; OK otherwise.
  Status Check();

 private:
  struct Identity {
    uint64_t dev = 0;
    uint64_t ino = 0;
    bool operator==(const Identity&) const = default;
  };
  // state_dir/state.db's identity; kNotFound when it is gone.
  StatusOr<Identity> StateFileIdentity() const;
  // state_dir/ledger-id's content, trimmed; kNotFound when missing.
  StatusOr<std::string> ReadLedgerIdFile() const;
  // Writes state_dir/ledger-id (0600) through a synced temp file.
  Status WriteLedgerIdFile(const std::string& id) const;

  std::string state_dir_;
  StateDb& db_;
  Ledger& ledger_;
  Identity opened_;  // state.db as Adopt() found it
};

}  // namespace retention
