// SizeWatcher: inotify on the directories of files that policies watch (a
// logs policy watches its live files), so that a file crossing its size cap
// makes its policy due within milliseconds of the write that crossed it,
// not at the next periodic check (DESIGN invariant 4). A policy names its
// watches (Policy::watches); the core knows nothing of what the policy does
// when due. Its periodic run stays the fallback: for directories that
// cannot be watched, after an event queue overflow, and for limits that are
// not sizes.
//
// A watch is (policy, directory, name globs, cap). HandleEvents() reads
// every pending event, stats each matching name once per batch, and returns
// the policies with a file at or over its cap. Files that appear later and
// match a glob are seen through the same directory watch (IN_CREATE,
// IN_MOVED_TO). On IN_Q_OVERFLOW every watched set is checked by listing
// its directory. A directory that is removed and recreated is watched again
// at the next SetWatches (the main loop retries unwatched directories every
// minute, and reloads set them anew).
//
// Due before the cap: the watcher estimates each file's write rate from
// the sizes it sees (WriteRate). When size + RotationLead(rate,
// *watch.rotation_time_ns) reaches the cap, the policy is due early, and
// TakeEarly() says which file at which size, so the policy rotates it
// although it is still under the cap: a fast writer then never pushes the
// live file far past its cap while the rotation copies it.
//
// The watcher only stats names to decide whether a run is due; the run
// itself opens and checks everything through the Filesystem seam.
//
// Threading: one thread (the main loop's).
#pragma once

#include <atomic>
#include <cstdint>
#include <map>
#include <memory>
#include <set>
#include <string>
#include <vector>

#include "base/clock.h"
#include "base/status.h"
#include "core/write_rate.h"

namespace retention {

struct SizeWatch {
  std::string policy;              // "logs.access"
  std::string dir;                 // absolute directory of live files
  std::vector<std::string> globs;  // fnmatch patterns on names in `dir`
  uint64_t cap = 0;                // max_file_size; 0: nothing to watch
  // About how long rotating a file at the cap takes, in ns, kept current
  // by the policy; null: never early.
  std::shared_ptr<const std::atomic<int64_t>> rotation_time_ns;
  // The largest lead (RotationLead); 0: half the cap.
  uint64_t max_lead = 0;
};

// A file to rotate before it reaches its cap (see above).
struct EarlyCrossing {
  std::string policy;
  std::string path;   // dir/name
  uint64_t size = 0;  // as seen; rotate once it is at least this
  double bytes_per_second = 0;
  uint64_t lead = 0;  // what the writer adds during a rotation
};

class SizeWatcher {
 public:
  // kUnavailable-style errors when inotify cannot be initialised (the
  // caller falls back to periodic checks and says so).
  static StatusOr<std::unique_ptr<SizeWatcher>> Create();
  ~SizeWatcher();
  SizeWatcher(const SizeWatcher&) = delete;
  SizeWatcher& operator=(const SizeWatcher&) = delete;

  // The descriptor to wait on (readable when events are pending).
  int fd() const { return fd_; }

  // Replaces the watch set. Returns one warning per directory that cannot
  // be watched (missing, unreadable, inotify watch limit); those sets are
  // left to their periodic checks.
  std::vector<std::string> SetWatches(std::vector<SizeWatch> watches);

  // Reads every pending event; the policies that have a matching file at or
  // over its cap. Never blocks.
  std::set<std::string> HandleEvents();

  // Stats every matching file of every watch now (start-up, overflow).
  std::set<std::string> CheckAll();

  // The early rotations found since the last call (by HandleEvents or
  // CheckAll), whose policies those calls returned as due.
  std::vector<EarlyCrossing> TakeEarly();

  // Events read so far that overflowed the kernel queue (for tests, logs).
  uint64_t overflows() const { return overflows_; }

 private:
  explicit SizeWatcher(int fd) : fd_(fd) {}
  // Policies of the watches on `wd` with `name` matching and over the cap.
  void CheckName(int wd, const std::string& name, std::set<std::string>* due);
  void CheckWatch(const SizeWatch& watch, std::set<std::string>* due);
  // Whether `name` of `w` at `size` makes w.policy due (at the cap, or
  // early); records the sample and any early rotation.
  bool Due(const SizeWatch& w, const std::string& name, uint64_t size);

  int fd_ = -1;
  std::vector<SizeWatch> watches_;
  // inotify watch descriptor -> indexes into watches_ (a directory may hold
  // several sets).
  std::vector<std::pair<int, std::vector<size_t>>> wds_;
  uint64_t overflows_ = 0;
  std::map<std::string, WriteRate> rates_;  // by path
  std::vector<EarlyCrossing> early_;
};

}  // namespace retention
