#include "kinds/occupancy/occupancy_report.h"

#include <algorithm>
#include <cstdio>

#include "base/human_format.h"
#include "config/config_value.h"
#include "core/state_db.h"
#include "kinds/occupancy/occupancy_state_store.h"

namespace retention {
namespace {

constexpr size_t kLargest = 5;       // users listed and charted
constexpr size_t kChartScans = 500;  // about three weeks at every = 1h
// The cardinality cap of the per-user gauges (retentiond.conf(5)): the
// largest users by allocated bytes; the totals count every user.
constexpr size_t kMetricsUsers = 100;

std::string Usage(const OccupancyRow& u) {
  std::string text = u.user + " " + HumanBytes(u.allocated);
  if (u.quota > 0) text += " of " + HumanBytes(u.quota);
  return text;
}

std::string Join(const std::vector<std::string>& items) {
  std::string out;
  for (const std::string& item : items) out += (out.empty() ? "" : ", ") + item;
  return out.empty() ? "none" : out;
}

class OccupancyReportSection final : public ReportSection {
 public:
  std::string kind() const override { return "occupancy"; }

  SectionSummary Summarize(const Section& section) const override {
    SectionSummary s;
    const uint64_t quota = section.GetSize("default_quota");
    s.limit =
        quota > 0 ? "default_quota " + FormatSize(quota) : "no default quota";
    s.details = {{"root", section.GetString("root")},
                 {"every", FormatDuration(section.GetDuration("every"))}};
    return s;
  }

  Status AddGauges(const Section&, StateDb& db,
                   std::vector<KindGauge>* gauges) const override {
    auto latest = OccupancyStore(db).LatestOccupancy();
    if (!latest.ok()) return latest.status();
    if (!latest->has_value()) return Status::Ok();
    std::vector<OccupancyRow> users = (*latest)->users;
    std::stable_sort(users.begin(), users.end(), [](auto& a, auto& b) {
      return a.allocated > b.allocated;
    });
    int64_t total = 0, over = 0;
    for (const OccupancyRow& u : users) {
      total += static_cast<int64_t>(u.allocated);
      over += u.over ? 1 : 0;
    }
    auto add = [&](const char* family, const char* help, int64_t value,
                   const std::string& user = "") {
      KindGauge g{family, help, {}, value};
      if (!user.empty()) g.labels.push_back({"user", user});
      gauges->push_back(std::move(g));
    };
    add("retentiond_occupancy_users", "Users measured by the last full scan.",
        static_cast<int64_t>(users.size()));
    add("retentiond_occupancy_users_over_quota",
        "Users over their quota at the last full scan.", over);
    add("retentiond_occupancy_bytes",
        "Bytes allocated under the root at the last full scan.", total);
    users.resize(std::min(users.size(), kMetricsUsers));
    for (const OccupancyRow& u : users) {
      add("retentiond_occupancy_user_bytes",
          "Bytes allocated by a user at the last full scan (the 100 largest "
          "users only).",
          static_cast<int64_t>(u.allocated), u.user);
    }
    for (const OccupancyRow& u : users) {
      if (u.quota == 0) continue;
      add("retentiond_occupancy_user_quota_bytes",
          "A user's quota at the last full scan (the 100 largest users, "
          "those with a quota).",
          static_cast<int64_t>(u.quota), u.user);
    }
    return Status::Ok();
  }

  Status AddStored(const Section&, StateDb& db,
                   SectionSummary* s) const override {
    auto latest = OccupancyStore(db).LatestOccupancy();
    if (!latest.ok()) return latest.status();
    if (!latest->has_value()) {
      s->details.push_back({"last full measurement", "none yet"});
      return Status::Ok();
    }
    const OccupancyScanRecord& scan = **latest;
    char took[64];
    std::snprintf(took, sizeof took, " (took %.1f s, %llu entries)",
                  std::chrono::duration<double>(scan.duration).count(),
                  static_cast<unsigned long long>(scan.entries));
    s->details.push_back(
        {"last full measurement", FormatIso8601(scan.finished) + took});
    std::vector<OccupancyRow> users = scan.users;
    std::stable_sort(users.begin(), users.end(), [](auto& a, auto& b) {
      return a.allocated > b.allocated;
    });
    std::vector<std::string> over, largest;
    std::vector<const OccupancyRow*> charted;
    for (const OccupancyRow& u : users) {
      if (u.over) over.push_back(Usage(u));
      if (largest.size() < kLargest) {
        largest.push_back(Usage(u));
        charted.push_back(&u);
      }
    }
    s->details.push_back({"users", std::to_string(users.size())});
    s->details.push_back({"over quota", Join(over)});
    s->details.push_back({"largest", Join(largest)});
    return AddChart(db, charted, s);
  }

 private:
  // The largest users' allocated bytes per scan, each against its quota
  // (as the newest scan has it).
  static Status AddChart(StateDb& db,
                         const std::vector<const OccupancyRow*>& users,
                         SectionSummary* s) {
    std::vector<std::string> ids;
    for (const OccupancyRow* u : users) ids.push_back(u->user);
    auto history = OccupancyStore(db).OccupancyHistory(ids, kChartScans);
    if (!history.ok()) return history.status();
    s->series_title = "Occupancy of the largest users against their quota";
    for (const OccupancyRow* u : users) {
      ChartSeries line{u->user, {}};
      if (u->quota > 0) line.limit = u->quota;
      for (const OccupancyPoint& p : (*history)[u->user]) {
        line.points.emplace_back(p.when, p.allocated);
      }
      s->series.push_back(std::move(line));
    }
    return Status::Ok();
  }
};

}  // namespace

std::unique_ptr<ReportSection> MakeOccupancyReportSection() {
  return std::make_unique<OccupancyReportSection>();
}

}  // namespace retention
