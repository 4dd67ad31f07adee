// The retention report as one self-contained HTML page: inline CSS, one
// inline SVG bar chart per policy of what it removed per day in its unit
// (rows, bytes or items), each chart titled with its unit, no scripts and no
// external references, so it can be mailed or archived as a single file.
// Every string that came from the configuration or the database is escaped.
#include <algorithm>
#include <cstdio>
#include <sstream>

#include "base/human_format.h"
#include "config/config_value.h"
#include "report/report.h"

namespace retention {
namespace {

constexpr double kChartWidth = 720;
constexpr double kChartHeight = 160;
constexpr double kAxisLeft = 64;
constexpr double kAxisBottom = 20;

constexpr char kStyle[] =
    "body{font:14px/1.4 system-ui,sans-serif;margin:2em;color:#222}"
    "table{border-collapse:collapse}th,td{border:1px solid #ccc;"
    "padding:4px 8px;text-align:left}th{background:#eee}"
    ".ok{color:#1a7f37}.bad{color:#cf222e}.muted{color:#777}"
    "svg{display:block;margin:8px 0}rect.bar{fill:#4c78a8}"
    "text{font:11px sans-serif;fill:#444}";

std::string Escape(const std::string& s) {
  std::string out;
  out.reserve(s.size());
  for (char c : s) {
    switch (c) {
      case '&':
        out += "&amp;";
        break;
      case '<':
        out += "&lt;";
        break;
      case '>':
        out += "&gt;";
        break;
      case '"':
        out += "&quot;";
        break;
      case '\'':
        out += "&#39;";
        break;
      default:
        out += c;
    }
  }
  return out;
}

std::string Num(double v) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.2f", v);
  return buf;
}

std::string Size(int64_t bytes) {
  return HumanBytes(static_cast<uint64_t>(std::max<int64_t>(bytes, 0)));
}

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
      << Cell(std::to_string(p.removed_items)) << Cell(Size(p.removed_bytes))
      << Cell(p.brake ? "engaged: " + p.brake->reason : "-") << "</tr>\n";
}

// What a policy's removals are counted in: rows for a rows policy (their
// bytes are always 0), bytes when anything removed had a size, else items.
struct ChartUnit {
  bool bytes;
  const char* name;  // "bytes", "rows", "items"
};

ChartUnit UnitOf(const PolicyReport& p) {
  if (p.kind == "rows") return {false, "rows"};
  for (const auto& [day, v] : p.removed_per_day) {
    if (v.bytes > 0) return {true, "bytes"};
  }
  return {false, "items"};
}

// A chart's heading, also its SVG <title>: what it shows and in what unit.
void WriteChartTitle(const std::string& title, std::ostringstream& out) {
  out << "<h3 class=\"chart\">" << Escape(title) << "</h3>\n";
}

void WriteChart(const Report& r, const PolicyReport& p,
                std::ostringstream& out) {
  const std::vector<std::string> days = DaysInPeriod(r.since, r.until);
  const ChartUnit unit = UnitOf(p);
  auto value = [&](const DayVolume& v) {
    return unit.bytes ? v.bytes : v.items;
  };
  int64_t max_value = 1;
  for (const auto& [day, v] : p.removed_per_day) {
    max_value = std::max(max_value, value(v));
  }
  const double plot_w = kChartWidth - kAxisLeft;
  const double plot_h = kChartHeight - kAxisBottom;
  const double bar_w =
      plot_w / static_cast<double>(std::max<size_t>(days.size(), 1));
  const std::string title =
      std::string("Removed per day by ") + p.id + ", in " + unit.name;
  WriteChartTitle(title, out);
  out << "<svg width=\"" << kChartWidth << "\" height=\"" << kChartHeight
      << "\" viewBox=\"0 0 " << kChartWidth << " " << kChartHeight
      << "\" role=\"img\" aria-label=\"" << Escape(title) << "\">\n<title>"
      << Escape(title) << "</title>\n";
  out << "<text x=\"0\" y=\"12\">"
      << (unit.bytes ? Size(max_value) : std::to_string(max_value)) << " "
      << (unit.bytes ? "" : unit.name) << "</text>"
      << "<text x=\"0\" y=\"" << Num(plot_h) << "\">0</text>"
      << "<text x=\"" << kAxisLeft << "\" y=\"" << kChartHeight - 4 << "\">"
      << Escape(days.front()) << "</text>"
      << "<text x=\"" << kChartWidth << "\" y=\"" << kChartHeight - 4
      << "\" text-anchor=\"end\">" << Escape(days.back()) << "</text>\n";
  for (size_t i = 0; i < days.size(); ++i) {
    auto it = p.removed_per_day.find(days[i]);
    if (it == p.removed_per_day.end()) continue;
    const double h = plot_h * static_cast<double>(value(it->second)) /
                     static_cast<double>(max_value);
    out << "<rect class=\"bar\" x=\"" << Num(kAxisLeft + bar_w * i) << "\" y=\""
        << Num(plot_h - h) << "\" width=\"" << Num(std::max(bar_w - 1, 1.0))
        << "\" height=\"" << Num(h) << "\"><title>" << Escape(days[i]) << ": "
        << it->second.items << " " << (unit.bytes ? "items" : unit.name) << ", "
        << Size(it->second.bytes) << " bytes</title></rect>\n";
  }
  out << "</svg>\n";
}

// One line per series over the time the points span; a legend of names.
void WriteSeriesChart(const PolicyReport& p, std::ostringstream& out) {
  static constexpr const char* kColors[] = {"#4c78a8", "#f58518", "#54a24b",
                                            "#e45756", "#72b7b2", "#b279a2"};
  WallTime first = WallTime::max(), last = WallTime::min();
  uint64_t top = 1;
  for (const ChartSeries& s : p.series) {
    for (const auto& [when, value] : s.points) {
      first = std::min(first, when);
      last = std::max(last, when);
      top = std::max(top, value);
    }
  }
  if (first > last) return;
  const double span =
      std::max(1.0, std::chrono::duration<double>(last - first).count());
  const double plot_w = kChartWidth - kAxisLeft,
               plot_h = kChartHeight - kAxisBottom;
  const std::string title = p.series_title + ", in bytes";
  WriteChartTitle(title, out);
  out << "<svg width=\"" << kChartWidth << "\" height=\"" << kChartHeight
      << "\" role=\"img\" aria-label=\"" << Escape(title) << "\">\n<title>"
      << Escape(title) << "</title>\n<text x=\"0\" y=\"12\">"
      << Size(int64_t(top)) << "</text><text x=\"0\" y=\"" << Num(plot_h)
      << "\">0</text>\n";
  for (size_t i = 0; i < p.series.size(); ++i) {
    const char* color = kColors[i % std::size(kColors)];
    out << "<polyline fill=\"none\" stroke=\"" << color << "\" points=\"";
    for (const auto& [when, value] : p.series[i].points) {
      const double x =
          kAxisLeft +
          plot_w * std::chrono::duration<double>(when - first).count() / span;
      out << Num(x) << "," << Num(plot_h - plot_h * double(value) / double(top))
          << " ";
    }
    out << "\"><title>" << Escape(p.series[i].name) << "</title></polyline>\n";
    // A polyline of one point draws nothing: the point as a dot.
    if (p.series[i].points.size() == 1) {
      const uint64_t value = p.series[i].points.front().second;
      out << "<circle r=\"3\" fill=\"" << color << "\" cx=\"" << Num(kAxisLeft)
          << "\" cy=\"" << Num(plot_h - plot_h * double(value) / double(top))
          << "\"><title>" << Escape(p.series[i].name) << ": "
          << Size(int64_t(value)) << "</title></circle>\n";
    }
  }
  out << "</svg>\n<p>";
  for (size_t i = 0; i < p.series.size(); ++i) {
    out << "<span style=\"color:" << kColors[i % std::size(kColors)]
        << "\">&#9632; " << Escape(p.series[i].name) << "</span> ";
  }
  out << "</p>\n";
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
  if (!p.series.empty()) WriteSeriesChart(p, out);
  if (p.removed_per_day.empty()) {
    out << "<p class=\"muted\">nothing removed in the period</p>\n";
    return;
  }
  WriteChart(r, p, out);
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
