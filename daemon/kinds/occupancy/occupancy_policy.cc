#include "kinds/occupancy/occupancy_policy.h"

#include "core/progress.h"
#include "core/state_db.h"
#include "kinds/occupancy/occupancy_scanner.h"
#include "kinds/occupancy/occupancy_database.h"
#include "kinds/occupancy/occupancy_state_store.h"

namespace retention {

OccupancyPolicy::OccupancyPolicy(std::string id, Duration every,
                                 OccupancyRule rule, Services& services,
                                 OccupancyScanner& scanner)
    : id_(std::move(id)),
      every_(every),
      rule_(std::move(rule)),
      services_(services),
      scanner_(scanner) {}

StatusOr<Plan> OccupancyPolicy::MakePlan(WallTime now) {
  // Quotas first: a database that cannot be read must not turn into a
  // wave of false "under quota" transitions.
  std::map<std::string, uint64_t> from;
  if (rule_.quota_from) {
    auto quotas = ReadQuotas(*rule_.quota_from, rule_.quota_id_column);
    if (!quotas.ok()) {
      return Status::IoError("quota_from: " + quotas.status().ToString());
    }
    from = std::move(*quotas);
  }
  const Duration start = services_.clock.BootNow();
  ScanRequest request{rule_.root, rule_.layout, rule_.threads};
  ProgressBoard* board = services_.progress;
  if (board != nullptr) {
    // Users scanned of those found, in status and on a terminal; the run
    // that follows (storing it, quota events) shows its own.
    request.on_progress = [this, board](uint64_t done, uint64_t users) {
      if (done == 0) {
        board->Begin(id_, users);
      } else {
        board->Add(id_, 1);
      }
    };
  }
  auto scan = scanner_.Scan(request);
  if (board != nullptr) board->End(id_);
  if (!scan.ok()) return scan.status();
  OccupancyScanRecord record = MakeOccupancyRecord(rule_, *scan, from);
  record.duration = services_.clock.BootNow() - start;
  record.finished = now + record.duration;
  auto previous = OccupancyStore(*services_.state).LatestOccupancy();
  if (!previous.ok()) return previous.status();
  Plan plan = PlanOccupancy(id_, now, record, *previous, *scan);
  measured_ = std::move(record);
  return plan;
}

ExecResult OccupancyPolicy::Execute(const Plan& plan, ExecContext& ctx) {
  ExecResult result;
  if (!measured_) {
    result.errors.push_back("no measurement to store; run again");
    return result;
  }
  OccupancyScanRecord record = std::move(*measured_);
  measured_.reset();
  Status stored = OccupancyStore(*services_.state).RecordOccupancy(&record);
  if (!stored.ok()) {
    // Transitions are judged against the stored scan; without it they
    // would fire again next time, so none fires now.
    result.errors.push_back("state database: " + stored.ToString());
    return result;
  }
  if (rule_.publish_to) {
    Status published = PublishOccupancy(*rule_.publish_to, record);
    if (!published.ok()) {
      ++result.failed;
      result.errors.push_back("publish_to: " + published.ToString());
    }
  }
  for (const Action& action : plan.actions) {
    Status rec = ctx.Record(id_, action);
    if (!rec.ok()) {
      result.errors.push_back("ledger: " + rec.ToString() + "; stopping");
      break;
    }
    ++result.done;
    RunHook(action, &result);
  }
  return result;
}

void OccupancyPolicy::RunHook(const Action& action, ExecResult* result) {
  const std::vector<std::string>& argv = action.verb == Verb::kOverQuota
                                             ? rule_.on_over_quota
                                             : rule_.on_under_quota;
  if (argv.empty()) return;
  const std::vector<std::string> env = {
      "RETENTIOND_USER=" + action.target,
      "RETENTIOND_BYTES=" + std::to_string(action.bytes),
      "RETENTIOND_QUOTA=" + std::to_string(action.count),
      "RETENTIOND_EVENT=" + std::string(VerbName(action.verb))};
  Status st = services_.run_command(argv, env, rule_.hook_timeout);
  if (!st.ok()) {
    ++result->failed;
    result->errors.push_back(std::string(VerbName(action.verb)) + " hook for " +
                             action.target + ": " + st.ToString());
  }
}

}  // namespace retention
