#include "core/metrics.h"

#include <algorithm>
#include <chrono>
#include <cstdio>

#include "core/ledger.h"

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

void Family(std::string* out, const std::string& name, const char* type,
            const std::string& help) {
  *out += "# HELP " + name + " " + help + "\n# TYPE " + name + " " + type +
          "\n";
}

void Sample(std::string* out, const std::string& name,
            const std::string& labels, int64_t value) {
  *out += name + (labels.empty() ? "" : "{" + labels + "}") + " " +
          std::to_string(value) + "\n";
}

std::string PolicyLabel(const std::string& id) {
  return "policy=\"" + Label(id) + "\"";
}

int64_t WholeSeconds(Duration d) {
  return std::chrono::duration_cast<std::chrono::seconds>(d).count();
}

// "rows.analytics" is of kind rows; a singleton's id is its kind.
std::string KindOf(const MetricsSnapshot& m, const std::string& id) {
  auto it = m.configured.find(id);
  return it != m.configured.end() ? it->second.kind : id.substr(0, id.find('.'));
}

std::string PolicyKindLabels(const MetricsSnapshot& m, const std::string& id) {
  return PolicyLabel(id) + ",kind=\"" + Label(KindOf(m, id)) + "\"";
}

const PolicyStats& StatsOf(const MetricsSnapshot& m, const std::string& id) {
  static const PolicyStats kNone;
  auto it = m.stats.find(id);
  return it == m.stats.end() ? kNone : it->second;
}

void AddConfigured(const Config& config, const KindRegistry& kinds,
                   const ReportSectionRegistry& sections, StateDb& db,
                   MetricsSnapshot* m) {
  for (const Section* s : config.policies()) {
    m->policies.insert(s->id());
    const KindSpec* kind = kinds.Find(s->kind);
    if (kind != nullptr && kind->rotates) m->rotating.insert(s->id());
    MetricsPolicy& p = m->configured[s->id()];
    p.kind = s->kind;
    if (const ReportSection* section = sections.Find(s->kind)) {
      const SectionSummary summary = section->Summarize(*s);
      p.max_age = summary.limit_age;
      p.budget = summary.limit_bytes;
      // A kind's gauges are extra: a failure to read them leaves them out
      // rather than the metrics everyone else relies on.
      (void)section->AddGauges(*s, db, &m->gauges);
    }
  }
}

Status AddRuns(StateDb& db, MetricsSnapshot* m) {
  auto measured = db.LastMeasuredRuns();
  if (!measured.ok()) return measured.status();
  m->measured = std::move(*measured);
  auto real = db.LastRealRuns();
  if (!real.ok()) return real.status();
  for (const auto& [id, run] : *real) {
    if (run.finished >= run.started && run.outcome != "running") {
      m->last_run_duration[id] = run.finished - run.started;
    }
  }
  return Status::Ok();
}

}  // namespace

StatusOr<MetricsSnapshot> CollectMetrics(StateDb& db, const Config* config,
                                         const KindRegistry& kinds,
                                         const ReportSectionRegistry& sections,
                                         WallTime now) {
  MetricsSnapshot m;
  m.now = now;
  if (config != nullptr) AddConfigured(*config, kinds, sections, db, &m);
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
  RETENTION_RETURN_IF_ERROR(AddRuns(db, &m));
  m.ledger_ok = Ledger(db).CheckAppendable().ok();
  auto audit = LoadAudit(db);
  if (!audit.ok()) return audit.status();
  m.audit = std::move(*audit);
  // "daemon" entries are the daemon's own, not a policy's.
  m.policies.erase("daemon");
  return m;
}

namespace {

void FormatDaemon(std::string* out, const MetricsSnapshot& m,
                  const std::string& version) {
  Family(out, "retentiond_build_info", "gauge", "Version of the binary.");
  Sample(out, "retentiond_build_info", "version=\"" + Label(version) + "\"",
         1);
  Family(out, "retentiond_metrics_timestamp_seconds", "gauge",
         "When these metrics were made (Unix seconds); the daemon rewrites "
         "metrics_file after every run.");
  *out += "retentiond_metrics_timestamp_seconds " +
          std::to_string(ToUnixSeconds(m.now)) + "\n";
  Family(out, "retentiond_ledger_ok", "gauge",
         "1 while the ledger takes appends (its head names its last entry); "
         "retentionctl verify checks the whole chain.");
  *out += std::string("retentiond_ledger_ok ") + (m.ledger_ok ? "1" : "0") +
          "\n";
}

void FormatLimits(std::string* out, const MetricsSnapshot& m) {
  Family(out, "retentiond_policy_max_age_seconds", "gauge",
         "The age the oldest item is held to: max_age (accounts: grace), or "
         "min_age when larger.");
  for (const auto& [id, p] : m.configured) {
    if (p.max_age) {
      Sample(out, "retentiond_policy_max_age_seconds", PolicyKindLabels(m, id),
             WholeSeconds(*p.max_age));
    }
  }
  Family(out, "retentiond_policy_budget_bytes", "gauge",
         "A policy's byte budget for what it keeps (logs: max_total_size).");
  for (const auto& [id, p] : m.configured) {
    if (p.budget) {
      Sample(out, "retentiond_policy_budget_bytes", PolicyKindLabels(m, id),
             static_cast<int64_t>(*p.budget));
    }
  }
}

void FormatRuns(std::string* out, const MetricsSnapshot& m) {
  Family(out, "retentiond_policy_runs_total", "counter",
         "Finished real runs by result.");
  for (const std::string& id : m.policies) {
    for (const auto& [result, n] : StatsOf(m, id).runs_by_outcome) {
      Sample(out, "retentiond_policy_runs_total",
             PolicyLabel(id) + ",result=\"" + Label(result) + "\"", n);
    }
  }
  Family(out, "retentiond_last_run_duration_seconds", "gauge",
         "How long the newest finished real run took.");
  for (const auto& [id, d] : m.last_run_duration) {
    if (!m.policies.count(id)) continue;
    char value[32];
    std::snprintf(value, sizeof value, "%.3f",
                  std::chrono::duration<double>(d).count());
    *out += "retentiond_last_run_duration_seconds{" + PolicyLabel(id) + "} " +
            value + "\n";
  }
  Family(out, "retentiond_last_success_timestamp_seconds", "gauge",
         "When the last successful real run finished (Unix seconds).");
  for (const std::string& id : m.policies) {
    const auto& last = StatsOf(m, id).last_success;
    if (last) {
      Sample(out, "retentiond_last_success_timestamp_seconds", PolicyLabel(id),
             ToUnixSeconds(*last));
    }
  }
}

void FormatRemoved(std::string* out, const MetricsSnapshot& m) {
  Family(out, "retentiond_removed_items_total", "counter",
         "Items removed, as recorded in the ledger, in the kind's unit "
         "(rows: rows, files and logs: files, accounts: accounts).");
  for (const std::string& id : m.policies) {
    Sample(out, "retentiond_removed_items_total", PolicyKindLabels(m, id),
           StatsOf(m, id).removed_items);
  }
  Family(out, "retentiond_removed_bytes_total", "counter",
         "Bytes removed, as recorded in the ledger.");
  for (const std::string& id : m.policies) {
    Sample(out, "retentiond_removed_bytes_total", PolicyKindLabels(m, id),
           StatsOf(m, id).removed_bytes);
  }
  Family(out, "retentiond_log_rotations_total", "counter",
         "Log files rotated, as recorded in the ledger.");
  for (const std::string& id : m.rotating) {
    Sample(out, "retentiond_log_rotations_total", PolicyLabel(id),
           StatsOf(m, id).rotations);
  }
  Family(out, "retentiond_log_compressed_bytes_total", "counter",
         "Bytes of rotated logs compressed (before compression).");
  for (const std::string& id : m.rotating) {
    Sample(out, "retentiond_log_compressed_bytes_total", PolicyLabel(id),
           StatsOf(m, id).compressed_bytes);
  }
}

// What the newest measuring run left; nothing for a policy never measured.
void FormatLeft(std::string* out, const MetricsSnapshot& m) {
  Family(out, "retentiond_items_left", "gauge",
         "Items left in scope when the last measuring real run ended.");
  for (const auto& [id, run] : m.measured) {
    if (m.policies.count(id) && run.kept) {
      Sample(out, "retentiond_items_left", PolicyLabel(id), *run.kept);
    }
  }
  Family(out, "retentiond_bytes_left", "gauge",
         "Bytes left in scope when the last measuring real run ended, live "
         "log files included.");
  for (const auto& [id, run] : m.measured) {
    if (m.policies.count(id) && run.kept) {
      Sample(out, "retentiond_bytes_left", PolicyLabel(id),
             run.kept_bytes + run.live_bytes);
    }
  }
  Family(out, "retentiond_oldest_item_age_seconds", "gauge",
         "Age of the oldest item left in scope when the last measuring real "
         "run ended; absent when it left none (retentiond_items_left 0).");
  for (const auto& [id, run] : m.measured) {
    if (!m.policies.count(id) || !run.oldest) continue;
    Sample(
        out, "retentiond_oldest_item_age_seconds", PolicyLabel(id),
        WholeSeconds(std::max(run.finished - *run.oldest, Duration::zero())));
  }
}

void FormatBrakes(std::string* out, const MetricsSnapshot& m) {
  Family(out, "retentiond_brake_engaged", "gauge",
         "1 while a brake holds the policy.");
  for (const std::string& id : m.policies) {
    Sample(out, "retentiond_brake_engaged", PolicyLabel(id),
           static_cast<int64_t>(m.braked.count(id)));
  }
  Family(out, "retentiond_clock_paused", "gauge",
         "1 while the clock brake pauses all deletion.");
  *out += "retentiond_clock_paused " + std::to_string(m.braked.count("clock")) +
          "\n";
}

void FormatAudit(std::string* out, const MetricsSnapshot& m) {
  if (!m.audit) return;
  auto labels = [](const AuditVerdict& v) {
    return PolicyLabel(v.policy) + ",kind=\"" + Label(v.kind) + "\"";
  };
  Family(out, "retentiond_promise_kept", "gauge",
         "1 when the policy's promise held at the last audit (checked "
         "against the world, at the daily report); 0 broken or not checked.");
  for (const AuditVerdict& v : m.audit->policies) {
    Sample(out, "retentiond_promise_kept", labels(v), v.ok ? 1 : 0);
  }
  Family(out, "retentiond_promise_overdue_items", "gauge",
         "Items past their deadline still there at the last audit.");
  for (const AuditVerdict& v : m.audit->policies) {
    if (!v.checked) continue;
    Sample(out, "retentiond_promise_overdue_items", labels(v),
           static_cast<int64_t>(v.overdue));
  }
  Family(out, "retentiond_audit_timestamp_seconds", "gauge",
         "When the last audit ran (Unix seconds).");
  *out += "retentiond_audit_timestamp_seconds " +
          std::to_string(ToUnixSeconds(m.audit->time)) + "\n";
}

void FormatKindGauges(std::string* out, const MetricsSnapshot& m) {
  std::string family;
  for (const KindGauge& g : m.gauges) {
    if (g.family != family) {
      family = g.family;
      Family(out, family, "gauge", g.help);
    }
    std::string labels;
    for (const auto& [name, value] : g.labels) {
      labels += (labels.empty() ? "" : ",") + name + "=\"" + Label(value) + "\"";
    }
    Sample(out, g.family, labels, g.value);
  }
}

}  // namespace

std::string FormatPrometheus(const MetricsSnapshot& m,
                             const std::string& version) {
  std::string out;
  FormatDaemon(&out, m, version);
  FormatLimits(&out, m);
  FormatRuns(&out, m);
  FormatRemoved(&out, m);
  FormatLeft(&out, m);
  FormatBrakes(&out, m);
  FormatAudit(&out, m);
  FormatKindGauges(&out, m);
  return out;
}

std::string FormatAlertMetrics(
    const std::map<std::string, PolicyAlerts>& alerts) {
  std::string out;
  Family(&out, "retentiond_policy_alert", "gauge",
         "1 for each alert a policy has now (retentionctl status says why); "
         "absent when it has none.");
  for (const auto& [id, list] : alerts) {
    for (const auto& [name, text] : list) {
      Sample(&out, "retentiond_policy_alert",
             PolicyLabel(id) + ",alert=\"" + Label(name) + "\"", 1);
    }
  }
  return out;
}

std::string PrometheusLabelValue(const std::string& value) {
  return Label(value);
}

}  // namespace retention
