// The merged fleet report's writers: text within 80 columns (IEC sizes and
// human durations as in the single-host report) and JSON with exact numbers.
#include <chrono>
#include <nlohmann/json.hpp>
#include <sstream>

#include "base/human_format.h"
#include "base/text_table.h"
#include "config/config_value.h"
#include "report/report.h"
#include "report/report_merge.h"

namespace retention {
namespace {

constexpr size_t kHostWidth = 16;

std::string Host(const std::string& host) {
  return FitWidth(Printable(host), kHostWidth);
}

std::string Day(const std::string& iso) { return iso.substr(0, 10); }

// "89d3h ✗", "12d ✓", "none left", "-" (not measured).
std::string OldestCell(const HostPolicy& h) {
  PolicyReport p;
  if (h.oldest_age_seconds) {
    p.oldest_age = std::chrono::seconds(*h.oldest_age_seconds);
  }
  p.kept_items = h.kept_items;
  if (!p.oldest_age) return "-";
  std::string text = OldestText(p);
  if (h.compliance == ComplianceName(Compliance::kOverdue)) text += " ✗";
  if (h.compliance == ComplianceName(Compliance::kWithin)) text += " ✓";
  return text;
}

// "12-05 00:59 ok" (UTC), or "never".
std::string LastRunCell(const HostPolicy& h) {
  if (!h.last_run_started) return "never";
  const std::string& t = *h.last_run_started;  // YYYY-MM-DDTHH:MM:SSZ
  const std::string when =
      t.size() >= 16 ? t.substr(5, 5) + " " + t.substr(11, 5) : t;
  return Printable(when + " " + h.last_run_outcome);
}

void WriteHosts(const MergedReport& r, std::ostringstream& out) {
  size_t broken = 0;
  for (const MergedHost& h : r.hosts) broken += h.ledger_verified ? 0 : 1;
  out << FitWidth("fleet retention report: " + std::to_string(r.hosts.size()) +
             (r.hosts.size() == 1 ? " host, " : " hosts, ") +
             (broken == 0 ? "every ledger verified"
                          : std::to_string(broken) + " ledger(s) BROKEN"))
      << "\n\n";
  std::vector<TableRow> rows = {{"HOST", "PERIOD (UTC)", "LEDGER"}};
  for (const MergedHost& h : r.hosts) {
    rows.push_back(
        {Host(h.host), Day(h.since) + " .. " + Day(h.until),
         h.ledger_verified
             ? "verified, " + std::to_string(h.ledger_entries) + " entries"
             : "BROKEN at seq " + std::to_string(h.first_bad_seq)});
  }
  std::istringstream table(FormatTable(rows));
  for (std::string line; std::getline(table, line);) out << FitWidth(line) << "\n";
  for (const MergedHost& h : r.hosts) {
    if (!h.ledger_verified) {
      out << FitWidth("  " + Host(h.host) + ": " + Printable(h.problem)) << "\n";
    }
    if (h.clock_brake) {
      out << FitWidth("  " + Host(h.host) +
                 ": clock brake engaged: " + Printable(*h.clock_brake))
          << "\n";
    }
  }
}

void WritePolicy(const MergedPolicy& p, std::ostringstream& out) {
  const char* verdict = p.compliance == "within"    ? "✓ within"
                        : p.compliance == "overdue" ? "✗ overdue"
                                                    : "not measured";
  out << "\n"
      << FitWidth(Printable(p.id) + " (" + p.kind + "): " + verdict +
                  "; removed " + std::to_string(p.removed_items) +
                  (p.removed_items == 1 ? " item, " : " items, ") +
                  HumanSize(p.removed_bytes) + " in total")
      << "\n";
  if (p.limits_agree) {
    out << FitWidth("  limit: " + Printable(p.hosts.front().limit)) << "\n";
  } else {
    for (const HostPolicy& h : p.hosts) {
      out << FitWidth("  limit on " + Host(h.host) + ": " + Printable(h.limit) +
                 " (limits differ)")
          << "\n";
    }
  }
  if (p.oldest_index) {
    const HostPolicy& h = p.hosts[*p.oldest_index];
    out << FitWidth("  oldest survivor: " + OldestCell(h) + " on " + Host(h.host) +
               (h.measured_at ? ", measured " + *h.measured_at : ""))
        << "\n";
  }
  std::vector<TableRow> rows = {
      {"HOST", "REMOVED", "BYTES", "OLDEST", "LAST RUN (UTC)"}};
  for (const HostPolicy& h : p.hosts) {
    rows.push_back({Host(h.host) + (h.brake ? " (brake)" : ""),
                    std::to_string(h.removed_items), HumanSize(h.removed_bytes),
                    OldestCell(h), LastRunCell(h)});
  }
  for (const std::string& host : p.absent) {
    rows.push_back({Host(host), "-", "-", "-", "not configured"});
  }
  rows.push_back({"total", std::to_string(p.removed_items),
                  HumanSize(p.removed_bytes), "", ""});
  std::istringstream table(FormatTable(rows));
  for (std::string line; std::getline(table, line);) {
    while (!line.empty() && line.back() == ' ') line.pop_back();
    out << FitWidth("  " + line) << "\n";
  }
}

using ojson = nlohmann::ordered_json;

ojson Opt(const std::optional<int64_t>& v) {
  return v ? ojson(*v) : ojson(nullptr);
}
ojson Opt(const std::optional<std::string>& v) {
  return v ? ojson(*v) : ojson(nullptr);
}

ojson HostJson(const MergedHost& h) {
  return {
      {"host", h.host},
      {"file", h.path},
      {"generated_at", h.generated_at},
      {"period", {{"since", h.since}, {"until", h.until}}},
      {"ledger",
       {{"verified", h.ledger_verified},
        {"entries", h.ledger_entries},
        {"head_hash", h.head_hash},
        {"first_bad_seq",
         h.ledger_verified ? ojson(nullptr) : ojson(h.first_bad_seq)},
        {"problem", h.ledger_verified ? ojson(nullptr) : ojson(h.problem)}}},
      {"clock_brake", Opt(h.clock_brake)}};
}

ojson HostPolicyJson(const HostPolicy& h) {
  ojson run = nullptr;
  if (h.last_run_started) {
    run = {{"started", *h.last_run_started}, {"outcome", h.last_run_outcome}};
  }
  return {{"host", h.host},
          {"limit", h.limit},
          {"limit_age_seconds", Opt(h.limit_age_seconds)},
          {"oldest_age_seconds", Opt(h.oldest_age_seconds)},
          {"kept_items", Opt(h.kept_items)},
          {"measured_at", Opt(h.measured_at)},
          {"compliance", h.compliance},
          {"last_run", run},
          {"removed", {{"items", h.removed_items}, {"bytes", h.removed_bytes}}},
          {"brake", h.brake}};
}

ojson PolicyJson(const MergedPolicy& p) {
  ojson oldest = nullptr;
  if (p.oldest_index) {
    const HostPolicy& h = p.hosts[*p.oldest_index];
    oldest = {{"host", h.host},
              {"age_seconds", Opt(h.oldest_age_seconds)},
              {"measured_at", Opt(h.measured_at)}};
  }
  ojson hosts = ojson::array();
  for (const HostPolicy& h : p.hosts) hosts.push_back(HostPolicyJson(h));
  return {{"id", p.id},
          {"kind", p.kind},
          {"limits_agree", p.limits_agree},
          {"compliance", p.compliance},
          {"removed", {{"items", p.removed_items}, {"bytes", p.removed_bytes}}},
          {"oldest", oldest},
          {"absent_on", p.absent},
          {"hosts", hosts}};
}

}  // namespace

std::string FormatMergedText(const MergedReport& r) {
  std::ostringstream out;
  WriteHosts(r, out);
  for (const MergedPolicy& p : r.policies) WritePolicy(p, out);
  return out.str();
}

std::string FormatMergedJson(const MergedReport& r) {
  ojson hosts = ojson::array(), policies = ojson::array();
  for (const MergedHost& h : r.hosts) hosts.push_back(HostJson(h));
  for (const MergedPolicy& p : r.policies) policies.push_back(PolicyJson(p));
  const ojson doc = {{"schema", kMergedReportSchema},
                     {"all_verified", r.all_verified},
                     {"hosts", hosts},
                     {"policies", policies}};
  return doc.dump(2, ' ', false, ojson::error_handler_t::replace) + "\n";
}

}  // namespace retention
