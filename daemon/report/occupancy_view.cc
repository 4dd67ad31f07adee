#include "report/occupancy_view.h"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <cstdlib>

#include "base/human_format.h"
#include "base/text_table.h"
#include "config/config_value.h"
#include "core/state_db.h"
#include "kinds/occupancy/occupancy_state_store.h"

namespace retention {
namespace {

using nlohmann::json;

constexpr size_t kTrendScans = 48;  // enough for a day at every = 30m
constexpr Duration kTrendSpan = std::chrono::hours(24);

// Allocated now minus the first point within the last day.
int64_t Trend(const std::vector<OccupancyPoint>& points, WallTime now) {
  for (const OccupancyPoint& p : points) {
    if (p.when >= now - kTrendSpan) {
      return int64_t(points.back().allocated) - int64_t(p.allocated);
    }
  }
  return 0;
}

json UserJson(const OccupancyRow& u, int64_t trend) {
  json percent = nullptr;
  if (u.quota > 0) percent = std::round(1000.0 * u.allocated / u.quota) / 10;
  return {{"user", u.user},         {"allocated", u.allocated},
          {"apparent", u.apparent}, {"files", u.files},
          {"dirs", u.dirs},         {"quota", u.quota},
          {"percent", percent},     {"over", u.over},
          {"trend", trend}};
}

std::vector<OccupancyRow> Select(std::vector<OccupancyRow> users,
                                 const OccupancyQuery& q) {
  std::erase_if(users, [&](const OccupancyRow& u) {
    return (!q.user.empty() && u.user != q.user) || (q.over && !u.over);
  });
  std::stable_sort(users.begin(), users.end(),
                   [](const OccupancyRow& a, const OccupancyRow& b) {
                     return a.allocated > b.allocated;
                   });
  if (q.top > 0 && users.size() > q.top) users.resize(q.top);
  return users;
}

std::string SignedSize(int64_t bytes) {
  if (bytes == 0) return "0";
  return (bytes > 0 ? "+" : "-") + HumanBytes(uint64_t(std::llabs(bytes)));
}

}  // namespace

StatusOr<json> OccupancyJson(StateDb& db, const OccupancyQuery& q) {
  auto latest = OccupancyStore(db).LatestOccupancy();
  if (!latest.ok()) return latest.status();
  json reply = {{"finished", nullptr},
                {"duration_ms", 0},
                {"entries", 0},
                {"warnings", 0},
                {"users", json::array()}};
  if (!latest->has_value()) return reply;
  const OccupancyScanRecord& scan = **latest;
  reply["finished"] = FormatIso8601(scan.finished);
  reply["duration_ms"] =
      std::chrono::duration_cast<std::chrono::milliseconds>(scan.duration)
          .count();
  reply["entries"] = scan.entries;
  reply["warnings"] = scan.warnings;
  const std::vector<OccupancyRow> users = Select(scan.users, q);
  std::vector<std::string> ids;
  for (const OccupancyRow& u : users) ids.push_back(u.user);
  auto history = OccupancyStore(db).OccupancyHistory(ids, kTrendScans);
  if (!history.ok()) return history.status();
  for (const OccupancyRow& u : users) {
    reply["users"].push_back(
        UserJson(u, Trend((*history)[u.user], scan.finished)));
  }
  return reply;
}

std::string FormatOccupancyText(const json& reply) {
  if (reply.value("finished", json()).is_null()) {
    return "no occupancy measurement yet\n";
  }
  char head[160];
  std::snprintf(head, sizeof head,
                "last measurement finished %s, took %.1f s, %lld entries\n",
                reply["finished"].get<std::string>().c_str(),
                reply["duration_ms"].get<int64_t>() / 1000.0,
                static_cast<long long>(reply["entries"].get<int64_t>()));
  std::vector<TableRow> rows = {
      {"USER", "ALLOCATED", "APPARENT", "FILES", "QUOTA", "USE%", "24H", ""}};
  for (const json& u : reply["users"]) {
    char percent[16] = "-";
    if (!u["percent"].is_null()) {
      std::snprintf(percent, sizeof percent, "%.1f",
                    u["percent"].get<double>());
    }
    const uint64_t quota = u["quota"].get<uint64_t>();
    rows.push_back({Printable(u["user"].get<std::string>()),
                    HumanBytes(u["allocated"].get<uint64_t>()),
                    HumanBytes(u["apparent"].get<uint64_t>()),
                    std::to_string(u["files"].get<uint64_t>()),
                    quota > 0 ? HumanBytes(quota) : "-", percent,
                    SignedSize(u["trend"].get<int64_t>()),
                    u["over"].get<bool>() ? "OVER" : ""});
  }
  return head + FormatTable(rows);
}

}  // namespace retention
