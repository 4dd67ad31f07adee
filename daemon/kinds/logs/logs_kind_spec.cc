// LogsKindSpec (logs_rule.h): the keys of [logs.NAME] and the checks that
// span them. Each check reports at the line of the key it is about, or at
// the section header when no single key is at fault.
#include <algorithm>
#include <cctype>
#include <set>

#include "core/delete_brake.h"
#include "core/lateness.h"
#include "kinds/logs/logs_rule.h"
#include "os/groups.h"
#include "os/users.h"

namespace retention {
namespace {

using Errors = std::vector<ConfigError>;

constexpr uint64_t kMinFileSize = 4096;  // one filesystem block
constexpr const char* kReopenOnly[] = {"reopen_signal",  "pid_file",
                                       "reopen_command", "create_mode",
                                       "create_owner",   "create_group"};

void CheckLimits(const Section& s, Errors* errors) {
  const uint64_t file = s.GetSize("max_file_size");
  const uint64_t total = s.GetSize("max_total_size");
  const int64_t keep = s.GetInt("keep");
  if (file == 0 && total == 0 && s.GetDuration("max_age") == Duration::zero() &&
      keep == 0 && !s.Has("rotate_every")) {
    AddKeyError(s, "",
                "sets no limit, so it would do nothing: set at least one of "
                "max_file_size, rotate_every, max_total_size, max_age, keep",
                errors);
  }
  if (file > 0 && file < kMinFileSize) {
    AddKeyError(s, "max_file_size", "must be at least 4K (one block) or 0",
                errors);
  }
  if (file > 0 && total > 0 && file > total) {
    AddKeyError(s, "max_file_size", "larger than max_total_size", errors);
  }
  if (keep < 0) AddKeyError(s, "keep", "must be 0 (unlimited) or more", errors);
  RequirePositiveDurations(s, {"every", "command_timeout"}, errors);
}

void CheckCompression(const Section& s, Errors* errors) {
  if (!s.Has("compress_level")) return;
  const std::string& compress = s.GetString("compress");
  const int64_t level = s.GetInt("compress_level");
  if (compress == "none") {
    AddKeyError(s, "compress_level", "set, but compress = none", errors);
  } else if (compress == "zstd" && (level < 1 || level > 19)) {
    AddKeyError(s, "compress_level", "zstd levels are 1 to 19", errors);
  } else if (compress == "gzip" && (level < 1 || level > 9)) {
    AddKeyError(s, "compress_level", "gzip levels are 1 to 9", errors);
  }
}

void CheckReopen(const Section& s, Errors* errors) {
  const bool reopen = s.GetString("method") == "reopen";
  if (!reopen) {
    for (const char* key : kReopenOnly) {
      if (s.Has(key))
        AddKeyError(s, key, "applies only to method = reopen", errors);
    }
    return;
  }
  const bool signal = s.Has("reopen_signal"), pid = s.Has("pid_file");
  const bool command = s.Has("reopen_command");
  if (command && (signal || pid)) {
    AddKeyError(
        s, "reopen_command",
        "set either reopen_signal with pid_file, or reopen_command, not both",
        errors);
  } else if (!command && !signal && !pid) {
    AddKeyError(
        s, "method",
        "method = reopen needs reopen_signal and pid_file, or reopen_command",
        errors);
  } else if (signal != pid) {
    AddKeyError(s, signal ? "reopen_signal" : "pid_file",
                signal ? "needs pid_file (whom to signal)"
                       : "needs reopen_signal (what to send)",
                errors);
  }
}

void CheckReopenValues(const Section& s, Errors* errors) {
  if (s.Has("reopen_signal")) {
    auto signal = ParseSignalName(s.GetString("reopen_signal"));
    if (!signal.ok())
      AddKeyError(s, "reopen_signal", signal.status().message(), errors);
  }
  RequireAbsoluteCommands(
      s, {"reopen_command", "pre_rotate_command", "post_rotate_command"},
      errors);
  if (s.Has("create_mode")) {
    auto mode = ParseFileMode(s.GetString("create_mode"));
    if (!mode.ok())
      AddKeyError(s, "create_mode", mode.status().message(), errors);
  }
}

void CheckOwnership(const Section& s, Errors* errors) {
  if (s.Has("create_owner")) {
    auto uid = ResolveUser(s.GetStringOrEmpty("create_owner"));
    if (!uid.ok()) {
      AddKeyError(s, "create_owner", uid.status().message(), errors);
    }
  }
  if (s.Has("create_group")) {
    auto gid = ResolveGroup(s.GetStringOrEmpty("create_group"));
    if (!gid.ok()) {
      AddKeyError(s, "create_group", gid.status().message(), errors);
    }
  }
}

void CheckPaths(const Section& s, Errors* errors) {
  std::set<std::string> names;
  const bool shared_dir = s.Has("archive_dir");
  for (const std::string& path : s.GetList("paths")) {
    const size_t slash = path.rfind('/');
    const std::string dir = path.substr(0, slash);
    const std::string name = path.substr(slash + 1);
    if (dir.find_first_of("*?[") != std::string::npos) {
      AddKeyError(
          s, "paths",
          path + ": glob characters (*?[) are allowed only in the file name",
          errors);
    } else if (name.empty() || name == "." || name == "..") {
      AddKeyError(s, "paths", path + ": not a file", errors);
    } else if (shared_dir && name.find_first_of("*?[") == std::string::npos &&
               !names.insert(name).second) {
      AddKeyError(s, "paths",
                  "two live files named " + name +
                      " would share archive names in archive_dir",
                  errors);
    }
  }
}

void CheckCalendar(const Section& s, Errors* errors) {
  if (!s.Has("rotate_every")) {
    // Defaults fill these keys in, so only a value other than the default
    // can have been meant for a calendar that is not there.
    const bool set[] = {s.GetString("rotate_timezone") != "UTC",
                        s.GetSize("min_size") != 0, s.GetBool("rotate_empty")};
    const char* keys[] = {"rotate_timezone", "min_size", "rotate_empty"};
    for (int i = 0; i < 3; ++i) {
      if (set[i]) {
        AddKeyError(s, keys[i],
                    "applies only with rotate_every (calendar rotation)",
                    errors);
      }
    }
    return;
  }
  auto period = ParseRotateEvery(s.GetString("rotate_every"));
  if (!period.ok()) {
    AddKeyError(s, "rotate_every", period.status().message(), errors);
  }
  auto zone = TimeZone::Parse(s.GetString("rotate_timezone"));
  if (!zone.ok()) {
    AddKeyError(s, "rotate_timezone", zone.status().message(), errors);
  }
}

void CheckSharedReopen(const Section& s, Errors* errors) {
  if (s.GetBool("shared_reopen") && s.GetString("method") != "reopen" &&
      !s.Has("post_rotate_command")) {
    AddKeyError(s, "shared_reopen",
                "shares the reopen of method = reopen or the "
                "post_rotate_command, and this policy has neither",
                errors);
  }
}

void Validate(const Section& s, Errors* errors) {
  CheckLimits(s, errors);
  CheckCalendar(s, errors);
  CheckCompression(s, errors);
  CheckReopen(s, errors);
  CheckReopenValues(s, errors);
  CheckSharedReopen(s, errors);
  CheckOwnership(s, errors);
  CheckPaths(s, errors);
  CheckDeleteBrakeKeys(s, errors);
  CheckLatenessKeys(s, errors);
}

}  // namespace

KindSpec LogsKindSpec() {
  KindSpec spec;
  spec.kind = "logs";
  spec.unit = "file";
  spec.keys = {
      {.name = "paths",
       .type = ValueType::kPathList,
       .required = true,
       .help = "live log files; globs only in the file name"},
      {.name = "max_file_size",
       .type = ValueType::kSize,
       .default_value = "0",
       .help = "rotate a live file at this size (0: never, else at least 4K)"},
      {.name = "max_total_size",
       .type = ValueType::kSize,
       .default_value = "0",
       .help = "budget for live + rotated + in-flight bytes (0: none)"},
      {.name = "max_age",
       .type = ValueType::kDuration,
       .default_value = "0",
       .help = "delete rotated files older than this (0: none)"},
      {.name = "rotate_every",
       .help = "also rotate at each hourly, daily, weekly (Monday), monthly "
               "or DURATION boundary"},
      {.name = "rotate_timezone",
       .default_value = "UTC",
       .help = "calendar of rotate_every: UTC or a fixed offset (+02:00)"},
      {.name = "min_size",
       .type = ValueType::kSize,
       .default_value = "0",
       .help = "no calendar rotation while the live file is smaller"},
      {.name = "rotate_empty",
       .type = ValueType::kBool,
       .default_value = "no",
       .help = "calendar rotation of an empty live file too"},
      {.name = "keep",
       .type = ValueType::kInt,
       .default_value = "0",
       .help = "rotated files kept per live file (0: unlimited)"},
      {.name = "min_age",
       .type = ValueType::kDuration,
       .default_value = "0",
       .help = "floor: never delete a rotated file younger"},
      {.name = "compress",
       .type = ValueType::kEnum,
       .default_value = "zstd",
       .choices = {"zstd", "gzip", "none"},
       .help = "compression of rotated files"},
      {.name = "compress_level",
       .type = ValueType::kInt,
       .help = "zstd 1-19 (default 3), gzip 1-9 (default 6)"},
      {.name = "method",
       .type = ValueType::kEnum,
       .default_value = "truncate",
       .choices = {"reopen", "truncate"},
       .help = "how the live file is rotated"},
      {.name = "reopen_signal",
       .help = "reopen: signal sent to the writer (USR1, HUP, ...)"},
      {.name = "pid_file",
       .type = ValueType::kPath,
       .help = "reopen: file holding the writer's process id",
       .path_use = PathUse::kReadsOnly},
      {.name = "reopen_command",
       .help = "reopen: command run (without a shell) instead of a signal"},
      {.name = "pre_rotate_command",
       .help = "command (argv, no shell) run before a rotation; if it "
               "fails, the file is not rotated"},
      {.name = "post_rotate_command",
       .help = "command (argv, no shell) run after a rotation (after the "
               "reopen)"},
      {.name = "command_timeout",
       .type = ValueType::kDuration,
       .default_value = "30s",
       .help = "reopen, pre and post commands still running after this "
               "are killed"},
      {.name = "shared_reopen",
       .type = ValueType::kBool,
       .default_value = "no",
       .help = "one reopen and one post command after rotating every file "
               "of the set, not one per file"},
      {.name = "create_mode",
       .help =
           "reopen: octal mode of the new live file (default: the old one's)"},
      {.name = "create_owner",
       .help = "reopen: owner of the new live file (default: the old one's)"},
      {.name = "create_group",
       .help = "reopen: group of the new live file (default: the old one's)"},
      {.name = "naming",
       .type = ValueType::kEnum,
       .default_value = "timestamp",
       .choices = {"timestamp", "numbered"},
       .help = "archive names: LIVE-YYYYMMDDTHHMMSSZ or LIVE.N"},
      {.name = "archive_dir",
       .type = ValueType::kPath,
       .help = "where rotated files go (default: beside the live file)",
       .path_use = PathUse::kWritesIn},
      {.name = "every",
       .type = ValueType::kDuration,
       .default_value = "1m",
       .help = "how often the set is checked"},
  };
  AddDeleteBrakeKeys(&spec);
  AddLatenessKeys(&spec);
  spec.validate = Validate;
  return spec;
}

}  // namespace retention
