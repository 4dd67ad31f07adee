// The alerts a daemon's policies stand on (Daemon::Alerts, daemon.h): kept
// in state.db across restarts, shown by status and the metrics.
#include <spdlog/spdlog.h>

#include <map>
#include <string>
#include <vector>

#include "core/daemon.h"
#include "core/metrics.h"

namespace retention {
namespace {

bool Same(const std::vector<StandingAlert>& stored, const PolicyAlerts& now) {
  if (stored.size() != now.size()) return false;
  for (const StandingAlert& a : stored) {
    auto it = now.find(a.name);
    if (it == now.end() || it->second != a.text) return false;
  }
  return true;
}

}  // namespace

Status Daemon::LoadAlerts() {
  auto stored = state_->Alerts();
  if (!stored.ok()) return stored.status();
  std::lock_guard<std::mutex> lock(mu_);
  alerts_ = std::move(*stored);
  return Status::Ok();
}

void Daemon::CarryAlerts(const PolicyList& policies) {
  std::map<std::string, std::vector<StandingAlert>> stored;
  {
    std::lock_guard<std::mutex> lock(mu_);
    stored = alerts_;
  }
  // Outside the lock: RestoreAlerts takes the policy's own.
  for (const auto& p : policies) {
    auto it = stored.find(p->id());
    if (it == stored.end()) continue;
    PolicyAlerts alerts;
    for (const StandingAlert& a : it->second) alerts[a.name] = a.text;
    p->RestoreAlerts(alerts);
    stored.erase(it);
  }
  // What is left belongs to policies no longer configured.
  for (const auto& [id, alerts] : stored) {
    auto dropped = state_->SetAlerts(id, {}, clock_.Now());
    if (!dropped.ok()) {
      spdlog::warn("{}: its alerts stay stored: {}", id,
                   dropped.status().ToString());
      continue;
    }
    std::lock_guard<std::mutex> lock(mu_);
    alerts_.erase(id);
  }
}

void Daemon::SyncAlerts(const Policy& policy) {
  const std::string& id = policy.id();
  const PolicyAlerts now = policy.alerts();
  {
    std::lock_guard<std::mutex> lock(mu_);
    auto it = alerts_.find(id);
    if (it == alerts_.end() ? now.empty() : Same(it->second, now)) return;
  }
  auto stored = state_->SetAlerts(id, now, clock_.Now());
  if (!stored.ok()) {
    spdlog::warn("{}: alerts not stored: {}", id, stored.status().ToString());
    return;
  }
  std::lock_guard<std::mutex> lock(mu_);
  if (stored->empty()) {
    alerts_.erase(id);
  } else {
    alerts_[id] = std::move(*stored);
  }
}

std::map<std::string, std::vector<StandingAlert>> Daemon::Alerts() const {
  std::lock_guard<std::mutex> lock(mu_);
  std::map<std::string, std::vector<StandingAlert>> out;
  for (const auto& p : policies_) {
    auto it = alerts_.find(p->id());
    if (it != alerts_.end()) out[p->id()] = it->second;
  }
  return out;
}

std::string Daemon::AlertMetrics() const {
  std::map<std::string, PolicyAlerts> alerts;
  for (const auto& [id, standing] : Alerts()) {
    for (const StandingAlert& a : standing) alerts[id][a.name] = a.text;
  }
  return FormatAlertMetrics(alerts);
}

}  // namespace retention
