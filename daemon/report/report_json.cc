// The retention report as JSON, schema "retentiond.report.v1" (report.h).
#include <nlohmann/json.hpp>

#include "report/audit_json.h"
#include "report/hold_json.h"
#include "report/report.h"

namespace retention {
namespace {

// Keys keep the documented order.
using ojson = nlohmann::ordered_json;

ojson JsonSeconds(const std::optional<Duration>& d) {
  if (!d) return nullptr;
  return std::chrono::duration_cast<std::chrono::seconds>(*d).count();
}

ojson BrakeJson(const std::optional<Brake>& b) {
  if (!b) return nullptr;
  return {{"reason", b->reason}, {"since", FormatIso8601(b->since)}};
}

ojson RunJson(const std::optional<RunRecord>& run) {
  if (!run) return nullptr;
  ojson finished = nullptr;
  if (run->finished != WallTime{}) finished = FormatIso8601(run->finished);
  return {{"id", run->id},           {"started", FormatIso8601(run->started)},
          {"finished", finished},    {"outcome", run->outcome},
          {"actions", run->actions}, {"bytes", run->bytes},
          {"error", run->error}};
}

ojson PolicyJson(const PolicyReport& p) {
  ojson details = ojson::array();
  for (const auto& [name, value] : p.details) {
    details.push_back({{"name", name}, {"value", value}});
  }
  ojson series = ojson::array();
  for (const ChartSeries& line : p.series) {
    ojson points = ojson::array();
    for (const auto& [when, value] : line.points) {
      points.push_back({{"time", FormatIso8601(when)}, {"value", value}});
    }
    series.push_back(
        {{"name", line.name},
         {"points", points},
         {"limit", line.limit ? ojson(*line.limit) : ojson(nullptr)}});
  }
  ojson days = ojson::array();
  for (const auto& [day, v] : p.removed_per_day) {
    days.push_back({{"day", day}, {"items", v.items}, {"bytes", v.bytes}});
  }
  return {
      {"id", p.id},
      {"kind", p.kind},
      {"configured", p.configured},
      {"limit", p.limit},
      {"description", p.description},
      {"worst_lateness_seconds", JsonSeconds(p.worst_late)},
      {"limit_age_seconds", JsonSeconds(p.limit_age)},
      {"oldest_age_seconds", JsonSeconds(p.oldest_age)},
      {"kept_items", p.kept_items ? ojson(*p.kept_items) : ojson(nullptr)},
      {"kept_bytes", p.kept_items ? ojson(p.kept_bytes) : ojson(nullptr)},
      {"live_bytes", p.kept_items ? ojson(p.live_bytes) : ojson(nullptr)},
      {"limit_bytes", p.limit_bytes ? ojson(*p.limit_bytes) : ojson(nullptr)},
      {"measured_at",
       p.measured_at ? ojson(FormatIso8601(*p.measured_at)) : ojson(nullptr)},
      {"compliance", ComplianceName(CheckCompliance(p))},
      {"details", details},
      {"series_title", p.series_title},
      {"series", series},
      {"last_run", RunJson(p.last_run)},
      {"removed", {{"items", p.removed_items}, {"bytes", p.removed_bytes}}},
      {"removed_per_day", days},
      {"brake", BrakeJson(p.brake)}};
}

ojson LedgerJson(const LedgerCheck& c) {
  ojson bad = nullptr;
  ojson problem = nullptr;
  if (!c.ok) {
    bad = c.first_bad_seq;
    problem = c.problem;
  }
  return {{"verified", c.ok},
          {"entries", c.entries},
          {"head_hash", c.head_hash},
          {"first_bad_seq", bad},
          {"problem", problem}};
}

ojson VerdictJson(const Verdict& v) {
  return {{"promises", v.promises()},
          {"kept", v.kept},
          {"not_kept", v.not_kept},
          {"not_measured", v.not_measured}};
}

}  // namespace

std::string FormatReportJson(const Report& r) {
  ojson policies = ojson::array();
  for (const PolicyReport& p : r.policies) policies.push_back(PolicyJson(p));
  ojson events = ojson::object();
  for (const auto& [action, n] : r.daemon_events) events[action] = n;
  ojson doc = {
      {"schema", kReportSchema},
      {"host", r.host},
      {"version", r.version},
      {"config", r.config_path},
      {"verdict", VerdictJson(JudgePromises(r))},
      {"generated_at", FormatIso8601(r.generated_at)},
      {"period",
       {{"since", FormatIso8601(r.since)}, {"until", FormatIso8601(r.until)}}},
      {"ledger", LedgerJson(r.ledger_check)},
      {"clock_brake", BrakeJson(r.clock_brake)},
      {"daemon_events", events},
      {"holds", HoldsJson(r.holds)},
      {"audit",
       r.audit ? ojson(AuditJson(*r.audit, r.generated_at)) : ojson(nullptr)},
      {"policies", policies}};
  // Replace, not throw, on invalid UTF-8 in a path: the report must render.
  return doc.dump(2, ' ', false, ojson::error_handler_t::replace) + "\n";
}

}  // namespace retention
