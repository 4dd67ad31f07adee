// LogsRule: what one [logs.NAME] section asks for, as a plain value. A log
// set is the live files `paths` match plus their rotated archives (in
// `archive_dir`, or beside each live file). The set is rotated at a byte cap
// (max_file_size) and/or at calendar period boundaries (rotate_every, in
// rotate_timezone's offset; skipped for files under min_size and, unless
// rotate_empty, for empty ones), and its archives are pruned to a byte budget
// over live + rotated + in-flight bytes (max_total_size), an age (max_age) and
// a count per live file (keep); the min_age floor wins over all three.
//
// LogsKindSpec() declares the kind's keys and checks the rules that span
// keys; LogsRuleFromSection() turns a validated section into a LogsRule.
// Everything here is pure and thread-safe.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "base/clock.h"
#include "base/status.h"
#include "compress/compression.h"
#include "config/config.h"
#include "config/kind_registry.h"
#include "kinds/logs/rotation_period.h"

namespace retention {

enum class RotateMethod { kReopen, kTruncate };
enum class ArchiveNaming { kTimestamp, kNumbered };

struct LogsRule {
  std::string policy;              // "logs.access"
  std::vector<std::string> paths;  // absolute; glob chars only in the last
                                   // component
  uint64_t max_file_size = 0;      // 0: no size trigger
  uint64_t max_total_size = 0;     // 0: no budget; live + rotated +
                                   // in-flight bytes of the set
  Duration max_age{};              // 0: none (older rotated files deleted)
  uint64_t keep = 0;   // 0: unlimited; max rotated files kept per live file
  Duration min_age{};  // floor: never delete a rotated file younger
  Compression compress = Compression::kZstd;
  int compress_level = 3;  // DefaultCompressLevel(compress) when not set
  RotateMethod method = RotateMethod::kTruncate;
  int reopen_signal = 0;  // e.g. SIGUSR1, from "USR1"/"SIGUSR1"/"HUP"
  std::string pid_file;   // with reopen_signal
  // Alternative to the signal. Run WITHOUT a shell: the words separated by
  // blanks are the argv (no quoting, no variables, no redirection); the
  // first word is an absolute path. See ReopenArgv().
  std::string reopen_command;
  std::optional<uint32_t> create_mode;     // new live file (reopen); default:
                                           // the old file's
  std::string create_owner, create_group;  // names or numeric ids; default:
                                           // the old file's
  ArchiveNaming naming = ArchiveNaming::kTimestamp;
  // Absolute; empty = beside the live file. Must be on the live file's
  // filesystem (checked at run time, not here).
  std::string archive_dir;
  Duration every{std::chrono::minutes(1)};  // periodic check / fallback
  // Calendar rotation (rotate_every + rotate_timezone); none when unset.
  std::optional<RotationPeriod> rotate_every;
  uint64_t min_size = 0;      // calendar rotation skipped below this size
  bool rotate_empty = false;  // calendar rotation of an empty live file
  // Commands around a rotation (logs_commands.cc), argv split like
  // reopen_command (no shell), run as the daemon's user within
  // command_timeout (which bounds reopen_command too). A failing pre
  // command leaves the file unrotated; empty: none.
  std::vector<std::string> pre_rotate_command, post_rotate_command;
  Duration command_timeout{std::chrono::seconds(30)};
  // After a run rotated several files of the set: one reopen (signal or
  // command) and one post command for all of them, not one per file.
  bool shared_reopen = false;
};

// The kind "logs": keys, defaults, help strings and the validator. The
// factory is left empty: the executor's registration sets it.
KindSpec LogsKindSpec();

// Precondition: `section` is a [logs.NAME] section that passed validation
// (LoadConfig with LogsKindSpec() registered).
LogsRule LogsRuleFromSection(const Section& section);

// "USR1", "SIGUSR1", "usr1", "HUP" -> the signal number. kInvalidArgument
// for unknown names and for KILL and STOP, which no writer can handle.
StatusOr<int> ParseSignalName(std::string_view name);

// "0640", "640" -> 0640. kInvalidArgument unless octal digits <= 07777.
StatusOr<uint32_t> ParseFileMode(std::string_view text);

// reopen_command split into argv (see LogsRule::reopen_command); empty when
// no command is configured.
std::vector<std::string> ReopenArgv(const LogsRule& rule);

}  // namespace retention
