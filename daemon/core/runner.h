// Runner: performs one run of one policy, the same way for every kind and
// every caller (scheduler, --once, later the control socket): observe the
// clock, plan, and — unless this is a dry run or a brake forbids it —
// execute, writing every performed action to the ledger and the run itself
// to the state database.
//
// Threading: Run() may be called from several worker threads at once for
// different policies (the start of each run — clock check and run record —
// is serialized inside); `stop` may be set from any thread.
#pragma once

#include <atomic>
#include <mutex>
#include <optional>
#include <set>
#include <string>
#include <string_view>

#include "base/clock.h"
#include "core/clock_brake.h"
#include "core/ledger.h"
#include "core/policy.h"
#include "core/progress.h"
#include "core/state_db.h"
#include "core/state_guard.h"
#include "core/verb.h"

namespace retention {

// How a run ended. The run record in the state database keeps OutcomeName
// (and "running", "interrupted" for runs that never reported).
enum class Outcome { kOk, kDryRun, kBraked, kStopped, kError };
// "ok", "dry-run", "braked", "stopped", "error".
const char* OutcomeName(Outcome outcome);
std::optional<Outcome> ParseOutcome(std::string_view name);

// What a run did with one verb, as the policy recorded it in the ledger.
struct Performed {
  Verb verb = Verb::kDelete;
  uint64_t items = 0;  // a row batch counts its rows; a quota event, 1
  uint64_t bytes = 0;  // 0 for quota events (their bytes are a usage)
  // The first recorded action's target, so a summary can name a single
  // item ("rotated app.log-…", "carol over quota").
  std::string first_target;
  // The worst lateness among the actions whose reason gives one
  // (core/lateness.h).
  std::optional<Duration> worst_late;
  // Of items and bytes: those whose info line the policy logs itself once
  // later work on them ends (kToldLater), which the run's line leaves out.
  uint64_t told_later = 0;
  uint64_t told_later_bytes = 0;
};

// Ends the ledger reason of an action whose info line its policy logs
// itself when later work on it ends — a rotation, once its archive is
// compressed, with both sizes — so that the run's line does not say it
// twice.
inline constexpr std::string_view kToldLater = "; compressed next";

struct RunReport {
  std::string policy;
  bool dry_run = false;
  Outcome outcome = Outcome::kError;
  Plan plan;
  ExecResult result;
  std::string error;  // why it braked, stopped or failed
  // What was recorded, by verb in the order first seen (real runs only).
  std::vector<Performed> performed;
  bool destructive = true;  // false: the kind measures (occupancy)
  // The kind's item, singular ("row", "file"; KindSpec::unit); set by
  // Daemon::Run, empty when not known.
  std::string unit;
};

// Adds what `action` did to `performed` (for an action recorded in the
// ledger).
void AddPerformed(const Action& action, std::vector<Performed>* performed);

// What is left in scope once `result` has been applied: the plan's kept
// items, plus, when not every action was done (a failure, a stop), every
// planned removal ("delete", "purge"), whose `expected.mtime` counts toward
// the oldest. Conservative: an undone removal is assumed to survive. Empty when
// the plan does not measure what it keeps.
std::optional<Survivors> SurvivorsAfter(const Plan& plan,
                                        const ExecResult& result);

// Warnings (or errors) of one run, limited by cause, so a tree with
// thousands of planted entries logs a handful of lines, not thousands: the
// first kShownPerCause of each cause are kept in full, and one line per
// cause at the end counts the rest ("and 24086 more like this: not a
// regular file; never deleted"). A line's cause is its text after the last
// ": " (entries are written "PATH: what is wrong"), digits folded to '#'.
// Past kMaxCauses causes, one last line counts the lines of the others.
inline constexpr size_t kShownPerCause = 3;
inline constexpr size_t kMaxCauses = 20;
void LimitByCause(std::vector<std::string>* lines);

class Runner {
 public:
  Runner(Clock& clock, StateDb& db, Ledger& ledger, ClockBrake& brake)
      : clock_(clock), db_(db), ledger_(ledger), brake_(brake) {}

  // Checked before every real run (state_guard.h); without one only the
  // ledger's head is.
  void set_guard(StateGuard* guard) { guard_ = guard; }
  // Where executing runs report their progress (done of planned); none
  // when null.
  void set_progress(ProgressBoard* board) { progress_ = board; }

  // Safe to call for different policies from several threads at once;
  // never twice at once for the same policy.
  RunReport Run(Policy& policy, bool dry_run, const std::atomic<bool>& stop);
  // Releases the clock brake for `who`, ordered with the clock checks of
  // runs (it waits for at most one run's start, never for a whole run).
  // True if it was engaged; false, recording nothing, if not.
  StatusOr<bool> ConfirmClock(const std::string& who);
  // Releases the mass-deletion brake of `policy` for `who` (ledger entry
  // "release"): the brake is cleared and the policy's next real run may
  // delete beyond its max_delete_fraction, once. Returns whether a brake
  // was engaged. The pass lives in memory: after a restart a run that
  // would delete too much brakes again.
  StatusOr<bool> ReleaseBrake(const std::string& policy,
                              const std::string& who);

 private:
  // Checks that the state database can take records, then resolves the
  // intents a cut-short run of `policy` left open (intent_recovery.h).
  Status Recover(Policy& policy);
  // Whether the ledger can be appended to: the state database is still
  // the file at its path, its head is there and matches the last entry.
  Status CheckState();
  void Execute(Policy& policy, RunReport* report,
               const std::atomic<bool>& stop);
  // Why a real run of `policy` must not execute `plan`: its brake is
  // engaged, or the plan engages it now (recorded). nullopt: go on.
  std::optional<std::string> MassDeletion(Policy& policy, const Plan& plan,
                                          WallTime now);

  Clock& clock_;
  StateDb& db_;
  Ledger& ledger_;
  ClockBrake& brake_;
  StateGuard* guard_ = nullptr;
  ProgressBoard* progress_ = nullptr;
  std::mutex clock_mu_;  // the clock check and run record of a run's start
  std::mutex passes_mu_;
  std::set<std::string> passes_;  // released policies, for one run each
};

}  // namespace retention
