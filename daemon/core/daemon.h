// Daemon: retentiond's subsystems wired together, independent of how it is
// driven (the main loop, --once, tests). Start() loads the configuration,
// opens (creating if needed) the state directory and database, and builds a
// Policy for every configured section. Reload() swaps in a new configuration
// only if it is entirely valid; otherwise the running one stays. Every run
// goes through the Runner, so the clock brake and the ledger always apply.
//
// Threading: Run() may be called from one worker thread while the main
// thread calls Reload(), Find() and the accessors; runs are serialized.
#pragma once

#include <atomic>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "config/config.h"
#include "config/kind_registry.h"
#include "core/audit.h"
#include "core/checkpointer.h"
#include "core/clock_brake.h"
#include "core/ledger.h"
#include "core/policy.h"
#include "core/progress.h"
#include "core/runner.h"
#include "core/state_db.h"
#include "core/state_guard.h"

namespace retention {

class Daemon {
 public:
  Daemon(Clock& clock, Filesystem& fs, const KindRegistry& registry,
         std::string config_path);
  ~Daemon();

  // Fails kInvalidArgument with the config errors in *errors, or with the
  // error that kept the state database or a policy from opening. With
  // `start_broken` (the daemon; not --once), a policy that cannot be built
  // (its application database fails the check) does not fail the start:
  // it is installed as an UnbuiltPolicy whose runs fail with that error
  // (seen in status) until it can be built; its error is logged.
  Status Start(std::vector<ConfigError>* errors, bool start_broken = false);

  // Loads the configuration again. On any error keeps the running one and
  // returns kInvalidArgument with the errors in *errors and, as its
  // message, a bounded summary for the ledger: the first errors (at most
  // 4 KiB) and the SHA-256 of the configuration rejected. A changed
  // state_dir needs a restart: the reload is refused with that error.
  Status Reload(std::vector<ConfigError>* errors);

  // Appends a daemon lifecycle entry ("start", "stop", "reload") to the
  // ledger.
  Status Record(const std::string& action, const std::string& detail);

  // Signs the ledger's head and sends it off the host as [daemon]
  // configures (checkpointer.h). A sink that fails is logged; the error is
  // the checkpoint not written.
  StatusOr<Checkpoint> WriteCheckpoint();
  // [daemon] checkpoint_every.
  Duration checkpoint_every() const;

  // Policy ids ("files.backups") with their periods, in config order.
  std::vector<std::pair<std::string, Duration>> Schedule() const;
  // Every policy's size watches (Policy::watches), for the SizeWatcher.
  std::vector<SizeWatch> Watches() const;
  // Finds a policy by id or by bare name ("backups"); nullptr if none.
  std::shared_ptr<Policy> Find(const std::string& name) const;

  RunReport Run(Policy& policy, bool dry_run, const std::atomic<bool>& stop);
  // How soon after a run of `id` starts the next must start for its items
  // to be removed within its max_lateness (lateness.h), given how long its
  // last real run took; its every() when its kind has no such bound, and
  // Duration::max() for an unknown id.
  Duration RunInterval(const std::string& id) const;

  // Releases the clock brake on behalf of `who` ("uid 0 pid 42"), at once
  // (waiting at most for a run's start, never for a whole run). Returns
  // whether it was engaged.
  StatusOr<bool> ConfirmClock(const std::string& who);
  // Places a hold (holds.h) for `who`, recorded in the ledger ("hold"):
  // kInvalidArgument for an unknown kind, a policy that is not configured
  // (a bare name is resolved to its id), a relative path, an empty target
  // or reason. Returns the hold as stored.
  StatusOr<Hold> PlaceHold(const std::string& kind, const std::string& target,
                           const std::string& reason, const std::string& who);
  // Removes it (ledger "release-hold" when there was one); whether there
  // was one.
  StatusOr<bool> ReleaseHold(const std::string& kind, const std::string& target,
                             const std::string& who);
  // Runner::ReleaseBrake. Precondition: Start() succeeded.
  StatusOr<bool> ReleaseBrake(const std::string& policy,
                              const std::string& who);

  // The alerts each configured policy stands on, by policy id
  // (daemon_alerts.cc): as its last completed real run left them, kept in
  // state.db, so a restart shows them before the policy runs again.
  std::map<std::string, std::vector<StandingAlert>> Alerts() const;

  // The Prometheus text of `retentionctl metrics`, for every configured
  // policy.
  StatusOr<std::string> Metrics();

  std::shared_ptr<const Config> config() const;
  const std::string& config_path() const { return config_path_; }
  Filesystem& fs() { return fs_; }
  StateDb& state() { return *state_; }
  Ledger& ledger() { return *ledger_; }
  ClockBrake& clock_brake() { return *brake_; }
  // The runs executing now: done of planned, rate, time left.
  ProgressBoard& progress() { return progress_; }
  // Checks every promise against the world now (audit_run.h: one dry-run
  // plan per deleting policy, on instances of its own), keeps the verdicts
  // in state.db for the metrics (audit_store.h) and rewrites metrics_file.
  // Fails only when the holds cannot be read. Run with the daily report.
  StatusOr<std::vector<AuditFinding>> Audit();
  // What became of the checkpoints sent off the host (checkpointer.h).
  CheckpointSends checkpoint_sends() const {
    return checkpointer_ ? checkpointer_->sends() : CheckpointSends{};
  }

 private:
  using PolicyList = std::vector<std::shared_ptr<Policy>>;
  bool Load(Config* config, std::vector<ConfigError>* errors,
            std::string* sha256 = nullptr) const;
  Status BuildPolicies(const Config& config, PolicyList* policies,
                       std::vector<ConfigError>* errors,
                       bool start_broken = false);
  Status OpenState(const std::string& state_dir);
  Status Install(std::shared_ptr<const Config> config,
                 std::vector<ConfigError>* errors, bool start_broken = false);
  Status RecordInterruptedRuns();
  // retentiond_lateness_* (lateness.h) for Metrics().
  std::string LatenessMetrics() const;
  // retentiond_policy_alert (FormatAlertMetrics) for Metrics().
  std::string AlertMetrics() const;
  // After a real run that completed: stores `policy`'s alerts when they
  // changed (a write failure is logged; the next run tries again).
  void SyncAlerts(const Policy& policy);
  // Loads the stored alerts (OpenState).
  Status LoadAlerts();
  // Install: gives each new policy its stored alerts (RestoreAlerts) and
  // drops those of policies no longer configured.
  void CarryAlerts(const PolicyList& policies);
  // After every run, when [daemon] metrics_file is set.
  Status WriteMetricsFile();

  Clock& clock_;
  Filesystem& fs_;
  const KindRegistry& registry_;
  std::string config_path_;
  Services services_;

  mutable std::mutex mu_;  // guards config_, policies_ and the maps below
  std::shared_ptr<const Config> config_;
  PolicyList policies_;
  std::map<std::string, Duration> run_time_;  // the last real run's length
  // The worst lateness of a removal since start (lateness.h, PlanLateness).
  std::map<std::string, Duration> worst_lateness_;
  // Standing alerts, as stored in state.db (SyncAlerts).
  std::map<std::string, std::vector<StandingAlert>> alerts_;

  ProgressBoard progress_{clock_};
  std::mutex metrics_mu_;                 // one metrics_file write at a time
  std::unique_ptr<FileLock> state_lock_;  // declared first: released last
  std::unique_ptr<StateDb> state_;
  std::unique_ptr<Ledger> ledger_;
  std::unique_ptr<ClockBrake> brake_;
  std::unique_ptr<Runner> runner_;
  std::unique_ptr<StateGuard> guard_;
  std::unique_ptr<Checkpointer> checkpointer_;
};

// "3 errors in /etc/retentiond/retentiond.conf:\n<each ToString()>"
std::string JoinConfigErrors(const std::vector<ConfigError>& errors);

}  // namespace retention
