// The pure planner of [daemon] keep_free: when a filesystem holding log sets
// has less free space than keep_free, delete rotated log files across every
// set on that filesystem, oldest first, until enough is free again
// (DESIGN.md invariant 5: rotated files go first, live files never).
//
// Each filesystem is planned on its own: its candidates are the settled
// rotated files of every log set stored on it (complete archives, not being
// compressed, not part of an interrupted rotation; the caller collects
// them). A candidate younger than its set's min_age is never deleted, and
// when the floor leaves the filesystem short, the plan says so in a warning.
// The space a deletion frees is the file's allocated size (its apparent
// size when the filesystem reports no blocks). Pure, thread-safe.
#pragma once

#include <string>
#include <vector>

#include "config/config_value.h"
#include "core/policy.h"
#include "kinds/logs/logs_planner.h"
#include "os/filesystem.h"

namespace retention {

inline constexpr char kKeepFreePolicyId[] = "daemon.keep_free";

struct KeepFreeCandidate {
  std::string policy;  // the log set it belongs to: "logs.app"
  LogsEntry entry;
  WallTime time{};     // when it was rotated (ArchiveTime)
  Duration min_age{};  // its set's floor
};

struct KeepFreeFilesystem {
  std::string where;  // a directory on it, for messages
  DiskSpace space;
  std::vector<KeepFreeCandidate> candidates;
  uint64_t space_dev = 0;  // its device (FileInfo::dev)
};

Plan PlanKeepFree(const SpaceLimit& limit,
                  const std::vector<KeepFreeFilesystem>& filesystems,
                  WallTime now);

}  // namespace retention
