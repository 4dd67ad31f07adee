// The charts of a policy, as data (chart.h): which question, which unit.
#include "report/chart.h"

#include <algorithm>

#include "base/human_format.h"

namespace retention {
namespace {

// The ends of a time axis over every point of `lines`.
void LabelEnds(Chart* chart) {
  std::optional<WallTime> first, last;
  for (const ChartLine& line : chart->lines) {
    for (const auto& [when, value] : line.points) {
      first = std::min(first.value_or(when), when);
      last = std::max(last.value_or(when), when);
    }
  }
  if (!first) return;
  chart->first_label = UtcDay(*first);
  chart->last_label = UtcDay(*last);
}

std::optional<Chart> SeriesChart(const PolicyReport& p) {
  Chart c;
  c.title = p.series_title.empty() ? p.id + " over time" : p.series_title;
  c.unit = "bytes";
  c.bytes = true;
  for (const ChartSeries& s : p.series) {
    if (s.points.empty()) continue;
    c.lines.push_back({s.name, s.points, s.limit});
  }
  if (c.lines.empty()) return std::nullopt;
  LabelEnds(&c);
  return c;
}

std::optional<Chart> BudgetChart(const PolicyReport& p) {
  if (!p.limit_bytes || p.size_history.empty()) return std::nullopt;
  Chart c;
  c.title = "Size of " + p.id + " against its budget of " +
            HumanBytes(*p.limit_bytes);
  c.unit = "bytes";
  c.bytes = true;
  c.lines.push_back({"live and rotated files", p.size_history, p.limit_bytes});
  LabelEnds(&c);
  return c;
}

std::optional<Chart> RemovedChart(const Report& r, const PolicyReport& p) {
  if (p.removed_per_day.empty()) return std::nullopt;
  const std::vector<std::string> days = DaysInPeriod(r.since, r.until);
  if (days.empty()) return std::nullopt;
  Chart c;
  c.title = "Removed per day by " + p.id;
  c.unit = RemovalUnit(p);
  c.bytes = c.unit == "bytes";
  c.slots = days.size();
  c.first_label = days.front();
  c.last_label = days.back();
  for (size_t i = 0; i < days.size(); ++i) {
    auto it = p.removed_per_day.find(days[i]);
    if (it == p.removed_per_day.end()) continue;
    const DayVolume& v = it->second;
    const auto value = static_cast<uint64_t>(
        std::max<int64_t>(c.bytes ? v.bytes : v.items, 0));
    if (value == 0) continue;
    // The singular of the unit: "rows" -> "row"; bytes count files.
    const std::string noun =
        c.bytes ? "file" : c.unit.substr(0, c.unit.size() - 1);
    std::string tip =
        days[i] + ": " + HumanCountOf(static_cast<uint64_t>(v.items), noun);
    if (v.bytes > 0) tip += ", " + HumanBytes(static_cast<uint64_t>(v.bytes));
    c.bars.push_back({i, value, std::move(tip)});
  }
  if (c.bars.empty()) return std::nullopt;
  return c;
}

}  // namespace

std::string RemovalUnit(const PolicyReport& p) {
  if (p.kind == "rows") return "rows";
  if (p.kind == "accounts") return "accounts";
  for (const auto& [day, v] : p.removed_per_day) {
    if (v.bytes > 0) return "bytes";
  }
  return "files";
}

std::vector<Chart> PolicyCharts(const Report& report,
                                const PolicyReport& policy) {
  std::vector<Chart> charts;
  for (auto chart : {SeriesChart(policy), BudgetChart(policy),
                     RemovedChart(report, policy)}) {
    if (chart) charts.push_back(std::move(*chart));
  }
  return charts;
}

}  // namespace retention
