// Daemon::AlertMetrics (daemon.h): the alerts its policies stand on now,
// for the metrics.
#include <map>

#include "core/daemon.h"
#include "core/metrics.h"

namespace retention {

std::string Daemon::AlertMetrics() const {
  PolicyList policies;
  {
    std::lock_guard<std::mutex> lock(mu_);
    policies = policies_;
  }
  // Outside the lock: a policy's alerts() takes its own.
  std::map<std::string, PolicyAlerts> alerts;
  for (const auto& p : policies) alerts[p->id()] = p->alerts();
  return FormatAlertMetrics(alerts);
}

}  // namespace retention
