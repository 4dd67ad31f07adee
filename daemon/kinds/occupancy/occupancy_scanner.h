// OccupancyScanner: measures how much storage each user's directory holds,
// the way `du -s -x` would if run on each user directory alone: allocated
// bytes (st_blocks * 512) and apparent bytes (st_size) of every entry,
// directories and symlinks included, plus counts of files (non-directories)
// and directories. Never follows a symlink and never crosses into another
// filesystem: a mount point inside a user directory is reported in
// `mounts`, not counted. Entries that vanish mid-scan are skipped; one that
// cannot be read is a warning, never a failed scan.
//
// Directories are counted once per user (dev+inode), also when one is
// renamed during the scan and so listed under two parents.
//
// Hard links: an inode with several links is counted once per user. An
// inode linked from several users is charged to the user whose id sorts
// first (byte order), so results never depend on thread count or timing.
//
// Users: the root's layout pattern, e.g. "{id}" (each immediate subdirectory
// is one user, its name the id), "*/{id}" (sharded) or "{id}/data". A
// component is a literal name, "*" (any directory) or exactly "{id}".
//
// Threading: Scan() may run on any thread and uses up to `threads` threads
// of its own; one Scan at a time per scanner.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "base/status.h"

namespace retention {

struct UserUsage {
  std::string user;
  uint64_t allocated = 0;  // bytes, st_blocks * 512
  uint64_t apparent = 0;   // bytes, st_size
  uint64_t files = 0;      // non-directories (files, symlinks, ...)
  uint64_t dirs = 0;       // directories, the user's own included
  uint64_t errors = 0;     // entries or directories that could not be read
};

struct OccupancyScan {
  std::vector<UserUsage> users;       // sorted by user id
  uint64_t entries = 0;               // every entry examined
  std::vector<std::string> mounts;    // mount points found, not counted
  std::vector<std::string> warnings;  // sorted; at most kMaxWarnings
  uint64_t warnings_dropped = 0;      // beyond kMaxWarnings
  static constexpr size_t kMaxWarnings = 100;
};

// Called on a scanning thread each time a directory has been opened and
// counted, before it is read, with its path relative to the root (escaped as
// EscapeName does). For tests: it lets one rename directories mid-scan.
using ScanHook = std::function<void(const std::string& path)>;

// Called once with (0, users) when the users are known, then with
// (done, users) each time every directory of one more user was scanned;
// calls never overlap.
using ScanProgress = std::function<void(uint64_t done, uint64_t users)>;

struct ScanRequest {
  std::string root;
  std::string layout = "{id}";
  int threads = 1;             // at least 1
  ScanHook on_open = nullptr;  // tests only; null in the daemon
  ScanProgress on_progress = nullptr;
};

class OccupancyScanner {
 public:
  virtual ~OccupancyScanner() = default;
  // Measures every user under request.root. Fails only when the root (or
  // the layout's directories) cannot be opened at all.
  virtual StatusOr<OccupancyScan> Scan(const ScanRequest& request) = 0;
};

// Checks a layout pattern; an empty message when it is valid.
std::string CheckLayout(const std::string& layout);

// Byte-safe rendering of a name for messages: printable ASCII as is, other
// bytes (newlines, invalid UTF-8) as \xNN.
std::string EscapeName(const std::string& name);

// The real scanner (occupancy_scanner_posix.cc).
std::unique_ptr<OccupancyScanner> NewPosixOccupancyScanner();

}  // namespace retention
