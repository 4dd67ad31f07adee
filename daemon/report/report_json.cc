// The retention report as JSON, schema "retentiond.report.v1" (report.h).
#include <nlohmann/json.hpp>

#include "report/hold_json.h"
#include "report/report.h"

namespace retention {
namespace {

// Keys keep the documented order.
using json = nlohmann::ordered_json;

json Seconds(const std::optional<Duration>& d) {
  if (!d) return nullptr;
  return std::chrono::duration_cast<std::chrono::seconds>(*d).count();
}

json BrakeJson(const std::optional<Brake>& b) {
  if (!b) return nullptr;
  return {{"reason", b->reason}, {"since", FormatIso8601(b->since)}};
}

json RunJson(const std::optional<RunRecord>& run) {
  if (!run) return nullptr;
  json finished = nullptr;
  if (run->finished != WallTime{}) finished = FormatIso8601(run->finished);
  return {{"id", run->id},           {"started", FormatIso8601(run->started)},
          {"finished", finished},    {"outcome", run->outcome},
          {"actions", run->actions}, {"bytes", run->bytes},
          {"error", run->error}};
}

json PolicyJson(const PolicyReport& p) {
  json details = json::array();
  for (const auto& [name, value] : p.details) {
    details.push_back({{"name", name}, {"value", value}});
  }
  json series = json::array();
  for (const ChartSeries& line : p.series) {
    json points = json::array();
    for (const auto& [when, value] : line.points) {
      points.push_back({{"time", FormatIso8601(when)}, {"value", value}});
    }
    series.push_back({{"name", line.name},
                      {"points", points},
                      {"limit", line.limit ? json(*line.limit) : json(nullptr)}});
  }
  json days = json::array();
  for (const auto& [day, v] : p.removed_per_day) {
    days.push_back({{"day", day}, {"items", v.items}, {"bytes", v.bytes}});
  }
  return {{"id", p.id},
          {"kind", p.kind},
          {"configured", p.configured},
          {"limit", p.limit},
          {"description", p.description},
          {"worst_lateness_seconds", Seconds(p.worst_late)},
          {"limit_age_seconds", Seconds(p.limit_age)},
          {"oldest_age_seconds", Seconds(p.oldest_age)},
          {"kept_items", p.kept_items ? json(*p.kept_items) : json(nullptr)},
          {"kept_bytes", p.kept_items ? json(p.kept_bytes) : json(nullptr)},
          {"live_bytes", p.kept_items ? json(p.live_bytes) : json(nullptr)},
          {"limit_bytes", p.limit_bytes ? json(*p.limit_bytes) : json(nullptr)},
          {"measured_at",
           p.measured_at ? json(FormatIso8601(*p.measured_at)) : json(nullptr)},
          {"compliance", ComplianceName(CheckCompliance(p))},
          {"details", details},
          {"series_title", p.series_title},
          {"series", series},
          {"last_run", RunJson(p.last_run)},
          {"removed", {{"items", p.removed_items}, {"bytes", p.removed_bytes}}},
          {"removed_per_day", days},
          {"brake", BrakeJson(p.brake)}};
}

json LedgerJson(const LedgerCheck& c) {
  json bad = nullptr;
  json problem = nullptr;
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

json VerdictJson(const Verdict& v) {
  return {{"promises", v.promises()},
          {"kept", v.kept},
          {"not_kept", v.not_kept},
          {"not_measured", v.not_measured}};
}

}  // namespace

std::string FormatReportJson(const Report& r) {
  json policies = json::array();
  for (const PolicyReport& p : r.policies) policies.push_back(PolicyJson(p));
  json events = json::object();
  for (const auto& [action, n] : r.daemon_events) events[action] = n;
  json doc = {
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
      {"policies", policies}};
  // Replace, not throw, on invalid UTF-8 in a path: the report must render.
  return doc.dump(2, ' ', false, json::error_handler_t::replace) + "\n";
}

}  // namespace retention
