#include "kinds/logs/logs_rule.h"

#include <algorithm>
#include <cctype>

#include "config/config_value.h"

namespace retention {
namespace {

Compression CompressionFromName(const std::string& name) {
  if (name == "gzip") return Compression::kGzip;
  if (name == "none") return Compression::kNone;
  return Compression::kZstd;
}

}  // namespace

StatusOr<uint32_t> ParseFileMode(std::string_view text) {
  const bool octal = !text.empty() && text.size() <= 5 &&
                     std::all_of(text.begin(), text.end(),
                                 [](char c) { return c >= '0' && c <= '7'; });
  uint32_t mode = 0;
  for (char c : octal ? text : std::string_view()) mode = mode * 8 + (c - '0');
  if (!octal || mode > 07777) {
    return Status::InvalidArgument("bad mode '" + std::string(text) +
                                   "': expected octal permission bits such "
                                   "as 0640, at most 07777");
  }
  return mode;
}

std::vector<std::string> ReopenArgv(const LogsRule& rule) {
  return SplitWords(rule.reopen_command);
}

LogsRule LogsRuleFromSection(const Section& s) {
  LogsRule r;
  r.policy = s.id();
  r.paths = s.GetList("paths");
  r.max_file_size = s.GetSize("max_file_size");
  r.max_total_size = s.GetSize("max_total_size");
  r.max_age = s.GetDuration("max_age");
  r.keep = static_cast<uint64_t>(std::max<int64_t>(0, s.GetInt("keep")));
  r.min_age = s.GetDuration("min_age");
  r.compress = CompressionFromName(s.GetString("compress"));
  r.compress_level = s.Has("compress_level")
                         ? static_cast<int>(s.GetInt("compress_level"))
                         : DefaultCompressLevel(r.compress);
  r.method = s.GetString("method") == "reopen" ? RotateMethod::kReopen
                                               : RotateMethod::kTruncate;
  if (s.Has("reopen_signal")) {
    auto signal = ParseSignalName(s.GetString("reopen_signal"));
    r.reopen_signal = signal.ok() ? *signal : 0;
  }
  r.pid_file = s.GetStringOrEmpty("pid_file");
  r.reopen_command = s.GetStringOrEmpty("reopen_command");
  if (s.Has("create_mode")) {
    auto mode = ParseFileMode(s.GetString("create_mode"));
    if (mode.ok()) r.create_mode = *mode;
  }
  r.create_owner = s.GetStringOrEmpty("create_owner");
  r.create_group = s.GetStringOrEmpty("create_group");
  r.naming = s.GetString("naming") == "numbered" ? ArchiveNaming::kNumbered
                                                 : ArchiveNaming::kTimestamp;
  r.archive_dir = s.GetStringOrEmpty("archive_dir");
  r.every = s.GetDuration("every");
  if (s.Has("rotate_every")) {
    auto period = ParseRotateEvery(s.GetString("rotate_every"));
    auto zone = TimeZone::Parse(s.GetString("rotate_timezone"));
    if (period.ok()) {
      r.rotate_every = *period;
      if (zone.ok()) r.rotate_every->zone = *zone;
    }
  }
  r.min_size = s.GetSize("min_size");
  r.rotate_empty = s.GetBool("rotate_empty");
  r.pre_rotate_command = SplitWords(s.GetStringOrEmpty("pre_rotate_command"));
  r.post_rotate_command = SplitWords(s.GetStringOrEmpty("post_rotate_command"));
  r.command_timeout = s.GetDuration("command_timeout");
  r.shared_reopen = s.GetBool("shared_reopen");
  return r;
}

}  // namespace retention
