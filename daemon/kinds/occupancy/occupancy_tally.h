// OccupancyTally: what one scanner thread counted, and the merge of every
// thread's tally into an OccupancyScan. Pure; the scanner's threads each own
// one tally, merged once they have all finished.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "kinds/occupancy/occupancy_scanner.h"

namespace retention {

// A non-directory with more than one link, counted at the merge so that an
// inode is charged once per user and to one user only.
struct LinkRecord {
  uint64_t dev = 0;
  uint64_t ino = 0;
  uint32_t user = 0;  // index into the sorted user ids
  uint64_t allocated = 0;
  uint64_t apparent = 0;
};

struct OccupancyTally {
  explicit OccupancyTally(size_t users) : usage(users) {}
  std::vector<UserUsage> usage;  // by user index; names unset
  std::vector<LinkRecord> links;
  std::vector<std::string> mounts;
  std::vector<std::string> warnings;
  uint64_t warnings_dropped = 0;
  uint64_t entries = 0;

  void Warn(std::string message);
};

// The components of a valid layout ("*/{id}" -> "*", "{id}").
std::vector<std::string> LayoutComponents(const std::string& layout);

// Sums the tallies. `users` are the sorted user ids, index = LinkRecord::user.
// A linked inode is charged once, to the lowest user index that links it.
OccupancyScan MergeTallies(const std::vector<std::string>& users,
                           std::vector<OccupancyTally>& tallies);

}  // namespace retention
