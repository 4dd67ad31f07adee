// The retention report for a terminal: header, an aligned table with one row
// per policy, each policy's details, then the ledger, brakes and daemon
// events.
#include <sstream>

#include "base/text_table.h"
#include "config/config_value.h"
#include "report/report.h"

namespace retention {
namespace {

using Row = TableRow;

std::string Items(int64_t n) {
  return std::to_string(n) + (n == 1 ? " item" : " items");
}

std::string ComplianceText(const PolicyReport& p) {
  switch (CheckCompliance(p)) {
    case Compliance::kWithin:
      return "✓ within";
    case Compliance::kOverdue:
      return "✗ overdue";
    case Compliance::kNotMeasured:
      break;
  }
  return "not measured";
}

std::string LastRunText(const PolicyReport& p) {
  if (!p.last_run) return "never";
  return FormatIso8601(p.last_run->started) + " " + p.last_run->outcome;
}

Row PolicyRow(const PolicyReport& p) {
  return {Printable(p.id),
          p.kind,
          Printable(p.limit),
          OldestText(p),
          ComplianceText(p),
          LastRunText(p),
          std::to_string(p.removed_items),
          FormatSize(static_cast<uint64_t>(p.removed_bytes)),
          p.brake ? "engaged" : "-"};
}

void WriteDetails(const PolicyReport& p, std::ostringstream& out) {
  out << p.id << ":";
  for (const auto& [name, value] : p.details) {
    out << " " << name << "=" << Printable(value);
  }
  for (const auto& [day, v] : p.removed_per_day) {
    out << "\n  " << day << "  " << Items(v.items) << "  "
        << FormatSize(static_cast<uint64_t>(v.bytes));
  }
  if (const std::string left = LeftText(p); !left.empty()) {
    out << "\n  left: " << left;
  }
  if (p.brake) out << "\n  brake: " << Printable(p.brake->reason);
  if (p.last_run && !p.last_run->error.empty()) {
    out << "\n  last error: " << Printable(p.last_run->error);
  }
  out << "\n";
}

void WriteFooter(const Report& r, std::ostringstream& out) {
  const LedgerCheck& c = r.ledger_check;
  out << "\nledger: " << c.entries << " entries, head "
      << (c.head_hash.empty() ? "-" : c.head_hash) << ", ";
  if (c.ok) {
    out << "verified\n";
  } else {
    out << "BROKEN at seq " << c.first_bad_seq << ": " << c.problem << "\n";
  }
  out << "clock brake: ";
  if (r.clock_brake) {
    out << "engaged since " << FormatIso8601(r.clock_brake->since) << ": "
        << Printable(r.clock_brake->reason) << "\n";
  } else {
    out << "not engaged\n";
  }
  out << "holds:";
  if (r.holds.empty()) out << " none";
  for (const Hold& h : r.holds) {
    out << "\n  " << h.kind << " " << Printable(h.target) << " since "
        << FormatIso8601(h.since) << " by " << Printable(h.by) << ": "
        << Printable(h.reason);
  }
  out << "\n";
  out << "daemon events:";
  if (r.daemon_events.empty()) out << " none";
  for (const auto& [action, n] : r.daemon_events) {
    out << " " << action << "=" << n;
  }
  out << "\n";
}

}  // namespace

std::string FormatReportText(const Report& r) {
  std::ostringstream out;
  out << "retention report"
      << (r.host.empty() ? "" : " of " + Printable(r.host)) << ", generated "
      << FormatIso8601(r.generated_at) << "\nperiod " << FormatIso8601(r.since)
      << " .. " << FormatIso8601(r.until) << "\n\n";
  std::vector<Row> rows = {{"POLICY", "KIND", "LIMIT", "OLDEST", "STATUS",
                            "LAST RUN", "REMOVED", "BYTES", "BRAKE"}};
  for (const PolicyReport& p : r.policies) rows.push_back(PolicyRow(p));
  out << FormatTable(rows);
  if (!r.policies.empty()) out << "\n";
  for (const PolicyReport& p : r.policies) WriteDetails(p, out);
  WriteFooter(r, out);
  return out.str();
}

}  // namespace retention
