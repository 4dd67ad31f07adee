#include "kinds/rows/rows_policy.h"

#include <spdlog/spdlog.h>

#include "config/config_value.h"
#include "config/kind_registry.h"
#include "core/recorded_removal.h"
#include "kinds/rows/rows_planner.h"
#include "os/host_name.h"

namespace retention {
namespace {

DatabaseOpener Opener(const RowsTarget& target) {
  return
      [target](bool read_only) { return OpenRowsDatabase(target, read_only); };
}

StatusOr<std::unique_ptr<Policy>> MakeRowsPolicy(const Section& s,
                                                 Services& services) {
  RowsRule rule = RowsRuleFromSection(s);
  rule.target.host =
      services.host_id.empty() ? LocalHostName() : services.host_id;
  DatabaseOpener open = Opener(rule.target);
  auto db = open(true);
  if (!db.ok()) return db.status();
  RETENTION_RETURN_IF_ERROR((*db)->Check(rule.allow_full_scan));
  return std::unique_ptr<Policy>(
      new RowsPolicy(s.id(), std::move(rule), services.clock, open));
}

void Merge(RowsBatch* into, const RowsBatch& b) {
  if (into->removed == 0) {
    *into = b;
    return;
  }
  into->removed += b.removed;
  into->min_rowid = std::min(into->min_rowid, b.min_rowid);
  into->max_rowid = std::max(into->max_rowid, b.max_rowid);
  if (b.oldest && (!into->oldest || *b.oldest < *into->oldest)) {
    into->oldest = b.oldest;
  }
}

}  // namespace

void RegisterRowsKind(KindRegistry* registry) {
  KindSpec spec = RowsKindSpec();
  spec.factory = MakeRowsPolicy;
  spec.check = [](const Section& s, std::vector<ConfigError>* errors) {
    RowsRule rule = RowsRuleFromSection(s);
    auto db = Opener(rule.target)(true);
    Status st = db.ok() ? (*db)->Check(rule.allow_full_scan) : db.status();
    if (!st.ok()) AddKeyError(s, "database", st.message(), errors);
  };
  registry->Register(std::move(spec));
}

struct RowsPolicy::Pending {
  int64_t intent = 0;    // the run's write-ahead intent
  bool last = false;     // the run's last record: it closes the intent
  RowsBatch removed;     // merged, not yet sealed
  // Sealed at the database's point `seal` (Database::DurablePoint): goes
  // into the ledger once the database says that point is durable.
  RowsBatch sealed;
  uint64_t seal = 0;
  Duration covered{};    // holds and pauses since the last ledger entry
  Duration unchecked{};  // holds and pauses since the last checkpoint
};

RowsPolicy::RowsPolicy(std::string id, RowsRule rule, Clock& clock,
                       DatabaseOpener open)
    : id_(std::move(id)),
      rule_(std::move(rule)),
      clock_(clock),
      open_(std::move(open)) {}

StatusOr<Plan> RowsPolicy::MakePlan(WallTime now) {
  auto db = open_(true);
  if (!db.ok()) return db.status();
  // Again at every run (a few PRAGMAs): a table, column or index changed
  // since start is an error in status, not a run that finds nothing.
  RETENTION_RETURN_IF_ERROR((*db)->Check(rule_.allow_full_scan));
  auto survey = (*db)->Survey(RowsCutoff(rule_, now));
  if (!survey.ok()) return survey.status();
  auto plan = PlanRows(id_, rule_, *survey, now);
  // A dry run only looks: the lease is taken by Execute.
  auto lease = (*db)->ReadLease(id_);
  if (!lease.ok()) {
    plan.warnings.push_back("lease: " + lease.status().ToString());
  } else if (*lease) {
    SeeLease(**lease);
    if (HeldByOther(*lease, rule_.target.host, now)) {
      plan.warnings.push_back(HeldByText(**lease));
    }
  }
  return plan;
}

std::optional<WorkHolder> RowsPolicy::work_holder() const {
  std::lock_guard<std::mutex> lock(holder_mu_);
  return holder_;
}

bool RowsPolicy::SeeLease(const LeaseHolder& lease) {
  std::lock_guard<std::mutex> lock(holder_mu_);
  const bool moved = !holder_ || holder_->host != lease.host;
  holder_ = WorkHolder{lease.host, lease.until};
  return moved;
}

std::optional<WallTime> RowsPolicy::NextWake(WallTime now) const {
  std::lock_guard<std::mutex> lock(holder_mu_);
  if (retry_at_ && *retry_at_ > now) return retry_at_;
  return std::nullopt;
}

std::optional<int64_t> RowsPolicy::TakeLease(Database& db,
                                             ExecResult* result) {
  {
    std::lock_guard<std::mutex> lock(holder_mu_);
    retry_at_.reset();
  }
  auto grant = db.AcquireLease(id_, LeaseTtl(rule_.every));
  if (!grant.ok()) {
    ++result->failed;
    result->errors.push_back("lease: " + grant.status().ToString() +
                             "; deleting nothing");
    return std::nullopt;
  }
  if (grant->holder.token == 0) return 0;  // one host: no lease to keep
  const bool moved = SeeLease(grant->holder);
  if (grant->granted) return grant->holder.token;
  // Not an error: the fleet's work is in another host's hands. A killed
  // holder's lease runs out within this period: run again then rather
  // than a whole `every` later (a live holder renews it first). The run
  // ends now, so the lane's other policies do not wait for the lease.
  if (auto retry = LeaseRetryIn(*grant, rule_.every)) {
    std::lock_guard<std::mutex> lock(holder_mu_);
    retry_at_ = clock_.Now() + *retry;
  }
  if (moved) {
    spdlog::info("{}: {}", id_, HeldByText(grant->holder));
  } else {
    spdlog::debug("{}: {}", id_, HeldByText(grant->holder));
  }
  return std::nullopt;
}

ExecResult RowsPolicy::Execute(const Plan& plan, ExecContext& ctx) {
  ExecResult result;
  if (plan.actions.empty()) return result;
  auto db = open_(false);
  if (!db.ok()) {
    result.errors.push_back(db.status().ToString());
    return result;
  }
  const std::optional<int64_t> token = TakeLease(**db, &result);
  if (!token) return result;
  // The whole run is one intent; each batch adds its rows to the intent's
  // mark in the application's database, so a crash loses no count.
  std::vector<int64_t> ids;
  Status st = ctx.Intend(id_, {&plan.actions.front()}, &ids);
  if (!st.ok()) {
    result.errors.push_back("ledger: " + st.ToString() + "; deleting nothing");
    return result;
  }
  // The plan's cutoff, not a new one: one cutoff per run.
  const BatchMark mark{id_, ids.front(), *token, LeaseTtl(rule_.every)};
  if (DeleteAll(**db, RowsCutoff(rule_, plan.now), mark, ctx, &result)) {
    result.done = 1;
  }
  return result;
}

IntentFate RowsPolicy::Resolve(const Intent& intent) {
  auto db = open_(true);
  if (!db.ok()) return IntentFate::Unknown(db.status().ToString());
  auto mark = (*db)->ReadMark(id_);
  if (!mark.ok()) return IntentFate::Unknown(mark.status().ToString());
  const auto recorded = static_cast<int64_t>(intent.recorded);
  if (!*mark || (*mark)->intent != intent.id || (*mark)->rows <= recorded) {
    return IntentFate::NotPerformed("no batch of it is unrecorded");
  }
  RowsBatch range;
  range.min_rowid = (*mark)->min_rowid;
  range.max_rowid = (*mark)->max_rowid;
  IntentFate fate = IntentFate::Performed(
      static_cast<uint64_t>((*mark)->rows - recorded), 0,
      "counted by the batches' mark in " + rule_.target.name());
  fate.target = RemovedRowsTarget(rule_, range);
  return fate;
}

bool RowsPolicy::DeleteAll(Database& db, WallTime cutoff, const BatchMark& mark,
                           ExecContext& ctx, ExecResult* result) {
  BatchSizer sizer(db.pacing());
  BusyBackoff backoff;
  Pending pending;
  pending.intent = mark.intent;
  bool complete = false;
  while (!ctx.stopping()) {
    auto batch = db.DeleteBatch(cutoff, sizer.size(), mark);
    if (!batch.ok() && batch.status().IsBusy()) {
      const Duration wait = backoff.Next();
      if (wait > Duration::zero()) {
        db.Pause(wait);
        continue;
      }
    }
    if (!batch.ok()) {
      ++result->failed;
      result->errors.push_back(batch.status().ToString());
      break;
    }
    backoff.Reset();
    if (batch->lease_until) {
      std::lock_guard<std::mutex> lock(holder_mu_);
      holder_ = WorkHolder{rule_.target.host, *batch->lease_until};
    }
    complete = batch->removed == 0;
    if (complete) break;
    sizer.Observe(batch->removed, batch->hold);
    if (!AfterBatch(db, *batch, &pending, cutoff, ctx, result)) return false;
  }
  if (pending.unchecked > Duration::zero()) db.Checkpoint();
  pending.last = true;
  return Record(db, &pending, cutoff, ctx, result) && complete;
}

bool RowsPolicy::AfterBatch(Database& db, const RowsBatch& batch,
                            Pending* pending, WallTime cutoff, ExecContext& ctx,
                            ExecResult* result) {
  Merge(&pending->removed, batch);
  const Duration pause =
      BatchSizer::PauseAfter(batch.hold, db.pacing().pause_factor);
  pending->covered += batch.hold + pause;
  pending->unchecked += batch.hold + pause;
  if (pending->covered >= kRecordEvery &&
      !Record(db, pending, cutoff, ctx, result)) {
    return false;
  }
  Duration paused{};
  if (pending->unchecked >= kCheckpointEvery ||
      batch.wal_frames >= kCheckpointFrames) {
    paused = db.Checkpoint();  // the write lock is free meanwhile
    pending->unchecked = Duration::zero();
  }
  if (paused < pause) db.Pause(pause - paused);
  return true;
}

bool RowsPolicy::Record(Database& db, Pending* pending, WallTime cutoff,
                        ExecContext& ctx, ExecResult* result) {
  pending->covered = Duration::zero();
  if (!pending->last) return RecordDurable(db, pending, cutoff, ctx, result);
  RowsBatch removed = pending->sealed;
  Merge(&removed, pending->removed);
  pending->sealed = pending->removed = RowsBatch{};
  if (removed.removed == 0) {
    Status st = ctx.Drop(pending->intent);
    if (st.ok()) st = ctx.Flush();
    return !LedgerFailed(st, result);
  }
  // Only what is durable goes into the ledger; what is not stays counted
  // by the mark, which the recovery of the open intent reads.
  Status durable = db.MakeDurable();
  if (!durable.ok()) return DurableFailed(durable, result);
  return Write(removed, *pending, cutoff, ctx, result);
}

bool RowsPolicy::RecordDurable(Database& db, Pending* pending,
                               WallTime cutoff, ExecContext& ctx,
                               ExecResult* result) {
  for (;;) {
    if (pending->sealed.removed == 0) {
      if (pending->removed.removed == 0) return true;
      auto point = db.DurablePoint();
      if (!point.ok()) return DurableFailed(point.status(), result);
      pending->seal = *point;
      pending->sealed = pending->removed;
      pending->removed = RowsBatch{};
    }
    auto durable = db.Durable(pending->seal);
    if (!durable.ok()) return DurableFailed(durable.status(), result);
    // Not yet: recorded at a later call, while the batches go on (waiting
    // here cost PostgreSQL runs about a sixth of their time).
    if (!*durable) return true;
    const RowsBatch sealed = pending->sealed;
    pending->sealed = RowsBatch{};
    if (!Write(sealed, *pending, cutoff, ctx, result)) return false;
  }
}

bool RowsPolicy::DurableFailed(const Status& st, ExecResult* result) {
  ++result->failed;
  result->errors.push_back("making the batches durable: " + st.ToString() +
                           "; stopping");
  return false;
}

bool RowsPolicy::Write(const RowsBatch& removed, const Pending& pending,
                       WallTime cutoff, ExecContext& ctx,
                       ExecResult* result) {
  result->rows += static_cast<uint64_t>(removed.removed);
  Action a;
  a.verb = Verb::kDelete;
  a.target = RemovedRowsTarget(rule_, removed);
  a.count = static_cast<uint64_t>(removed.removed);
  a.reason = rule_.target.time_column + " before " + FormatIso8601(cutoff) +
             " (deadline " + FormatDuration(rule_.deadline()) + ")";
  if (removed.oldest) {
    a.reason +=
        LatenessSuffix(clock_.Now() - (*removed.oldest + rule_.deadline()));
  }
  Status st = pending.last ? ctx.Done(pending.intent, id_, a)
                           : ctx.Progress(pending.intent, id_, a);
  // Rows are recorded as they go: a second's worth at a time, not grouped.
  if (st.ok()) st = ctx.Flush();
  return !LedgerFailed(st, result);
}

}  // namespace retention
