// The occupancy kind's gauges (ReportSection::AddGauges): totals over every
// user of the last full scan, per-user gauges for the 100 largest only.
#include <catch2/catch.hpp>

#include "core/state_db.h"
#include "kinds/occupancy/occupancy_report.h"
#include "kinds/occupancy/occupancy_state_store.h"
#include "temp_dir.h"

namespace retention::occupancy_metrics_test {
namespace {

size_t Count(const std::vector<KindGauge>& gauges, const std::string& family) {
  size_t n = 0;
  for (const KindGauge& g : gauges) n += g.family == family ? 1 : 0;
  return n;
}

int64_t Total(const std::vector<KindGauge>& gauges, const std::string& family) {
  for (const KindGauge& g : gauges) {
    if (g.family == family) return g.value;
  }
  return -1;
}

TEST_CASE("occupancy gauges cover every user in totals, the 100 largest each") {
  TempDir dir;
  auto db = StateDb::Open(dir.File("state.db"));
  REQUIRE(db.ok());
  OccupancyScanRecord scan;
  scan.finished = FromUnixSeconds(1767225600);
  for (int i = 0; i < 150; ++i) {
    OccupancyRow u;
    u.user = "u" + std::to_string(i);
    u.allocated = 1000 + static_cast<uint64_t>(i);  // u149 is the largest
    u.quota = i % 2 == 0 ? 1100 : 0;
    u.over = u.quota > 0 && u.allocated > u.quota;
    scan.users.push_back(u);
  }
  REQUIRE(OccupancyStore(**db).RecordOccupancy(&scan).ok());
  std::vector<KindGauge> gauges;
  Section section;
  REQUIRE(MakeOccupancyReportSection()->AddGauges(section, **db, &gauges).ok());
  CHECK(Total(gauges, "retentiond_occupancy_users") == 150);
  CHECK(Total(gauges, "retentiond_occupancy_users_over_quota") == 24);
  CHECK(Count(gauges, "retentiond_occupancy_user_bytes") == 100);
  // The largest 100 are u50..u149; half of them have a quota.
  CHECK(Count(gauges, "retentiond_occupancy_user_quota_bytes") == 50);
  bool smallest_kept = false;
  for (const KindGauge& g : gauges) {
    if (g.labels == std::vector<std::pair<std::string, std::string>>{
                       {"user", "u50"}})
      smallest_kept = true;
    CHECK_FALSE((g.labels.size() == 1 && g.labels[0].second == "u49"));
  }
  CHECK(smallest_kept);
}

TEST_CASE("occupancy has no gauges before its first full scan") {
  TempDir dir;
  auto db = StateDb::Open(dir.File("state.db"));
  REQUIRE(db.ok());
  std::vector<KindGauge> gauges;
  Section section;
  REQUIRE(MakeOccupancyReportSection()->AddGauges(section, **db, &gauges).ok());
  CHECK(gauges.empty());
}

}  // namespace
}  // namespace retention::occupancy_metrics_test
