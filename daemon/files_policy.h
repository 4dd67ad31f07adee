// FilesPolicy: the [files.NAME] kind — delete files older than an age
// directly under a root directory (e.g. backups kept 90 days). Snapshot and
// deletion go through the Filesystem seam, so every safe-deletion rule
// applies: the root is opened once per run, entries are removed relative to
// that handle after an identity re-check, symlinks are removed themselves,
// files another process holds an flock on are skipped.
//
// Threading: one run at a time (the Runner's contract).
#pragma once

#include <memory>

#include "config.h"
#include "files_planner.h"
#include "policy.h"

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

 private:
  // Deletes one planned entry; false when the run must stop.
  bool ExecuteOne(Dir& root, const Action& action, ExecContext& ctx,
                  ExecResult* result);

  std::string id_;
  Duration every_;
  DeleteBrakeLimit brake_limit_;
  FilesRule rule_;
  Filesystem& fs_;
  FileInfo planned_root_;
};

}  // namespace retention
