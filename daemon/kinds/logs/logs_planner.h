// The pure planner of the [logs.NAME] kind: given a snapshot of a log set
// (its live files and the archives and temps found for them) and the time,
// decide what to rotate, compress, delete and clean up, and why.
//
// Actions, in the order the executor performs them:
//   "cleanup"  a *.rtd-tmp temp left by an interrupted write, or an
//              uncompressed archive whose compressed twin is already in place
//              (compression stopped before removing its source); deleted.
//   "rotate"   a live file whose size reached max_file_size, or reached the
//              size of its entry in snapshot.early (the watcher predicts
//              its writer would push it past the cap during the rotation),
//              or that is due by the calendar (rotate_every): a period
//              began after its last rotation, it holds at least min_size
//              bytes, and it is not empty (unless rotate_empty); with
//              method truncate, more than one 4K block. Its last
//              rotation is the time of its newest archive (the name's time;
//              numbered naming: the later of its mtime and ctime, which a
//              rotation's rename sets), else its entry in
//              snapshot.first_seen, else unknown (never due by the
//              calendar). However many periods passed, that is one rotation;
//              target is the live path. The archive it becomes is named in the
//              reason and is RotationArchiveName(rule, live, plan.now, names):
//              the executor recomputes it from the archive directory's names at
//              execution time (the same unless the directory changed).
//   "compress" an uncompressed archive, when compress != none.
//   "delete"   rotated files, oldest first, until every limit holds: total
//              live + rotated + transient bytes (BudgetTransient: the temp
//              of the compression at work, the carries) <= max_total_size
//              (a planned
//              rotation's bytes count as still present), where the total
//              also reserves, when max_file_size is set, what can appear
//              before the next plan (BudgetReserve below), age <= max_age,
//              count per live file <= keep (a planned rotation counts as one
//              more). Never a file younger than min_age (the floor wins, with
//              a warning when a limit cannot be met because of it), never a
//              live file. When the budget cannot be met, plan.alerts
//              ["budget"] says why (BudgetNotMet, in IEC units; the warning
//              says the same in the config's units).
// An archive queued for compression (snapshot.compressing) gets no
// "compress" action and may still be deleted, oldest first like any other
// (the executor withdraws or abandons its compression first); the temp of
// the compression at work (compressing_now) is not cleaned up but counted.
// An archive's time is the timestamp in its name (timestamp naming) or its
// mtime (numbered naming). With numbered naming a rotation renames every
// archive of that live file from N to N+1 first, so a later compress or
// delete of one of them targets its N+1 name (same identity in `expected`).
// An archive both expired and uncompressed is deleted, not compressed.
//
// Plan::scope counts the rotated files considered (temps and compressed
// twins' leftovers excluded); Plan::kept is what stays of them and the
// oldest time among them (the report compares its age with max_age).
//
// Cleanup assumes no write of this policy is in progress while the snapshot
// is taken (one run of a policy at a time). Pure, thread-safe.
#pragma once

#include <map>
#include <set>
#include <string>
#include <vector>

#include "base/clock.h"
#include "core/policy.h"
#include "core/size_watcher.h"
#include "kinds/logs/logs_naming.h"
#include "kinds/logs/logs_rule.h"
#include "os/filesystem.h"

namespace retention {

struct LogsEntry {
  std::string dir;  // absolute
  std::string name;
  FileInfo info;

  std::string path() const;  // JoinPath(dir, name)
};

struct LogSetSnapshot {
  std::vector<LogsEntry> live;  // live files matched by paths (IsLiveFile)
  // Rotated files found for them (in archive_dir or beside; ArchiveOfSet),
  // including uncompressed in-flight ones and *.rtd-tmp temps.
  std::vector<LogsEntry> archives;
  uint64_t free_bytes = 0;  // optional info
  // Live files (by path) to rotate under their cap, from this size on,
  // because their writer would push them past it during the rotation.
  std::map<std::string, EarlyCrossing> early;
  // Live files (by path) with no archive: when the policy first saw them,
  // which calendar rotation counts as their last rotation (as logrotate's
  // state file does for a log it meets for the first time).
  std::map<std::string, WallTime> first_seen;
  // Archives (by path) handed to the compressor and not done yet, and the
  // one of them it works on now ("" if none).
  std::set<std::string> compressing;
  std::string compressing_now;
  // The carries of truncate rotations beside the live files (CarryName:
  // the fragment of a line the next archive opens with), in bytes.
  uint64_t carry_bytes = 0;
};

// Whether `e` is the archive the compressor works on now, or its temp
// ("ARCHIVE.zst.rtd-tmp"): its path begins with snapshot.compressing_now.
bool InFlight(const LogSetSnapshot& snapshot, const LogsEntry& e);

// The bytes max_total_size keeps free for what can appear on disk before
// the next plan, so that the budget holds at every instant, not only after
// the run: with max_file_size set, each live file's growth up to the cap
// (from empty after a rotation planned now), the head copy of one truncate
// rotation in flight (the archive exists before the head is cut off), and
// one compression in flight (its output grows beside its source, up to the
// source's size for incompressible lines). 0 without max_file_size.
uint64_t BudgetReserve(const LogsRule& rule, const LogSetSnapshot& snapshot);

// The bytes of the set that are neither a live file nor an archive, which
// the budget counts all the same: the temp of the compression at work (its
// output, growing) and the carries (snapshot.carry_bytes).
uint64_t BudgetTransient(const LogsRule& rule, const LogSetSnapshot& snapshot);

// Why a set holds more than max_total_size after its planned deletions:
// the rotated files left are younger than min_age; holds took planned
// deletions back; or every rotated file goes and the live files alone (with
// what they may add) exceed it.
enum class BudgetCause { kFloored, kHeld, kLiveAlone };

// "max_total_size 5.0 KiB not met: the set holds 8.9 KiB; ..." for a set
// left with `total` bytes + `reserve` (BudgetReserve), sizes written by
// `size` (FormatSize for the log's warning, HumanBytes for the alert).
std::string BudgetNotMet(const LogsRule& rule, uint64_t total,
                         uint64_t reserve, BudgetCause why,
                         std::string (*size)(uint64_t));

Plan PlanLogs(const LogsRule& rule, const LogSetSnapshot& snapshot,
              WallTime now);

// The name (no directory) the live file `live` gets when rotated at `now`
// under rule.naming: LIVE-STAMP with FreeSeq over `archive_dir_names`
// (timestamp naming), or LIVE.1 (numbered). Always uncompressed: the
// rotation writes the in-flight archive, compression follows.
std::string RotationArchiveName(
    const LogsRule& rule, const std::string& live, WallTime now,
    const std::vector<std::string>& archive_dir_names);

}  // namespace retention
