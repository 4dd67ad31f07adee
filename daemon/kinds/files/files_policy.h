// FilesPolicy: the [files.NAME] kind — delete files older than an age
// under a root directory (e.g. backups kept 90 days): directly in it, or
// with `recursive` anywhere below it, and with `remove_empty_dirs` the
// subdirectories left empty. Snapshot (WalkTree) and deletion (DirCursor)
// go through the Filesystem seam, so every safe-deletion rule applies: the
// root is opened once per run, every directory is reopened beneath its
// parent's handle and checked against the identity it was planned with,
// entries are removed relative to their directory's handle after an
// identity re-check, symlinks are removed themselves and never followed,
// mounts are never entered, files another process holds an flock on are
// skipped. Which files those may be is read from the kernel's lock table
// (Filesystem::LockedInodes) once per 4,096 files (a group) or more, and
// only a file whose inode number it names is probed (Filesystem::IsLocked);
// without the table every file is probed. Either way a lock taken after the
// check is not seen: after the probe, microseconds before the removal;
// after the table was read, up to 4,096 removals (about 0.1 s) before.
//
// Threading: one run at a time (the Runner's contract).
#pragma once

#include <memory>

#include "config/config.h"
#include "core/intent_recovery.h"
#include "core/policy.h"
#include "core/recorded_removal.h"
#include "kinds/files/files_planner.h"
#include "os/tree_walk.h"

namespace retention {

class KindRegistry;

// Registers the kind's keys, validation and factory.
void RegisterFilesKind(KindRegistry* registry);

class FilesPolicy final : public Policy {
 public:
  FilesPolicy(const Section& section, Services& services);

  const std::string& id() const override { return id_; }
  Duration every() const override { return every_; }
  bool destructive() const override { return true; }
  DeleteBrakeLimit delete_brake() const override { return brake_limit_; }
  StatusOr<Plan> MakePlan(WallTime now) override;
  ExecResult Execute(const Plan& plan, ExecContext& ctx) override;
  // A removal cut short: is the planned inode still under its name?
  IntentFate Resolve(const Intent& intent) override {
    return ResolveFileIntent(fs_, intent);
  }

 private:
  struct ExecState;  // what one Execute keeps between removals
  // Removes the planned entry action.ref names.
  Removal RemoveOne(ExecState& state, const Action& action, ExecResult* result);
  // Deletes one planned file in `dir`.
  Removal RemoveFile(ExecState& state, Dir& dir, const std::string& name,
                     const Action& action, ExecResult* result);
  // Whether the planned regular file `info` must be probed for an flock:
  // its inode is in the lock table, or the table could not be read.
  bool MayBeLocked(ExecState& state, const FileInfo& info);
  // Removes a planned empty directory.
  Removal RemoveDirectory(Dir& parent, const std::string& name,
                          const Action& action, ExecResult* result);

  std::string id_;
  Duration every_;
  DeleteBrakeLimit brake_limit_;
  FilesRule rule_;
  Filesystem& fs_;
  FileInfo planned_root_;
  TreeSnapshot planned_;  // what the last MakePlan saw; Action::ref indexes it
};

}  // namespace retention
