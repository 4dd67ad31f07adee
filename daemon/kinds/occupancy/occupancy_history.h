// Occupancy records as the state database keeps them: one per full scan of
// the [occupancy] root, with each user's usage and quota at that time.
// Plain values; StateDb (OccupancyStore, occupancy_state_store.h) stores and
// reads them.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "base/clock.h"

namespace retention {

// How long scans are kept for trends and charts.
constexpr Duration kOccupancyKeep = std::chrono::hours(24 * 400);

struct OccupancyRow {
  std::string user;
  uint64_t allocated = 0;
  uint64_t apparent = 0;
  uint64_t files = 0;
  uint64_t dirs = 0;
  uint64_t quota = 0;  // 0: none
  bool over = false;   // allocated > quota > 0
};

struct OccupancyScanRecord {
  int64_t id = 0;  // set when stored
  WallTime finished{};
  Duration duration{};
  uint64_t entries = 0;
  uint64_t warnings = 0;
  std::vector<OccupancyRow> users;  // sorted by user
};

struct OccupancyPoint {
  WallTime when{};
  uint64_t allocated = 0;
};

}  // namespace retention
