#include "core/metrics.h"

#include <algorithm>
#include <chrono>

namespace retention {
namespace {

// Label values escape backslash, double quote and newline.
std::string Label(const std::string& value) {
  std::string out;
  for (char c : value) {
    if (c == '\\' || c == '"') out += '\\';
    if (c == '\n') {
      out += "\\n";
      continue;
    }
    out += c;
  }
  return out;
}

void Family(std::string* out, const char* name, const char* type,
            const char* help) {
  *out += std::string("# HELP ") + name + " " + help + "\n# TYPE " + name +
          " " + type + "\n";
}

void Sample(std::string* out, const std::string& name,
            const std::string& labels, int64_t value) {
  *out += name + "{" + labels + "} " + std::to_string(value) + "\n";
}

std::string PolicyLabel(const std::string& id) {
  return "policy=\"" + Label(id) + "\"";
}

void PerPolicy(std::string* out, const MetricsSnapshot& m, const char* name,
               const char* type, const char* help,
               int64_t (*value)(const MetricsSnapshot&, const std::string&)) {
  Family(out, name, type, help);
  for (const std::string& id : m.policies) {
    Sample(out, name, PolicyLabel(id), value(m, id));
  }
}

const PolicyStats& StatsOf(const MetricsSnapshot& m, const std::string& id) {
  static const PolicyStats kNone;
  auto it = m.stats.find(id);
  return it == m.stats.end() ? kNone : it->second;
}

}  // namespace

StatusOr<MetricsSnapshot> CollectMetrics(
    StateDb& db, const std::set<std::string>& configured,
    const std::set<std::string>& rotating) {
  MetricsSnapshot m;
  m.policies = configured;
  m.rotating = rotating;
  auto stats = db.PolicyStatistics();
  if (!stats.ok()) return stats.status();
  m.stats = std::move(*stats);
  for (const auto& [id, s] : m.stats) {
    m.policies.insert(id);
    if (s.rotations > 0 || s.compressed_bytes > 0) m.rotating.insert(id);
  }
  auto brakes = db.Brakes();
  if (!brakes.ok()) return brakes.status();
  for (const Brake& b : *brakes) m.braked.insert(b.name);
  auto measured = db.LastMeasuredRuns();
  if (!measured.ok()) return measured.status();
  for (const auto& [id, run] : *measured) {
    m.oldest_age[id] =
        run.oldest ? std::max(run.finished - *run.oldest, Duration::zero())
                   : Duration::zero();
  }
  // "daemon" entries are the daemon's own, not a policy's.
  m.policies.erase("daemon");
  return m;
}

std::string FormatPrometheus(const MetricsSnapshot& m,
                             const std::string& version) {
  std::string out;
  Family(&out, "retentiond_build_info", "gauge", "Version of the binary.");
  Sample(&out, "retentiond_build_info", "version=\"" + Label(version) + "\"",
         1);
  Family(&out, "retentiond_policy_runs_total", "counter",
         "Finished real runs by result.");
  for (const std::string& id : m.policies) {
    for (const auto& [result, n] : StatsOf(m, id).runs_by_outcome) {
      Sample(&out, "retentiond_policy_runs_total",
             PolicyLabel(id) + ",result=\"" + Label(result) + "\"", n);
    }
  }
  PerPolicy(&out, m, "retentiond_removed_items_total", "counter",
            "Items removed, as recorded in the ledger.",
            [](const MetricsSnapshot& s, const std::string& id) {
              return StatsOf(s, id).removed_items;
            });
  PerPolicy(&out, m, "retentiond_removed_bytes_total", "counter",
            "Bytes removed, as recorded in the ledger.",
            [](const MetricsSnapshot& s, const std::string& id) {
              return StatsOf(s, id).removed_bytes;
            });
  Family(&out, "retentiond_log_rotations_total", "counter",
         "Log files rotated, as recorded in the ledger.");
  for (const std::string& id : m.rotating) {
    Sample(&out, "retentiond_log_rotations_total", PolicyLabel(id),
           StatsOf(m, id).rotations);
  }
  Family(&out, "retentiond_log_compressed_bytes_total", "counter",
         "Bytes of rotated logs compressed (before compression).");
  for (const std::string& id : m.rotating) {
    Sample(&out, "retentiond_log_compressed_bytes_total", PolicyLabel(id),
           StatsOf(m, id).compressed_bytes);
  }
  Family(&out, "retentiond_oldest_item_age_seconds", "gauge",
         "Age of the oldest item left in scope when the last measuring real "
         "run ended (0: none left).");
  for (const auto& [id, age] : m.oldest_age) {
    if (!m.policies.count(id)) continue;
    Sample(&out, "retentiond_oldest_item_age_seconds", PolicyLabel(id),
           std::chrono::duration_cast<std::chrono::seconds>(age).count());
  }
  Family(&out, "retentiond_last_success_timestamp_seconds", "gauge",
         "When the last successful real run finished (Unix seconds).");
  for (const std::string& id : m.policies) {
    const auto& last = StatsOf(m, id).last_success;
    if (last)
      Sample(&out, "retentiond_last_success_timestamp_seconds", PolicyLabel(id),
             ToUnixSeconds(*last));
  }
  PerPolicy(&out, m, "retentiond_brake_engaged", "gauge",
            "1 while a brake holds the policy.",
            [](const MetricsSnapshot& s, const std::string& id) {
              return static_cast<int64_t>(s.braked.count(id));
            });
  Family(&out, "retentiond_clock_paused", "gauge",
         "1 while the clock brake pauses all deletion.");
  out += "retentiond_clock_paused " + std::to_string(m.braked.count("clock")) +
         "\n";
  return out;
}

std::string PrometheusLabelValue(const std::string& value) {
  return Label(value);
}

}  // namespace retention
