#include "core/runner.h"

#include <spdlog/spdlog.h>

#include <algorithm>
#include <map>
#include <string_view>

#include "core/delete_brake.h"
#include "core/holds.h"
#include "core/intent_recovery.h"
#include "core/lateness.h"
#include "core/ledger_context.h"

namespace retention {

namespace {

std::string CauseOf(const std::string& line) {
  const size_t colon = line.rfind(": ");
  const std::string_view tail =
      std::string_view(line).substr(colon == std::string::npos ? 0 : colon + 2);
  std::string cause;
  for (char c : tail.substr(0, 200)) {
    if (c < '0' || c > '9') {
      cause += c;
    } else if (cause.empty() || cause.back() != '#') {
      cause += '#';
    }
  }
  return cause;
}

}  // namespace

void LimitByCause(std::vector<std::string>* lines) {
  std::map<std::string, size_t> seen;
  std::vector<std::string> causes;  // in the order first seen
  std::vector<std::string> kept;
  size_t others = 0;
  for (std::string& line : *lines) {
    std::string cause = CauseOf(line);
    auto it = seen.find(cause);
    if (it == seen.end()) {
      if (seen.size() == kMaxCauses) {
        ++others;
        continue;
      }
      it = seen.emplace(cause, 0).first;
      causes.push_back(std::move(cause));
    }
    if (++it->second <= kShownPerCause) kept.push_back(std::move(line));
  }
  for (const std::string& cause : causes) {
    const size_t n = seen[cause];
    if (n > kShownPerCause) {
      kept.push_back("and " + std::to_string(n - kShownPerCause) +
                     " more like this: " + cause);
    }
  }
  if (others > 0) {
    kept.push_back("and " + std::to_string(others) + " more of other causes");
  }
  *lines = std::move(kept);
}

std::optional<Survivors> SurvivorsAfter(const Plan& plan,
                                        const ExecResult& result) {
  if (!plan.kept) return std::nullopt;
  Survivors left = *plan.kept;
  if (result.done >= plan.actions.size()) return left;
  // Which actions failed is not recorded, so every removal may have: each
  // counts as left, and the oldest of them stands for the oldest survivor.
  // Other actions (rotate, compress) remove nothing.
  for (const Action& a : plan.actions) {
    if (!IsRemoval(a.verb)) continue;
    ++left.count;
    left.bytes += a.bytes;
    // An action without a known time makes the oldest unknowable.
    if (a.expected.mtime == WallTime{}) return std::nullopt;
    if (!left.oldest || a.expected.mtime < *left.oldest) {
      left.oldest = a.expected.mtime;
    }
  }
  return left;
}

namespace {

struct NamedOutcome {
  Outcome outcome;
  const char* name;
};

constexpr NamedOutcome kOutcomes[] = {
    {Outcome::kOk, "ok"},         {Outcome::kDryRun, "dry-run"},
    {Outcome::kBraked, "braked"}, {Outcome::kStopped, "stopped"},
    {Outcome::kError, "error"},
};

// Passes each record on, and counts the ones the ledger took for the run's
// summary and its progress. Record() may be called from a policy's worker
// threads.
class TallyContext final : public ExecContext {
 public:
  TallyContext(ExecContext& inner, std::vector<Performed>* performed,
               ProgressBoard* progress, const std::string& policy)
      : inner_(inner),
        performed_(performed),
        progress_(progress),
        policy_(policy) {}
  Status Record(const std::string& policy, const Action& action) override {
    return Count(inner_.Record(policy, action), action);
  }
  Status Intend(const std::string& policy,
                const std::vector<const Action*>& actions,
                std::vector<int64_t>* ids) override {
    return inner_.Intend(policy, actions, ids);
  }
  // Performed: counted, even if the group's commit fails later (the open
  // intent then records it at the next run).
  Status Done(int64_t intent, const std::string& policy,
              const Action& action) override {
    return Count(inner_.Done(intent, policy, action), action);
  }
  Status Progress(int64_t intent, const std::string& policy,
                  const Action& action) override {
    return Count(inner_.Progress(intent, policy, action), action);
  }
  Status Drop(int64_t intent) override { return inner_.Drop(intent); }
  Status Flush() override { return inner_.Flush(); }
  bool stopping() const override { return inner_.stopping(); }

 private:
  Status Count(Status st, const Action& action) {
    if (st.ok()) {
      std::lock_guard<std::mutex> lock(mu_);
      AddPerformed(action, performed_);
    }
    if (st.ok() && progress_ != nullptr) {
      progress_->Add(policy_, ProgressItems(action));
    }
    return st;
  }

  ExecContext& inner_;
  std::mutex mu_;
  std::vector<Performed>* performed_;
  ProgressBoard* progress_;
  const std::string& policy_;
};

}  // namespace

void AddPerformed(const Action& action, std::vector<Performed>* performed) {
  auto it =
      std::find_if(performed->begin(), performed->end(),
                   [&](const Performed& p) { return p.verb == action.verb; });
  if (it == performed->end()) {
    performed->push_back({action.verb, 0, 0, action.target, std::nullopt});
    it = performed->end() - 1;
  }
  if (const std::optional<Duration> late = LatenessOf(action.reason)) {
    it->worst_late = std::max(it->worst_late.value_or(*late), *late);
  }
  // A quota event's count is the quota and its bytes the usage: one event.
  // A rotation or compression removes nothing (count 0) but is one file.
  it->items += ProgressItems(action);
  it->bytes += IsEvent(action.verb) ? 0 : action.bytes;
  if (action.reason.ends_with(kToldLater)) {
    it->told_later += ProgressItems(action);
    it->told_later_bytes += action.bytes;
  }
}

const char* OutcomeName(Outcome outcome) {
  for (const NamedOutcome& o : kOutcomes) {
    if (o.outcome == outcome) return o.name;
  }
  return "?";
}

std::optional<Outcome> ParseOutcome(std::string_view name) {
  for (const NamedOutcome& o : kOutcomes) {
    if (name == o.name) return o.outcome;
  }
  return std::nullopt;
}

RunReport Runner::Run(Policy& policy, bool dry_run,
                      const std::atomic<bool>& stop) {
  RunReport report;
  report.policy = policy.id();
  report.dry_run = dry_run;
  report.destructive = policy.destructive();
  RunRecord record;
  record.policy = policy.id();
  record.dry_run = dry_run;
  ClockReading now;
  Status brake;
  StatusOr<int64_t> run_id = Status::FailedPrecondition("run not begun");
  {
    // Runs of different policies may overlap; reading the clock, judging
    // it against the last run and recording this run as the next baseline
    // happen as one step, so two runs never judge against each other's
    // half-written record.
    std::lock_guard<std::mutex> lock(clock_mu_);
    now = ReadClock(clock_);
    // Observe before recording this run: the run record becomes the next
    // baseline, so a jump must be judged against the previous one.
    brake = brake_.Observe(now);
    record.started = now.wall;
    record.boot_started = now.boot;
    record.boot_id = now.boot_id;
    run_id = db_.BeginRun(record);
  }

  // A real run first settles what an interrupted one left open; until
  // that is possible it deletes nothing.
  Status recovered = dry_run ? Status::Ok() : Recover(policy);
  auto plan =
      recovered.ok() ? policy.MakePlan(now.wall) : StatusOr<Plan>(recovered);
  if (plan.ok() && policy.destructive()) {
    // Not knowing what is held: delete nothing.
    auto holds = db_.Holds();
    if (holds.ok()) {
      ApplyHolds(*holds, &*plan);
    } else {
      plan = Status::FailedPrecondition("cannot read holds: " +
                                        holds.status().ToString());
    }
  }
  if (!plan.ok()) {
    report.outcome = Outcome::kError;
    report.error = plan.status().ToString();
  } else {
    report.plan = std::move(*plan);
    LimitByCause(&report.plan.warnings);
    if (dry_run) {
      report.outcome = Outcome::kDryRun;
      if (!brake.ok()) report.error = brake.message();
    } else if (!run_id.ok()) {
      // Without a run record the clock baseline is not kept: delete nothing.
      report.outcome = Outcome::kError;
      report.error = "cannot record the run: " + run_id.status().ToString();
    } else if (policy.destructive() && !brake.ok()) {
      report.outcome = Outcome::kBraked;
      report.error = brake.message();
    } else if (auto why = MassDeletion(policy, report.plan, now.wall)) {
      report.outcome = Outcome::kBraked;
      report.error = *why;
    } else {
      Execute(policy, &report, stop);
    }
  }
  if (run_id.ok()) {
    // A failure to close the record is logged by the caller via the report;
    // the actions themselves are already in the ledger.
    // A dry run changes nothing, and a failed plan saw nothing: neither
    // measures what survives.
    std::optional<Survivors> left;
    if (!dry_run) left = SurvivorsAfter(report.plan, report.result);
    RunEnd end{.finished = clock_.Now(),
               .outcome = OutcomeName(report.outcome),
               .actions = static_cast<int64_t>(report.result.done),
               .bytes = static_cast<int64_t>(report.result.bytes),
               .error = report.error};
    if (left) {
      end.kept = static_cast<int64_t>(left->count);
      end.oldest = left->oldest;
      end.kept_bytes = static_cast<int64_t>(left->bytes);
      end.live_bytes = static_cast<int64_t>(left->live_bytes);
    }
    Status st = db_.FinishRun(*run_id, end);
    if (!st.ok() && report.error.empty()) report.error = st.ToString();
  }
  return report;
}

Status Runner::CheckState() {
  return guard_ != nullptr ? guard_->Check() : ledger_.CheckAppendable();
}

Status Runner::Recover(Policy& policy) {
  RETENTION_RETURN_IF_ERROR(CheckState());
  return RecoverIntents(policy, db_, clock_).status();
}

void Runner::Execute(Policy& policy, RunReport* report,
                     const std::atomic<bool>& stop) {
  LedgerContext ledger(clock_, ledger_, stop);
  TallyContext ctx(ledger, &report->performed, progress_, policy.id());
  if (progress_ != nullptr) {
    uint64_t planned = 0;
    for (const Action& a : report->plan.actions) planned += ProgressItems(a);
    progress_->Begin(policy.id(), planned);
  }
  report->result = policy.Execute(report->plan, ctx);
  if (progress_ != nullptr) progress_->End(policy.id());
  Status flushed = ctx.Flush();
  if (!flushed.ok()) {
    report->result.errors.push_back("ledger: " + flushed.ToString() +
                                    "; recorded at the next run");
  }
  LimitByCause(&report->result.errors);
  if (stop.load() && report->result.done < report->plan.actions.size()) {
    report->outcome = Outcome::kStopped;
    report->error = "stopped on request";
  } else if (!report->result.errors.empty()) {
    report->outcome = Outcome::kError;
    report->error = report->result.errors.front();
  } else {
    report->outcome = Outcome::kOk;
  }
}

std::optional<std::string> Runner::MassDeletion(Policy& policy,
                                                const Plan& plan,
                                                WallTime now) {
  if (!policy.destructive()) return std::nullopt;
  const std::string& id = policy.id();
  auto brakes = db_.Brakes();
  // Not knowing whether the brake is engaged: delete nothing.
  if (!brakes.ok()) return "cannot read brakes: " + brakes.status().ToString();
  for (const Brake& b : *brakes) {
    if (b.name != id) continue;
    return "brake engaged since " + FormatIso8601(b.since) + " (" + b.reason +
           ")";
  }
  {
    std::lock_guard<std::mutex> lock(passes_mu_);
    if (passes_.erase(id)) return std::nullopt;
  }
  auto why = CheckDeleteBrake(plan, policy.delete_brake());
  if (!why) return std::nullopt;
  const std::string reason =
      *why + "; nothing deleted until `retentionctl release " + id + "`";
  Status st = db_.SetBrake(Brake{id, reason, now});
  if (st.ok()) {
    st = ledger_.Append(EventEntry(now, id, "brake", id, reason)).status();
  }
  if (!st.ok()) return reason + " (not recorded: " + st.ToString() + ")";
  return reason;
}

StatusOr<bool> Runner::ReleaseBrake(const std::string& policy,
                                    const std::string& who) {
  auto brakes = db_.Brakes();
  if (!brakes.ok()) return brakes.status();
  bool engaged = false;
  for (const Brake& b : *brakes) engaged = engaged || b.name == policy;
  RETENTION_RETURN_IF_ERROR(db_.ClearBrake(policy));
  RETENTION_RETURN_IF_ERROR(
      ledger_
          .Append(EventEntry(
              clock_.Now(), policy, "release", policy,
              std::string(engaged ? "brake released" : "no brake engaged") +
                  " by " + who +
                  "; the next run may delete beyond "
                  "max_delete_fraction once"))
          .status());
  std::lock_guard<std::mutex> lock(passes_mu_);
  passes_.insert(policy);
  return engaged;
}

StatusOr<bool> Runner::ConfirmClock(const std::string& who) {
  std::lock_guard<std::mutex> lock(clock_mu_);
  return brake_.Confirm(ReadClock(clock_), who);
}

}  // namespace retention
