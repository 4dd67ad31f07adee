// OccupancyStore: the occupancy kind's measurements in the state database
// (one row per full scan, one per user measured in it). Built on StateDb's
// connection, as Ledger is. Thread-safe (StateDb's lock).
#pragma once

#include <map>
#include <optional>
#include <string>
#include <vector>

#include "base/status.h"
#include "core/state_db.h"
#include "kinds/occupancy/occupancy_history.h"

namespace retention {

class OccupancyStore {
 public:
  explicit OccupancyStore(StateDb& state) : state_(state) {}

  // RecordOccupancy stores a
  // scan and its users in one transaction, sets scan->id, and drops scans
  // older than kOccupancyKeep.
  Status RecordOccupancy(OccupancyScanRecord* scan);
  // The newest stored scan with its users; nullopt if none.
  StatusOr<std::optional<OccupancyScanRecord>> LatestOccupancy();
  // Allocated bytes of each of `users` over the newest `scans` scans,
  // oldest first.
  StatusOr<std::map<std::string, std::vector<OccupancyPoint>>> OccupancyHistory(
      const std::vector<std::string>& users, size_t scans);

 private:
  StateDb& state_;
};

}  // namespace retention
