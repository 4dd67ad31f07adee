// The pure parts of the [rows.NAME] kind: the run's one cutoff, the plan
// made from a survey of the table, and the pacing of deletion batches.
//
// Pacing follows what keeps an application writing to the same SQLite
// database unaware of the deletion: each batch should hold the write lock
// about kTargetHold, and the lock is then left free for at least
// kPauseFactor times as long (SQLite's lock is not fair, so without the
// pause the application starves). BatchSizer adapts the batch size to the
// hold times it observes. Thread-compatible values; no clocks, no I/O.
#pragma once

#include <cstdint>
#include <optional>
#include <string>

#include "core/lateness.h"
#include "core/policy.h"
#include "kinds/rows/rows_database.h"
#include "kinds/rows/rows_rule.h"

namespace retention {

// Rows whose time is before this are expired: now - rule.deadline().
WallTime RowsCutoff(const RowsRule& rule, WallTime now);

// One "delete" action for all expired rows (count = survey.expired,
// expected.mtime = the oldest expired row's time), or none; Plan::kept is
// the matching rows left, unparseable ones included (they are never
// deleted), and a warning counts the unparseable ones (another, on
// PostgreSQL, the table's dead tuples: its vacuum debt).
Plan PlanRows(const std::string& policy, const RowsRule& rule,
              const RowsSurvey& survey, WallTime now);

// "auth_tokens rowid 12..4031" — the ledger target of removed rows;
// "app.events (by ctid)" on PostgreSQL, where rows have no stable number.
std::string RemovedRowsTarget(const RowsRule& rule, const RowsBatch& removed);

// LatenessSuffix/LatenessOf (core/lateness.h): a removal's reason ends
// with how far past its deadline the oldest removed row was.

class BatchSizer {
 public:
  static constexpr Duration kTargetHold = std::chrono::milliseconds(2);
  static constexpr double kPauseFactor = 2.5;
  static constexpr int64_t kMinRows = 16;
  static constexpr int64_t kMaxRows = 50000;
  static constexpr int64_t kFirstRows = 256;

  // kTargetHold and kPauseFactor are SQLite's pacing, BatchPacing's default.
  explicit BatchSizer(BatchPacing pacing = {}) : pacing_(pacing) {}
  int64_t size() const { return size_; }
  // Scales the next size toward the pacing's target hold from a batch that
  // removed `rows` in `hold`; it at most doubles or halves per batch.
  void Observe(int64_t rows, Duration hold);
  // The pause after a batch that held the lock for `hold`: at least
  // `factor` * hold, and never under a millisecond.
  static Duration PauseAfter(Duration hold, double factor = kPauseFactor);

 private:
  BatchPacing pacing_;
  int64_t size_ = kFirstRows;
};

// Waits after SQLITE_BUSY: 50 ms, doubling to 2 s; gives up once the waits
// add up to more than kGiveUpAfter.
class BusyBackoff {
 public:
  static constexpr Duration kGiveUpAfter = std::chrono::seconds(30);
  // The next wait, or zero when it is time to give up.
  Duration Next();
  void Reset() {
    next_ = kFirst;
    waited_ = Duration::zero();
  }

 private:
  static constexpr Duration kFirst = std::chrono::milliseconds(50);
  Duration next_ = kFirst;
  Duration waited_{};
};

}  // namespace retention
