// OccupancyView: what `retentionctl occupancy` and the Occupancy control
// method show — the newest stored occupancy scan, per user: usage, quota,
// percent of quota and the trend (change in allocated bytes over the last
// day), largest first — as JSON and as a text table. Read from the state
// database, so it works with the daemon running or from a copied state dir.
//
// Threading: stateless; StateDb serializes its own access.
#pragma once

#include <cstddef>
#include <nlohmann/json.hpp>
#include <string>

#include "base/clock.h"
#include "base/status.h"

namespace retention {

class StateDb;

struct OccupancyQuery {
  std::string user;   // only this user; empty: all
  size_t top = 0;     // only the N largest; 0: all
  bool over = false;  // only users over quota
};

// {"finished": ISO-8601 or null, "duration_ms", "entries", "warnings",
//  "users": [{"user", "allocated", "apparent", "files", "dirs", "quota",
//  "percent" (null without quota), "over", "trend"}]} sorted by allocated,
// largest first. No scan yet: finished null, no users.
StatusOr<nlohmann::json> OccupancyJson(StateDb& db, const OccupancyQuery& q);

// The reply as a table, with a first line saying when the scan finished.
std::string FormatOccupancyText(const nlohmann::json& reply);

}  // namespace retention
