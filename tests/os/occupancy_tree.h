// Helpers for the occupancy scanner's OS tests: building trees with raw
// system calls (names with newlines, deep chains, many entries), running
// GNU du on a user directory, and removing trees too deep for remove_all.
#pragma once

#include <cstdint>
#include <string>

#include "kinds/occupancy/occupancy_scanner.h"

namespace retention {

// Writes `bytes` bytes of data to a new file at `path`.
void WriteBytes(const std::string& path, size_t bytes);
// `du -s -x -B1 DIR` (allocated) or `du -s -x -b DIR` (apparent), in bytes.
uint64_t DuBytes(const std::string& dir, bool apparent);
// Checks the user's allocated and apparent bytes against du on
// ROOT/USER.
void CheckUserEqualsDu(const std::string& root, const UserUsage& usage);
// Makes a chain DIR/c/c/.../c of `depth` directories with a file at the end.
void MakeChain(const std::string& dir, int depth);
// Removes such a chain without ever using a long path.
void RemoveChain(const std::string& dir);
// Makes `count` empty files in DIR.
void MakeEntries(const std::string& dir, int count);
// Scans `root` with the POSIX scanner; fails the test on error.
OccupancyScan ScanOrFail(const std::string& root, int threads,
                         const std::string& layout = "{id}");
// The usage of `user` in `scan`; a zero usage if absent.
UserUsage UsageOf(const OccupancyScan& scan, const std::string& user);

}  // namespace retention
