// The retention report for a terminal, 80 columns: a header that ends in
// the verdict (which promises were kept, whether the ledger verifies), then
// one block per policy (the promise, its limit and the evidence), then the
// ledger, brakes, holds and daemon events. Long values wrap.
#include <sstream>

#include "base/human_format.h"
#include "base/text_table.h"
#include "config/config_value.h"
#include "report/report.h"

namespace retention {
namespace {

// Writes `text` wrapped to the terminal's width.
void Put(std::ostringstream& out, const std::string& text, size_t indent = 4) {
  out << WrapText(text, kTerminalColumns, indent);
}

std::string LastRunText(const PolicyReport& p) {
  if (!p.last_run) return "never";
  return FormatIso8601(p.last_run->started) + " " + p.last_run->outcome;
}

std::string RemovedText(const PolicyReport& p) {
  std::string out = CountAndBytes(p.removed_items, p.removed_bytes);
  if (p.worst_late) {
    out += "; worst lateness " + HumanDuration(*p.worst_late);
  }
  return out;
}

void WritePolicy(const PolicyReport& p, std::ostringstream& out) {
  Put(out, Printable(p.id) + " (" + p.kind + "): " + KeptText(p));
  if (!p.description.empty()) {
    Put(out, "  promise: " + Printable(p.description), 4);
  }
  Put(out, "  limit: " + Printable(p.limit));
  // A policy that only measures (occupancy) removes nothing: its details
  // say what it measured.
  const bool measures_only =
      JudgePromise(p) == Promise::kNoLimit && p.removed_items == 0;
  std::string oldest = "  oldest survivor: " + OldestText(p);
  const std::string left = LeftText(p);
  if (!left.empty() && (p.kept_items != 0 || p.limit_bytes)) {
    oldest += "; left: " + left;  // a budget: what the set holds, even 0
  }
  if (!measures_only) Put(out, oldest);
  if (!measures_only) Put(out, "  removed in the period: " + RemovedText(p));
  Put(out, "  last run: " + LastRunText(p));
  if (p.last_run && !p.last_run->error.empty()) {
    Put(out, "  last error: " + Printable(p.last_run->error));
  }
  if (p.brake) Put(out, "  BRAKE ENGAGED: " + Printable(p.brake->reason));
  for (const auto& [name, value] : p.details) {
    Put(out, "  " + name + ": " + Printable(value));
  }
  for (const auto& [day, v] : p.removed_per_day) {
    Put(out, "  " + day + "  removed " + CountAndBytes(v.items, v.bytes));
  }
}

void WriteHeader(const Report& r, std::ostringstream& out) {
  Put(out, "retention report" +
               (r.host.empty() ? "" : " of " + Printable(r.host)) +
               ", generated " + FormatIso8601(r.generated_at));
  std::string built = "retentiond " + (r.version.empty() ? "-" : r.version);
  if (!r.config_path.empty()) built += ", config " + Printable(r.config_path);
  Put(out, built);
  Put(out, "period " + FormatIso8601(r.since) + " .. " +
               FormatIso8601(r.until) + " (" +
               HumanDuration(r.until - r.since) + ")");
  Put(out, "verdict: " + VerdictText(JudgePromises(r)));
  const LedgerCheck& c = r.ledger_check;
  Put(out, c.ok ? "ledger: verified, " + HumanCount(c.entries) + " entries"
                : "ledger: BROKEN at seq " + std::to_string(c.first_bad_seq) +
                      ": " + c.problem);
}

void WriteFooter(const Report& r, std::ostringstream& out) {
  const LedgerCheck& c = r.ledger_check;
  out << "\n";
  Put(out, "ledger head: " + (c.head_hash.empty() ? "-" : c.head_hash));
  if (r.clock_brake) {
    Put(out, "clock brake: engaged since " +
                 FormatIso8601(r.clock_brake->since) + ": " +
                 Printable(r.clock_brake->reason));
  } else {
    Put(out, "clock brake: not engaged");
  }
  if (r.holds.empty()) Put(out, "holds: none");
  if (!r.holds.empty()) Put(out, "holds:");
  for (const Hold& h : r.holds) {
    Put(out, "  " + h.kind + " " + Printable(h.target) + " since " +
                 FormatIso8601(h.since) + " by " + Printable(h.by) + ": " +
                 Printable(h.reason));
  }
  if (r.audit) {
    Put(out, "audit, each promise checked against the world now:");
    std::istringstream lines(FormatAuditText(*r.audit, r.generated_at));
    for (std::string line; std::getline(lines, line);) {
      // A finding's evidence lines are indented: keep their wraps under them.
      const size_t lead = line.find_first_not_of(' ');
      Put(out, "  " + line, (lead == std::string::npos ? 0 : lead) + 4);
    }
  }
  std::string events = "daemon events:";
  if (r.daemon_events.empty()) events += " none";
  for (const auto& [action, n] : r.daemon_events) {
    events += " " + action + "=" + std::to_string(n);
  }
  Put(out, events);
}

}  // namespace

std::string FormatReportText(const Report& r) {
  std::ostringstream out;
  WriteHeader(r, out);
  for (const PolicyReport& p : r.policies) {
    out << "\n";
    WritePolicy(p, out);
  }
  WriteFooter(r, out);
  return out.str();
}

}  // namespace retention
