#include "core/daemon.h"

#include <spdlog/spdlog.h>

#include <set>

#include "config/config_value.h"
#include "core/holds.h"
#include "core/lateness.h"
#include "core/metrics.h"
#include "core/state_dir.h"
#include "core/unbuilt_policy.h"
#include "os/atomic_file.h"
#include "os/host_name.h"

namespace retention {

Daemon::Daemon(Clock& clock, Filesystem& fs, const KindRegistry& registry,
               std::string config_path)
    : clock_(clock),
      fs_(fs),
      registry_(registry),
      config_path_(std::move(config_path)),
      services_{clock, fs} {}

Daemon::~Daemon() {
  // Policies first: what one finishes on another thread as it goes (a
  // compression, recorded in the ledger) must find state_ and ledger_.
  PolicyList policies;
  {
    std::lock_guard<std::mutex> lock(mu_);
    policies.swap(policies_);
  }
  policies.clear();
}

bool Daemon::Load(Config* config, std::vector<ConfigError>* errors,
                  std::string* sha256) const {
  return LoadConfig(config_path_, registry_, config, errors, sha256);
}

namespace {

constexpr size_t kMaxRejectionBytes = 4096;

// The ledger's account of a rejected reload: whole error lines while they
// fit in kMaxRejectionBytes, how many did not, and what was rejected.
Status Rejected(const std::vector<ConfigError>& errors,
                const std::string& sha256) {
  std::string out;
  size_t shown = 0;
  for (const ConfigError& e : errors) {
    const std::string line = e.ToString();
    if (out.size() + line.size() + 1 > kMaxRejectionBytes) break;
    out += line + "\n";
    shown += e.omitted ? e.omitted : 1;
  }
  const size_t total = CountConfigErrors(errors);
  if (shown < total) {
    out += "... " + std::to_string(total - shown) + " more errors\n";
  }
  return Status::InvalidArgument(out + "configuration sha256 " + sha256);
}

}  // namespace

Status Daemon::Start(std::vector<ConfigError>* errors, bool start_broken) {
  auto config = std::make_shared<Config>();
  if (!Load(config.get(), errors)) {
    return Status::InvalidArgument(JoinConfigErrors(*errors));
  }
  RETENTION_RETURN_IF_ERROR(OpenState(config->daemon().GetString("state_dir")));
  return Install(std::move(config), errors, start_broken);
}

// Builds every policy first, so a config whose policy cannot be built
// changes nothing, then makes the config and policies the running ones.
Status Daemon::Install(std::shared_ptr<const Config> config,
                       std::vector<ConfigError>* errors, bool start_broken) {
  PolicyList policies;
  // Unchanged on most reloads: no write while an unbuilt policy's retry
  // may read it.
  const std::string& host_id = config->daemon().GetStringOrEmpty("host_id");
  if (services_.host_id != host_id) services_.host_id = host_id;
  RETENTION_RETURN_IF_ERROR(
      BuildPolicies(*config, &policies, errors, start_broken));
  brake_->set_limit(config->daemon().GetDuration("clock_jump_limit"));
  CarryAlerts(policies);
  std::lock_guard<std::mutex> lock(mu_);
  config_ = std::move(config);
  policies_ = std::move(policies);
  return Status::Ok();
}

Status Daemon::OpenState(const std::string& state_dir) {
  RETENTION_RETURN_IF_ERROR(EnsureStateDir(fs_, state_dir));
  auto lock = LockStateDir(fs_, state_dir);
  if (!lock.ok()) return lock.status();
  state_lock_ = std::move(*lock);
  RETENTION_RETURN_IF_ERROR(PrepareStateDb(fs_, state_dir));
  auto db = StateDb::Open(state_dir + "/state.db");
  if (!db.ok()) return db.status();
  state_ = std::move(*db);
  ledger_ = std::make_unique<Ledger>(*state_);
  services_.ledger = ledger_.get();
  services_.state = state_.get();
  services_.progress = &progress_;
  brake_ = std::make_unique<ClockBrake>(*state_, *ledger_, fs_, state_dir,
                                        std::chrono::hours(1));
  runner_ = std::make_unique<Runner>(clock_, *state_, *ledger_, *brake_);
  guard_ = std::make_unique<StateGuard>(state_dir, *state_, *ledger_);
  RETENTION_RETURN_IF_ERROR(guard_->Adopt());
  runner_->set_guard(guard_.get());
  runner_->set_progress(&progress_);
  auto key = SigningKey::LoadOrCreate(fs_, state_dir);
  if (!key.ok()) return key.status();
  checkpointer_ = std::make_unique<Checkpointer>(clock_, *state_, *ledger_,
                                                 std::move(*key));
  RETENTION_RETURN_IF_ERROR(LoadAlerts());
  return RecordInterruptedRuns();
}

StatusOr<Checkpoint> Daemon::WriteCheckpoint() {
  const std::shared_ptr<const Config> config = this->config();
  const Section& d = config->daemon();
  CheckpointSinks sinks;
  sinks.host = d.GetStringOrEmpty("host_id");
  if (sinks.host.empty()) sinks.host = LocalHostName();
  sinks.command = SplitWords(d.GetStringOrEmpty("checkpoint_command"));
  StatusOr<Checkpoint> written = checkpointer_->Write(sinks, nullptr);
  // The send counters are in the metrics: metrics_file shows them now,
  // not only after the next run.
  std::lock_guard<std::mutex> lock(metrics_mu_);
  Status st = WriteMetricsFile();
  if (!st.ok()) spdlog::warn("metrics_file: {}", st.ToString());
  return written;
}

Duration Daemon::checkpoint_every() const {
  return config()->daemon().GetDuration("checkpoint_every");
}

// Under the state lock, a run still marked running belongs to a process that
// died mid-run. What it completed is already in the ledger, entry by entry;
// this records that it stopped there.
Status Daemon::RecordInterruptedRuns() {
  auto runs = state_->CloseInterruptedRuns(clock_.Now());
  if (!runs.ok()) return runs.status();
  for (const RunRecord& run : *runs) {
    RETENTION_RETURN_IF_ERROR(
        ledger_
            ->Append(
                EventEntry(clock_.Now(), run.policy, "interrupted",
                           "run " + std::to_string(run.id),
                           "started " + FormatIso8601(run.started) +
                               "; the process ended before the run finished"))
            .status());
  }
  return Status::Ok();
}

// A policy that cannot be built as configured (its database fails the
// check, say) is a configuration error: every one is reported, each at its
// section, and none is installed.
Status Daemon::BuildPolicies(const Config& config, PolicyList* policies,
                             std::vector<ConfigError>* errors,
                             bool start_broken) {
  const size_t before = errors->size();
  for (const Section* section : config.policies()) {
    const KindSpec* kind = registry_.Find(section->kind);
    // A kind may be registered for its keys before it can run; refusing it
    // here beats calling an empty factory.
    if (!kind->factory) {
      errors->push_back({section->where, section->id(), "",
                         kind->kind + " policies are not executable yet"});
      continue;
    }
    auto policy = kind->factory(*section, services_);
    if (!policy.ok() && start_broken) {
      spdlog::error("{}: [{}]: not started: {}", section->where.ToString(),
                    section->id(), policy.status().message());
      policies->push_back(
          std::make_shared<UnbuiltPolicy>(*section, kind->factory, services_));
      continue;
    }
    if (!policy.ok()) {
      errors->push_back(
          {section->where, section->id(), "", policy.status().message()});
      continue;
    }
    policies->push_back(std::move(*policy));
  }
  if (errors->size() > before) {
    return Status::InvalidArgument(JoinConfigErrors(*errors));
  }
  for (const KindSpec& kind : registry_.kinds()) {
    if (kind.add_policies) {
      kind.add_policies(config.daemon(), services_, policies);
    }
  }
  return Status::Ok();
}

Status Daemon::Reload(std::vector<ConfigError>* errors) {
  auto config = std::make_shared<Config>();
  std::string sha256;
  if (!Load(config.get(), errors, &sha256)) return Rejected(*errors, sha256);
  const Section& d = config->daemon();
  const Section& running = this->config()->daemon();
  // What the process set up once at start: the state it locked and the
  // socket it bound.
  for (const char* key : {"state_dir", "control_socket", "socket_group"}) {
    if (d.GetStringOrEmpty(key) == running.GetStringOrEmpty(key)) continue;
    errors->push_back({d.Has(key) ? d.values.at(key).where : d.where, "daemon",
                       key,
                       std::string("changing ") + key + " needs a restart"});
  }
  if (!errors->empty()) return Rejected(*errors, sha256);
  Status installed = Install(std::move(config), errors);
  if (!installed.ok() && !errors->empty()) return Rejected(*errors, sha256);
  return installed;
}

Status Daemon::Record(const std::string& action, const std::string& detail) {
  return ledger_
      ->Append(EventEntry(clock_.Now(), "daemon", action, config_path_, detail))
      .status();
}

std::vector<std::pair<std::string, Duration>> Daemon::Schedule() const {
  std::lock_guard<std::mutex> lock(mu_);
  std::vector<std::pair<std::string, Duration>> out;
  for (const auto& p : policies_) out.emplace_back(p->id(), p->every());
  return out;
}

std::vector<SizeWatch> Daemon::Watches() const {
  std::lock_guard<std::mutex> lock(mu_);
  std::vector<SizeWatch> out;
  for (const auto& p : policies_) {
    for (SizeWatch& w : p->watches()) out.push_back(std::move(w));
  }
  return out;
}

std::shared_ptr<Policy> Daemon::Find(const std::string& name) const {
  std::lock_guard<std::mutex> lock(mu_);
  for (const auto& p : policies_) {
    const std::string& id = p->id();
    const size_t dot = id.find('.');
    if (id == name ||
        (dot != std::string::npos && id.substr(dot + 1) == name)) {
      return p;
    }
  }
  return nullptr;
}

RunReport Daemon::Run(Policy& policy, bool dry_run,
                      const std::atomic<bool>& stop) {
  const Duration started = clock_.BootNow();
  // "rows.analytics" is of kind rows; a singleton's id is its kind.
  const std::string& id = policy.id();
  const KindSpec* kind = registry_.Find(id.substr(0, id.find('.')));
  if (kind != nullptr) progress_.SetUnit(id, kind->unit);
  RunReport report = runner_->Run(policy, dry_run, stop);
  if (report.outcome == Outcome::kOk) SyncAlerts(policy);
  if (!dry_run) {
    const std::optional<Duration> late =
        report.result.done > 0 ? PlanLateness(report.plan, clock_.Now())
                               : std::nullopt;
    std::lock_guard<std::mutex> lock(mu_);
    run_time_[id] = clock_.BootNow() - started;
    if (late && *late > worst_lateness_[id]) worst_lateness_[id] = *late;
  }
  if (kind != nullptr) report.unit = kind->unit;
  std::lock_guard<std::mutex> lock(metrics_mu_);
  Status st = WriteMetricsFile();
  if (!st.ok()) spdlog::warn("metrics_file: {}", st.ToString());
  return report;
}

std::string Daemon::LatenessMetrics() const {
  std::map<std::string, Duration> bounds;
  const std::shared_ptr<const Config> config = this->config();
  for (const Section* s : config->policies()) {
    const KindSpec* kind = registry_.Find(s->kind);
    if (kind && FindKey(*kind, "max_lateness")) {
      bounds[s->id()] = LatenessBoundOf(*s);
    }
  }
  std::lock_guard<std::mutex> lock(mu_);
  return FormatLatenessMetrics(bounds, worst_lateness_);
}

Duration Daemon::RunInterval(const std::string& id) const {
  std::shared_ptr<Policy> policy = Find(id);
  if (!policy) return Duration::max();
  std::shared_ptr<const Config> config = this->config();
  for (const Section* s : config->policies()) {
    const KindSpec* kind = registry_.Find(s->kind);
    if (s->id() != id || !kind || !FindKey(*kind, "max_lateness")) continue;
    std::lock_guard<std::mutex> lock(mu_);
    auto it = run_time_.find(id);
    return retention::RunInterval(
        policy->every(), LatenessBoundOf(*s),
        it == run_time_.end() ? Duration::zero() : it->second);
  }
  return policy->every();
}

StatusOr<std::string> Daemon::Metrics() {
  auto snapshot = CollectMetrics(*state_, config().get(), registry_,
                                 BuiltinReportSections(), clock_.Now());
  if (!snapshot.ok()) return snapshot.status();
  return FormatPrometheus(*snapshot, RETENTION_VERSION) + LatenessMetrics() +
         FormatCheckpointMetrics(checkpoint_sends()) + AlertMetrics();
}

Status Daemon::WriteMetricsFile() {
  auto config = this->config();
  if (!config->daemon().Has("metrics_file")) return Status::Ok();
  auto text = Metrics();
  if (!text.ok()) return text.status();
  return WriteFileAtomically(fs_, config->daemon().GetString("metrics_file"),
                             *text);
}

StatusOr<Hold> Daemon::PlaceHold(const std::string& kind,
                                 const std::string& target,
                                 const std::string& reason,
                                 const std::string& who) {
  if (!IsHoldKind(kind)) {
    return Status::InvalidArgument("no hold kind '" + kind +
                                   "' (policy, path or account)");
  }
  if (target.empty() || reason.empty()) {
    return Status::InvalidArgument("a hold needs a target and a reason");
  }
  Hold hold{kind, target, reason, who, clock_.Now()};
  if (kind == "policy") {
    auto policy = Find(target);
    if (!policy) return Status::InvalidArgument("no policy '" + target + "'");
    hold.target = policy->id();
  } else if (kind == "path" && target[0] != '/') {
    return Status::InvalidArgument("a held path must be absolute: " + target);
  }
  RETENTION_RETURN_IF_ERROR(state_->AddHold(hold));
  RETENTION_RETURN_IF_ERROR(
      ledger_
          ->Append(EventEntry(
              hold.since, kind == "policy" ? hold.target : "daemon", "hold",
              kind + " " + hold.target, reason + " (by " + who + ")"))
          .status());
  return hold;
}

StatusOr<bool> Daemon::ReleaseHold(const std::string& kind,
                                   const std::string& target,
                                   const std::string& who) {
  std::string id = target;
  if (kind == "policy") {
    if (auto policy = Find(target)) id = policy->id();
  }
  auto removed = state_->RemoveHold(kind, id);
  if (!removed.ok() || !*removed) return removed;
  RETENTION_RETURN_IF_ERROR(
      ledger_
          ->Append(EventEntry(clock_.Now(), kind == "policy" ? id : "daemon",
                              "release-hold", kind + " " + id, "by " + who))
          .status());
  return true;
}

StatusOr<bool> Daemon::ReleaseBrake(const std::string& policy,
                                    const std::string& who) {
  return runner_->ReleaseBrake(policy, who);
}

StatusOr<bool> Daemon::ConfirmClock(const std::string& who) {
  return runner_->ConfirmClock(who);
}

std::shared_ptr<const Config> Daemon::config() const {
  std::lock_guard<std::mutex> lock(mu_);
  return config_;
}

std::string JoinConfigErrors(const std::vector<ConfigError>& errors) {
  std::string out;
  for (const ConfigError& e : errors) {
    if (!out.empty()) out += "\n";
    out += e.ToString();
  }
  return out;
}

}  // namespace retention
