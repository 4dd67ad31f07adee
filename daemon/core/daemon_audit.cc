// Daemon::Audit (daemon.h): the audit the daemon runs with its daily
// report, kept for the metrics.
#include <spdlog/spdlog.h>

#include "core/audit_run.h"
#include "core/audit_store.h"
#include "core/daemon.h"

namespace retention {

StatusOr<std::vector<AuditFinding>> Daemon::Audit() {
  auto holds = state_->Holds();
  if (!holds.ok()) return holds.status();
  const std::shared_ptr<const Config> config = this->config();
  // No ledger: nothing audited writes; the policies are built afresh, so a
  // run of the daemon's own instances is not disturbed.
  Services services{.clock = clock_, .fs = fs_, .state = state_.get()};
  services.host_id = config->daemon().GetStringOrEmpty("host_id");
  const WallTime now = clock_.Now();
  std::vector<AuditFinding> findings =
      AuditPolicies(*config, registry_, services, *holds, now);
  // The findings still go into the report; only the metrics miss them.
  Status saved = SaveAudit(*state_, now, findings);
  if (!saved.ok()) spdlog::warn("audit not kept: {}", saved.ToString());
  std::lock_guard<std::mutex> lock(metrics_mu_);
  Status st = WriteMetricsFile();
  if (!st.ok()) spdlog::warn("metrics_file: {}", st.ToString());
  return findings;
}

}  // namespace retention
