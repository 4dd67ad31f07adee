// The retention report as one self-contained HTML page: inline CSS, inline
// SVG charts (chart.h: removed per day in the kind's unit, occupancy against
// quota, a log set's size against its budget), each titled with its unit,
// no scripts and no external references, so it can be mailed or archived as
// a single file.
// Every string that came from the configuration or the database is escaped.
#include <algorithm>
#include <sstream>

#include "base/human_format.h"
#include "config/config_value.h"
#include "report/chart.h"
#include "report/report.h"

namespace retention {
namespace {

constexpr char kStyle[] =
    "body{font:14px/1.4 system-ui,sans-serif;margin:2em;color:#222}"
    "table{border-collapse:collapse}th,td{border:1px solid #ccc;"
    "padding:4px 8px;text-align:left}th{background:#eee}"
    ".ok{color:#1a7f37}.bad{color:#cf222e}.muted{color:#777}"
    "svg{display:block;margin:8px 0}line.limit{stroke-width:1.5}"
    "text{font:11px sans-serif;fill:#444}";

std::string Escape(const std::string& s) { return EscapeHtml(s); }

std::string ComplianceCell(const PolicyReport& p) {
  const std::string text = KeptText(p);
  const char* style = text.rfind("✓", 0) == 0   ? "ok"
                      : text.rfind("✗", 0) == 0 ? "bad"
                                                : "muted";
  return std::string("<td class=\"") + style + "\">" + Escape(text) + "</td>";
}

std::string Cell(const std::string& text) {
  return "<td>" + Escape(text) + "</td>";
}

void WritePolicyRow(const PolicyReport& p, std::ostringstream& out) {
  std::string run = "never";
  if (p.last_run) {
    run = FormatIso8601(p.last_run->started) + " " + p.last_run->outcome;
  }
  const std::string name =
      p.description.empty() ? Escape(p.id)
                            : Escape(p.id) + "<br/><small>" +
                                  Escape(p.description) + "</small>";
  out << "<tr><td>" << name << "</td>" << Cell(p.kind) << Cell(p.limit)
      << Cell(OldestText(p)) << ComplianceCell(p) << Cell(run)
      << Cell(std::to_string(p.removed_items))
      << Cell(HumanSize(p.removed_bytes))
      << Cell(p.brake ? "engaged: " + p.brake->reason : "-") << "</tr>\n";
}

void WritePolicySection(const Report& r, const PolicyReport& p,
                        std::ostringstream& out) {
  out << "<h2>" << Escape(p.id) << "</h2>\n<table>\n";
  for (const auto& [name, value] : p.details) {
    out << "<tr><th>" << Escape(name) << "</th>" << Cell(value) << "</tr>\n";
  }
  if (const std::string left = LeftText(p); !left.empty()) {
    out << "<tr><th>left</th>" << Cell(left) << "</tr>\n";
  }
  if (p.last_run && !p.last_run->error.empty()) {
    out << "<tr><th>last error</th>" << Cell(p.last_run->error) << "</tr>\n";
  }
  out << "</table>\n";
  for (const Chart& chart : PolicyCharts(r, p)) out << ChartSvg(chart);
  if (p.removed_per_day.empty()) {
    out << "<p class=\"muted\">nothing removed in the period</p>\n";
  }
}

void WriteLedger(const Report& r, std::ostringstream& out) {
  const LedgerCheck& c = r.ledger_check;
  out << "<h2>Ledger</h2>\n<p>" << c.entries << " entries, head <code>"
      << Escape(c.head_hash.empty() ? "-" : c.head_hash) << "</code>: ";
  if (c.ok) {
    out << "<span class=\"ok\">verified</span></p>\n";
  } else {
    out << "<span class=\"bad\">BROKEN at seq " << c.first_bad_seq << ": "
        << Escape(c.problem) << "</span></p>\n";
  }
  out << "<p>clock brake: ";
  if (r.clock_brake) {
    out << "<span class=\"bad\">engaged since "
        << FormatIso8601(r.clock_brake->since) << ": "
        << Escape(r.clock_brake->reason) << "</span></p>\n";
  } else {
    out << "not engaged</p>\n";
  }
  out << "<p>holds:";
  if (r.holds.empty()) out << " none";
  for (const Hold& h : r.holds) {
    out << "<br/>" << Escape(h.kind) << " " << Escape(h.target) << " since "
        << FormatIso8601(h.since) << " by " << Escape(h.by) << ": "
        << Escape(h.reason);
  }
  out << "</p>\n";
  if (r.audit) {
    out << "<p>audit, each promise checked against the world now:";
    std::istringstream lines(FormatAuditText(*r.audit, r.generated_at));
    for (std::string line; std::getline(lines, line);) {
      const bool bad = line.rfind("✗", 0) == 0 || line.rfind("?", 0) == 0;
      out << "<br/>" << (bad ? "<span class=\"bad\">" : "") << Escape(line)
          << (bad ? "</span>" : "");
    }
    out << "</p>\n";
  }
  out << "<p>daemon events:";
  if (r.daemon_events.empty()) out << " none";
  for (const auto& [action, n] : r.daemon_events) {
    out << " " << Escape(action) << "=" << n;
  }
  out << "</p>\n";
}

}  // namespace

std::string FormatReportHtml(const Report& r) {
  std::ostringstream out;
  out << "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta "
         "charset=\"utf-8\"/>"
      << "\n<title>retention report " << FormatIso8601(r.generated_at)
      << "</title>\n<style>" << kStyle << "</style>\n</head>\n<body>\n"
      << "<h1>Retention report</h1>\n<p>"
      << (r.host.empty() ? "" : "host " + Escape(r.host) + ", ")
      << "retentiond " << Escape(r.version)
      << (r.config_path.empty() ? "" : ", config " + Escape(r.config_path))
      << "<br/>generated " << FormatIso8601(r.generated_at) << ", period "
      << FormatIso8601(r.since) << " .. " << FormatIso8601(r.until) << " ("
      << HumanDuration(r.until - r.since) << ")</p>\n<p class=\"verdict\">"
      << Escape(VerdictText(JudgePromises(r))) << "<br/>ledger "
      << (r.ledger_check.ok ? "verified, " + HumanCount(r.ledger_check.entries) +
                                  " entries"
                            : "BROKEN at seq " +
                                  std::to_string(r.ledger_check.first_bad_seq))
      << "</p>\n<table>\n<tr><th>policy</th><th>kind</th><th>limit</th>"
      << "<th>oldest</th><th>promise</th><th>last run</th><th>removed</th>"
      << "<th>bytes</th><th>brake</th></tr>\n";
  for (const PolicyReport& p : r.policies) WritePolicyRow(p, out);
  out << "</table>\n";
  for (const PolicyReport& p : r.policies) WritePolicySection(r, p, out);
  WriteLedger(r, out);
  out << "</body>\n</html>\n";
  return out.str();
}

}  // namespace retention
