#include "report/report.h"

#include <algorithm>

#include "base/human_format.h"
#include "base/text_table.h"
#include "config/config_value.h"
#include "config/kind_registry.h"
#include "core/clock_brake.h"
#include "core/lateness.h"
#include "core/verb.h"
#include "kinds/logs/keep_free_planner.h"
#include "os/host_name.h"
#include "report/lateness_detail.h"

namespace retention {
namespace {

constexpr size_t kLedgerPage = 1000;
constexpr size_t kSizePoints = 2000;  // a log set's size chart, per period
constexpr char kDaemonPolicy[] = "daemon";

bool IsRemovalAction(const std::string& action) {
  const std::optional<Verb> verb = ParseVerb(action);
  return verb && IsRemoval(*verb);
}

StatusOr<PolicyReport> ConfiguredPolicy(const Section& section,
                                        const ReportSectionRegistry& sections,
                                        StateDb& db) {
  PolicyReport p;
  p.id = section.id();
  p.kind = section.kind;
  const ReportSection* provider = sections.Find(section.kind);
  if (provider == nullptr) {
    p.limit = "(no report section for " + section.kind + ")";
    return p;
  }
  SectionSummary s = provider->Summarize(section);
  RETENTION_RETURN_IF_ERROR(provider->AddStored(section, db, &s));
  p.limit = std::move(s.limit);
  if (section.Has(kDescriptionKey)) {
    p.description = section.GetString(kDescriptionKey);
  }
  p.limit_age = s.limit_age;
  p.limit_bytes = s.limit_bytes;
  p.details = std::move(s.details);
  p.series_title = std::move(s.series_title);
  p.series = std::move(s.series);
  return p;
}

// A policy that removed something in the period but is no longer configured:
// the auditor still sees what it did.
PolicyReport FormerPolicy(const std::string& id) {
  PolicyReport p;
  p.id = id;
  p.kind = id.substr(0, id.find('.'));
  p.configured = false;
  p.limit = "(not in the current configuration)";
  return p;
}

// [daemon] keep_free runs as a policy of its own when log sets exist
// (AddKeepFreePolicy).
std::optional<PolicyReport> KeepFreeReport(const Config& config) {
  if (config.sections.empty()) return std::nullopt;  // read without a config
  const SpaceLimit limit = config.daemon().GetSpaceLimit("keep_free");
  if (limit.empty()) return std::nullopt;
  for (const Section* s : config.policies()) {
    if (s->kind != "logs") continue;
    PolicyReport p;
    p.id = kKeepFreePolicyId;
    p.kind = "daemon";
    p.limit = "keep_free " + limit.ToString() +
              " on every filesystem holding log sets";
    return p;
  }
  return std::nullopt;
}

PolicyReport& PolicyFor(Report* report, const std::string& id) {
  for (PolicyReport& p : report->policies) {
    if (p.id == id) return p;
  }
  report->policies.push_back(FormerPolicy(id));
  return report->policies.back();
}

using EntriesByPolicy = std::map<std::string, std::vector<LedgerEntry>>;
// A policy's entries in the period: its removals, and the rest (rotations,
// compressions).
struct PolicyEntries {
  EntriesByPolicy removals;
  EntriesByPolicy others;
};

void AddEntry(Report* report, const LedgerEntry& e, PolicyEntries* entries) {
  if (e.time < report->since || e.time > report->until) return;
  if (e.policy == kDaemonPolicy) {
    ++report->daemon_events[e.action];
    return;
  }
  if (!IsRemovalAction(e.action)) {
    entries->others[e.policy].push_back(e);
    return;
  }
  PolicyReport& p = PolicyFor(report, e.policy);
  p.removed_items += e.count;
  p.removed_bytes += e.bytes;
  if (const std::optional<Duration> late = LatenessOf(e.detail)) {
    p.worst_late = std::max(p.worst_late.value_or(*late), *late);
  }
  DayVolume& day = p.removed_per_day[UtcDay(e.time)];
  day.items += e.count;
  day.bytes += e.bytes;
  entries->removals[e.policy].push_back(e);
}

Status AddLedger(Ledger& ledger, Report* report, PolicyEntries* entries) {
  int64_t after = 0;
  for (;;) {
    StatusOr<std::vector<LedgerEntry>> page = ledger.Read(after, kLedgerPage);
    if (!page.ok()) return page.status();
    for (const LedgerEntry& e : *page) AddEntry(report, e, entries);
    if (page->size() < kLedgerPage) return Status::Ok();
    after = page->back().seq;
  }
}

// What each kind reads in its policies' entries (accounts: rows per
// table; logs: a writer without O_APPEND).
void AddEntryDetails(const ReportSectionRegistry& sections,
                     const PolicyEntries& entries, Report* report) {
  for (PolicyReport& p : report->policies) {
    const ReportSection* provider = sections.Find(p.kind);
    if (provider == nullptr || !p.configured) continue;
    if (auto it = entries.removals.find(p.id); it != entries.removals.end()) {
      for (auto& detail : provider->RemovalDetails(it->second)) {
        p.details.push_back(std::move(detail));
      }
    }
    if (auto it = entries.others.find(p.id); it != entries.others.end()) {
      for (auto& detail : provider->EntryDetails(it->second)) {
        p.details.push_back(std::move(detail));
      }
    }
  }
}

Status AddLastRuns(StateDb& db, Report* report) {
  auto runs = db.LastRealRuns();
  if (!runs.ok()) return runs.status();
  for (PolicyReport& p : report->policies) {
    auto it = runs->find(p.id);
    if (it != runs->end()) p.last_run = it->second;
  }
  return Status::Ok();
}

Status AddMeasurements(StateDb& db, Report* report) {
  auto runs = db.LastMeasuredRuns();
  if (!runs.ok()) return runs.status();
  for (PolicyReport& p : report->policies) {
    auto it = runs->find(p.id);
    if (it == runs->end()) continue;
    const RunRecord& run = it->second;
    p.kept_items = run.kept;
    p.kept_bytes = run.kept_bytes;
    p.live_bytes = run.live_bytes;
    p.measured_at = run.finished;
    p.oldest_age = run.oldest
                       ? std::max(run.finished - *run.oldest, Duration::zero())
                       : Duration::zero();
    if (!p.limit_bytes) continue;
    auto sizes = db.MeasuredSizes(p.id, report->since, kSizePoints);
    if (!sizes.ok()) return sizes.status();
    p.size_history = std::move(*sizes);
  }
  return Status::Ok();
}

Status AddBrakes(StateDb& db, Report* report) {
  StatusOr<std::vector<Brake>> brakes = db.Brakes();
  if (!brakes.ok()) return brakes.status();
  for (const Brake& b : *brakes) {
    if (b.name == kClockBrakeName) {
      report->clock_brake = b;
      continue;
    }
    for (PolicyReport& p : report->policies) {
      if (p.id == b.name) p.brake = b;
    }
  }
  return Status::Ok();
}

}  // namespace

std::string CountAndBytes(int64_t items, int64_t bytes) {
  std::string out = HumanCountOf(static_cast<uint64_t>(items), "item");
  if (bytes > 0) out += ", " + HumanBytes(static_cast<uint64_t>(bytes));
  return out;
}

std::string LeftText(const PolicyReport& policy) {
  if (!policy.kept_items) return "";
  std::string out = CountAndBytes(*policy.kept_items, policy.kept_bytes);
  if (policy.live_bytes == 0 && !policy.limit_bytes) return out;
  const auto total =
      static_cast<uint64_t>(policy.kept_bytes + policy.live_bytes);
  out += "; with live files " + HumanBytes(total);
  if (policy.limit_bytes) {
    out += " of budget " + HumanBytes(*policy.limit_bytes);
    if (OverBudget(policy)) out += ", OVER BUDGET";
  }
  return out;
}

std::string OldestText(const PolicyReport& policy) {
  if (!policy.oldest_age) return "not measured";
  if (policy.kept_items && *policy.kept_items == 0) return "none left";
  return HumanDuration(*policy.oldest_age);
}

bool OverBudget(const PolicyReport& policy) {
  return policy.limit_bytes && policy.kept_items &&
         static_cast<uint64_t>(policy.kept_bytes + policy.live_bytes) >
             *policy.limit_bytes;
}

Promise JudgePromise(const PolicyReport& p) {
  if (!p.configured) return Promise::kFormer;
  if (!p.limit_age && !p.limit_bytes) return Promise::kNoLimit;
  if (OverBudget(p)) return Promise::kOverBudget;
  switch (CheckCompliance(p)) {
    case Compliance::kWithin:
      return Promise::kKept;
    case Compliance::kOverdue:
      return Promise::kOverdue;
    case Compliance::kNotMeasured:
      break;
  }
  return p.limit_bytes && p.kept_items ? Promise::kKept
                                       : Promise::kNotMeasured;
}

Verdict JudgePromises(const Report& report) {
  Verdict v;
  for (const PolicyReport& p : report.policies) {
    switch (JudgePromise(p)) {
      case Promise::kKept:
        v.kept.push_back(p.id);
        break;
      case Promise::kOverdue:
      case Promise::kOverBudget:
        v.not_kept.push_back(p.id);
        break;
      case Promise::kNotMeasured:
        v.not_measured.push_back(p.id);
        break;
      case Promise::kNoLimit:
      case Promise::kFormer:
        break;
    }
  }
  return v;
}

std::string VerdictText(const Verdict& v) {
  auto join = [](const std::vector<std::string>& ids) {
    std::string out;
    for (const std::string& id : ids) out += (out.empty() ? "" : ", ") + id;
    return Printable(out);
  };
  std::string out = std::to_string(v.kept.size()) + " of " +
                    std::to_string(v.promises()) + " promises kept";
  if (!v.not_kept.empty()) out += "; NOT KEPT: " + join(v.not_kept);
  if (!v.not_measured.empty()) {
    out += "; not measured yet: " + join(v.not_measured);
  }
  return out;
}

std::string KeptText(const PolicyReport& p) {
  static constexpr const char* kWords[] = {
      "✓ kept", "✗ NOT KEPT (oldest survivor past the limit)",
      "✗ NOT KEPT (over budget)", "not measured yet", "measures only",
      "no longer configured"};
  return kWords[static_cast<int>(JudgePromise(p))];
}

Compliance CheckCompliance(const PolicyReport& policy) {
  if (!policy.oldest_age || !policy.limit_age) return Compliance::kNotMeasured;
  return *policy.oldest_age <= *policy.limit_age ? Compliance::kWithin
                                                 : Compliance::kOverdue;
}

const char* ComplianceName(Compliance c) {
  switch (c) {
    case Compliance::kWithin:
      return "within";
    case Compliance::kOverdue:
      return "overdue";
    case Compliance::kNotMeasured:
      break;
  }
  return "not-measured";
}

std::string UtcDay(WallTime t) { return FormatIso8601(t).substr(0, 10); }

std::vector<std::string> DaysInPeriod(WallTime since, WallTime until) {
  std::vector<std::string> days;
  if (until < since) return days;
  const std::string last = UtcDay(until);
  for (WallTime t = since;; t += std::chrono::hours(24)) {
    days.push_back(UtcDay(t));
    if (days.back() >= last) break;
  }
  if (days.back() != last) days.push_back(last);
  return days;
}

StatusOr<Report> BuildReport(const Config& config, StateDb& db, Ledger& ledger,
                             const ReportSectionRegistry& sections,
                             WallTime now, Duration since) {
  Report report;
  report.host = LocalHostName();
  report.version = RETENTION_VERSION;
  if (!config.files.empty()) report.config_path = config.files.front();
  report.generated_at = now;
  report.until = now;
  report.since = now - since;
  for (const Section* s : config.policies()) {
    StatusOr<PolicyReport> p = ConfiguredPolicy(*s, sections, db);
    if (!p.ok()) return p.status();
    report.policies.push_back(std::move(*p));
  }
  if (auto keep_free = KeepFreeReport(config)) {
    report.policies.push_back(std::move(*keep_free));
  }
  PolicyEntries entries;
  RETENTION_RETURN_IF_ERROR(AddLedger(ledger, &report, &entries));
  AddEntryDetails(sections, entries, &report);
  AddLatenessDetails(config, entries.removals, &report);
  StatusOr<LedgerCheck> check = ledger.Verify();
  if (!check.ok()) return check.status();
  report.ledger_check = *check;
  RETENTION_RETURN_IF_ERROR(AddLastRuns(db, &report));
  RETENTION_RETURN_IF_ERROR(AddMeasurements(db, &report));
  RETENTION_RETURN_IF_ERROR(AddBrakes(db, &report));
  StatusOr<std::vector<Hold>> holds = db.Holds();
  if (!holds.ok()) return holds.status();
  report.holds = std::move(*holds);
  return report;
}

}  // namespace retention
