// Policy: one configured [KIND.NAME] section made runnable. A run is
// decide-then-act: MakePlan() takes a snapshot through the seams and hands it
// to the kind's pure planner; Execute() performs the plan, recording each
// completed action through ExecContext (which writes the ledger), and stops
// at the first sign its view is stale. A dry run is MakePlan() alone, so it
// lists exactly what a real run would act on.
//
// Threading: one run of a policy at a time (the Runner guarantees it); a
// Policy may run on a worker thread while the main thread reads its id().
#pragma once

#include <atomic>
#include <cstdint>
#include <functional>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "base/clock.h"
#include "base/status.h"
#include "core/intent_log.h"
#include "core/size_watcher.h"
#include "core/verb.h"
#include "os/filesystem.h"

namespace retention {

class Ledger;
class ProgressBoard;
class StateDb;

// See delete_brake.h.
struct DeleteBrakeLimit {
  double max_fraction = 1.0;  // 1: never braked
  uint64_t min_items = 0;
};
// Runs a command from an argv with extra environment and a timeout
// (RunCommand in command.h); a test passes a recorder.
using CommandRunner =
    std::function<Status(const std::vector<std::string>&,
                         const std::vector<std::string>&, Duration)>;

// What a policy factory may use. Owned by main() (or a test), outlives every
// Policy built from it.
struct Services {
  Clock& clock;
  Filesystem& fs;
  // For work a policy finishes after its run returned (a log's compression
  // on its own thread); null in tests that do not need it.
  Ledger* ledger = nullptr;
  // The state database, for kinds that keep a store on it; the daemon sets
  // it, a kind that needs it refuses to build without it.
  StateDb* state = nullptr;
  CommandRunner run_command = {};
  // This host's id in a fleet ([daemon] host_id); empty: the host name.
  std::string host_id;
  // Where work done while planning (an occupancy scan) shows its progress;
  // the Runner shows a run's execution itself. Null: not shown.
  ProgressBoard* progress = nullptr;
};

struct Action {
  Verb verb = Verb::kDelete;
  std::string target;  // path, or a description such as a key range
  uint64_t bytes = 0;
  uint64_t count = 1;
  std::string reason;  // why, in words an auditor reads
  FileInfo expected;   // for file targets: the identity planned against
  // For a removal whose target is not a path (an account): the directory
  // tree it removes with it, which path holds on it, above it or inside it
  // also protect (holds.h).
  std::string tree;
  // For the policy that planned it: where in its snapshot the target is
  // (e.g. an index), when the target string alone cannot reach it.
  uint64_t ref = 0;
};

// What a plan leaves in scope: how many items, and the time of the oldest
// (a file's mtime, a row's timestamp); `oldest` is empty when none is left.
// The report's compliance question — is the oldest surviving item within
// the limit? — is answered from this, recorded with each real run.
struct Survivors {
  uint64_t count = 0;
  std::optional<WallTime> oldest;
  uint64_t bytes = 0;  // their apparent bytes
  // Logs: the live files' bytes, which the set's byte budget counts
  // besides the rotated files (the survivors).
  uint64_t live_bytes = 0;
};

// Which host of a fleet does a shared policy's work (a rows policy on
// PostgreSQL: its lease's holder), and until when, as this host last saw it.
struct WorkHolder {
  std::string host;
  WallTime until{};
};

// A policy's standing alerts: name -> what is wrong and what is at risk,
// in a sentence. Names are fixed per kind (logs: "budget",
// "writer_without_o_append"); status shows them and the metrics export
// each as retentiond_policy_alert.
using PolicyAlerts = std::map<std::string, std::string>;

struct Plan {
  std::string policy;
  WallTime now{};
  std::vector<Action> actions;
  uint64_t scope = 0;                 // items considered
  std::vector<std::string> warnings;  // skipped entries, snapshot errors
  // Empty when the kind does not measure what it keeps.
  std::optional<Survivors> kept;
  // Standing conditions this plan found that an operator must act on
  // (PolicyAlerts): e.g. logs' "budget" when max_total_size cannot be met.
  PolicyAlerts alerts;
};

struct ExecResult {
  uint64_t done = 0;  // actions done
  uint64_t rows = 0;  // rows the done actions removed (rows kinds)
  uint64_t bytes = 0;
  uint64_t failed = 0;
  std::vector<std::string> errors;
};

// Where a run writes what it does. Removals are write-ahead: Intend()
// makes the intent to perform each of a group of actions durable before
// any of them is performed; each is then closed with Done() (performed:
// its ledger entry) or Drop() (nothing done). Done/Progress/Drop are
// queued and committed together (group commit) by the next Intend(),
// Flush(), or when the queue is full or old; a crash between a removal
// and the commit of its outcome leaves the intent open for recovery.
//
// The defaults serve contexts that keep no intents (tests that only
// collect what was recorded): ids are 0 and outcomes go to Record().
class ExecContext {
 public:
  virtual ~ExecContext() = default;
  // Appends a performed action to the ledger now (with everything queued).
  // An executor that cannot record must stop: an unrecorded deletion
  // breaks the audit promise.
  virtual Status Record(const std::string& policy, const Action& action) = 0;
  // Durably records the intent to perform each of `actions` (ids[i] for
  // actions[i]) together with every queued outcome. On failure none of
  // `actions` may be performed.
  virtual Status Intend(const std::string& policy,
                        const std::vector<const Action*>& actions,
                        std::vector<int64_t>* ids) {
    (void)policy;
    ids->assign(actions.size(), 0);
    return Status::Ok();
  }
  // Intent `intent` was performed as `action`: its ledger entry closes it.
  virtual Status Done(int64_t intent, const std::string& policy,
                      const Action& action) {
    (void)intent;
    return Record(policy, action);
  }
  // Part of intent `intent` was performed (action.count items); it stays
  // open for the rest.
  virtual Status Progress(int64_t intent, const std::string& policy,
                          const Action& action) {
    (void)intent;
    return Record(policy, action);
  }
  // Intent `intent` is closed with nothing done.
  virtual Status Drop(int64_t intent) {
    (void)intent;
    return Status::Ok();
  }
  // Commits everything queued.
  virtual Status Flush() { return Status::Ok(); }
  // True once a stop was requested: finish the current item, then return.
  virtual bool stopping() const = 0;
};

// The worker a policy's runs go to (the main loop has one per lane).
// kRotation: runs that keep a promise within seconds of a write (a file at
// its cap), so that no long prune or scan delays them; two policies of one
// lane never run at the same time.
enum class Lane { kGeneral = 0, kRotation = 1 };
inline constexpr int kLanes = 2;

class Policy {
 public:
  virtual ~Policy() = default;
  virtual const std::string& id() const = 0;  // "files.backups"
  virtual Duration every() const = 0;
  // False for kinds that never delete (occupancy); the clock brake and
  // holds do not apply to them.
  virtual bool destructive() const = 0;
  virtual Lane lane() const { return Lane::kGeneral; }
  // When after `now` it must run, whatever every() says, or nullopt (the
  // default): the next run comes forward to it; with size watches() it is
  // also put off to it after each run (main_loop.h, a watched set idles).
  virtual std::optional<WallTime> NextWake(WallTime now) const {
    (void)now;
    return std::nullopt;
  }
  // Snapshot + pure plan. Errors reading individual entries become
  // warnings; an error that leaves no usable view fails the plan.
  virtual StatusOr<Plan> MakePlan(WallTime now) = 0;
  // Performs `plan`. Returns kAborted when stopped or when the view went
  // stale; the result counts what was done before that.
  virtual ExecResult Execute(const Plan& plan, ExecContext& ctx) = 0;
  // Files whose growth past a size should make the policy due at once
  // (SizeWatcher); none by default.
  virtual std::vector<SizeWatch> watches() const { return {}; }
  // The watcher predicts that `early.path` reaches its cap while it is
  // being rotated: the next run may rotate it from early.size on. Called
  // from the main thread, possibly during a run. Ignored by default.
  virtual void OnEarlyCrossing(const EarlyCrossing& early) { (void)early; }
  // The mass-deletion brake's limit (delete_brake.h); never braked by
  // default.
  virtual DeleteBrakeLimit delete_brake() const { return {}; }
  // For --once, before the process exits: waits until the work this policy
  // handed to its own threads (a logs policy's compressions) is done,
  // `stop` is set or `limit` has passed; returns how many such tasks are
  // left undone (the next run takes them up). Nothing to wait for by
  // default.
  virtual size_t Finish(Duration limit, const std::atomic<bool>& stop) {
    (void)limit;
    (void)stop;
    return 0;
  }
  // Tells what became of one of this policy's intents left open by a run
  // cut short (intent_recovery.h), by looking at the world. A kind that
  // writes intents overrides it.
  virtual IntentFate Resolve(const Intent& intent) {
    (void)intent;
    return IntentFate::Unknown("policy " + id() + " keeps no intents");
  }
  // Which host of a fleet holds this policy's work, as last seen; nullopt
  // for policies each host runs alone (the default) or before any run.
  // Called from the main thread, possibly during a run.
  virtual std::optional<WorkHolder> work_holder() const { return std::nullopt; }
  // The alerts standing now (as the policy's last real run left them);
  // none by default. Called from the main thread, possibly during a run.
  virtual PolicyAlerts alerts() const { return {}; }
  // Once, after the policy is built (at start and on every reload), before
  // its first run: the alerts its last completed real run left stored
  // (Daemon::Alerts). A kind whose alert only a later event clears (logs'
  // writer_without_o_append, cleared by a rotation that finds O_APPEND)
  // takes it back here; the default ignores them, the next run decides.
  virtual void RestoreAlerts(const PolicyAlerts& stored) { (void)stored; }
};

}  // namespace retention
