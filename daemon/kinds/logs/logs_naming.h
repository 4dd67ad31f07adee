// Archive names of the [logs.NAME] kind: how a rotated file is named, and
// how a name found on disk is recognised as an archive of a live file.
//
// Timestamp naming (the default): LIVE-YYYYMMDDTHHMMSSZ (UTC, the second of
// the rotation), then `_NNNN` (N >= 2, four digits) when N rotations share
// that second, then the compression suffix:
//   access.log-20261123T173430Z          uncompressed (in flight, or none)
//   access.log-20261123T173430Z.zst      compressed
//   access.log-20261123T173430Z_0002.zst the second rotation of that second
// These names are never renamed again (compression writes a new file and
// removes the uncompressed one). Byte order of the names (`LC_ALL=C ls`) is
// time order: the stamp has a fixed width, '_' sorts after '.', and the
// seq is zero-padded (past 9,999 rotations in one second only ArchiveOlder
// orders them). Names of earlier versions, `STAMP.N`, are still read.
//
// Numbered naming, as logrotate: LIVE.N plus the suffix (access.log.1,
// access.log.2.gz); 1 is the newest and each rotation shifts every number
// up by one.
//
// Temporary files (compression output, a new live file being prepared) are
// the final name plus ".rtd-tmp"; a rotation's head copy is the archive's
// name, a random token and ".rtd-tmp" (access.log.1.qzkfmwpxbtra.rtd-tmp).
// A name with that suffix is never a complete file, so recovery deletes it.
//
// Pure functions, thread-safe.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "base/clock.h"
#include "kinds/logs/logs_rule.h"

namespace retention {

inline constexpr char kTempSuffix[] = ".rtd-tmp";

struct ArchiveName {
  std::string live;  // the live file's name (no directory)
  WallTime time{};   // timestamp naming: the rotation, to the second
  int seq = 0;       // timestamp naming: 0 for the first of its second,
                     // N >= 2 for the Nth (".N")
  int number = 0;    // numbered naming: 1 = newest
  Compression compression = Compression::kNone;
  bool temp = false;  // ends in .rtd-tmp: never a complete archive
};

// Timestamp naming. `t` is truncated to the second; a `seq` below 2 adds no
// ".N". Precondition: `t` lies in the years 1970..9999.
std::string FormatArchiveName(const std::string& live, WallTime t, int seq,
                              Compression c);
// Numbered naming. Precondition: number >= 1.
std::string FormatNumberedName(const std::string& live, int number,
                               Compression c);
// The complete name `a` stands for under `naming` (without .rtd-tmp even
// when a.temp): the inverse of ParseArchiveName.
std::string FormatName(const ArchiveName& a, ArchiveNaming naming);

// `name` as an archive (or the temp of one) of the live file `live` under
// `naming`; nullopt when it is not one: another file, another live file's
// archive, or a non-canonical spelling retentiond never writes (".1" or
// ".02" as a seq, "access.log.0", "access.log.01").
std::optional<ArchiveName> ParseArchiveName(const std::string& live,
                                            const std::string& name,
                                            ArchiveNaming naming);
// The same without knowing the live file: `live` is derived from the name
// (everything before the timestamp or the number).
std::optional<ArchiveName> ParseAnyArchiveName(const std::string& name,
                                               ArchiveNaming naming);

// final_name + ".rtd-tmp".
std::string TempNameFor(const std::string& final_name);
bool IsTempName(const std::string& name);

// True when `a` was rotated before `b` (both archives of one live file,
// parsed under the same naming): by (time, seq) for timestamp names, by
// the higher number for numbered names.
bool ArchiveOlder(const ArchiveName& a, const ArchiveName& b);

// The seq for a new timestamp-named archive of `live` rotated at `t`, given
// the names in its archive directory: 0 if no archive of that second exists
// (in any compression), else one past the highest in use (at least 2).
// Temps are not counted: a plan removes them before it rotates, so the
// planner and the executor (listing after that cleanup) agree on the name.
int FreeSeq(const std::string& live, WallTime t,
            const std::vector<std::string>& names);

}  // namespace retention
