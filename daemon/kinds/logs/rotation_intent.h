// RotationIntent: the record a log rotation keeps beside the live file LIVE,
// as `.LIVE.rtd-rotate`, from before its first change until after its last
// (protocol in log_rotation.h). It holds everything RecoverRotation needs to
// finish or undo the rotation exactly after a crash. This file only formats
// and parses it; the _posix files write, read and remove it. Pure functions;
// thread-safe.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "base/status.h"

namespace retention {

struct RotationIntent {
  // kPunch: a head holding a hole (a writer without O_APPEND) is copied
  // without it and punched out in place; the file keeps its size.
  enum class Method { kCollapse, kCopy, kRename, kPunch };
  Method method = Method::kCollapse;
  std::string archive;  // name of the archive in its directory
  // The archive's temp name, ArchiveTempName(archive, random token): one
  // nobody can plant in advance. Empty in intents written before it was
  // recorded (their temp was ArchiveTempName(archive)); see TempNameOf.
  std::string temp;
  uint64_t archive_dir_dev = 0;
  uint64_t archive_dir_ino = 0;
  uint64_t live_dev = 0;  // the live file being rotated
  uint64_t live_ino = 0;
  // kCollapse: the head length N and the physical addresses of the live
  // file's bytes 0 and N when the intent was written (kPunch: N only).
  uint64_t length = 0;
  uint64_t phys_head = 0;
  uint64_t phys_next = 0;
  // kCollapse, kPunch and kCopy: the length of the carry (CarryName) that opens the
  // archive, and (kCollapse) where the archive's copy of the live file ends:
  // one past the last '\n' before `length`, or `length` itself. The
  // fragment [cut, length) goes to the new carry. Intents written before
  // the carry have neither: carry 0, cut = length.
  uint64_t carry = 0;
  uint64_t cut = 0;
  // kRename: the new live file's mode and owner.
  uint32_t mode = 0;
  uint32_t uid = 0;
  uint32_t gid = 0;

  bool operator==(const RotationIntent&) const = default;
};

// "retentiond rotation intent 1\nmethod collapse\n...\nend\n". Precondition:
// `intent.archive` holds no '\n'.
std::string FormatIntent(const RotationIntent& intent);

// The inverse of FormatIntent. kCorruption if the text is incomplete (no
// final "end" line: the writer died before its fsync) or malformed.
StatusOr<RotationIntent> ParseIntent(std::string_view text);

// ".LIVE.rtd-rotate": the intent of the live file `live_name`.
std::string IntentName(const std::string& live_name);

// ".LIVE.rtd-carry": the bytes a truncate rotation cut off the live file
// `live_name` after its last whole line; the next archive starts with them.
std::string CarryName(const std::string& live_name);
// ".LIVE.rtd-carry.new": the next carry, until the cut makes it the carry.
std::string NewCarryName(const std::string& live_name);

// "ARCHIVE.rtd-tmp": where the archive was written before it was renamed,
// before the temp name got a random token.
std::string ArchiveTempName(const std::string& archive_name);
// "ARCHIVE.TOKEN.rtd-tmp": where the archive is written before it is
// renamed. Precondition: `token` is kTempTokenSize lowercase letters, so
// ParseArchiveName (logs_naming.h) knows it as the archive's temp.
inline constexpr size_t kTempTokenSize = 12;
std::string ArchiveTempName(const std::string& archive_name,
                            const std::string& token);
// The temp name `intent` used: its `temp`, else the old fixed name.
std::string TempNameOf(const RotationIntent& intent);

}  // namespace retention
