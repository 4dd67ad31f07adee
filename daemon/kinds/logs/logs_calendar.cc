#include "kinds/logs/logs_calendar.h"

#include <algorithm>

#include "kinds/logs/logs_set.h"

namespace retention {
namespace {

// Method truncate moves whole blocks and leaves at least one byte behind
// (log_rotation.h): a file of one block or less would move nothing.
constexpr uint64_t kTruncateBlock = 4096;

}  // namespace

std::optional<WallTime> LastRotation(const LogsRule& rule,
                                     const LogSetSnapshot& snapshot,
                                     const LogsEntry& live) {
  const std::string dir = ArchiveDirFor(rule, live.dir);
  std::optional<WallTime> last;
  for (const LogsEntry& a : snapshot.archives) {
    if (a.dir != dir) continue;
    auto name = ArchiveOfSet(rule, a.dir, a.name);
    if (!name || name->temp || name->live != live.name) continue;
    // A numbered archive's name has no time, and its mtime is the last
    // write, possibly long before the rotation renamed it (ctime).
    const WallTime t = rule.naming == ArchiveNaming::kNumbered
                           ? std::max(a.info.mtime, a.info.ctime)
                           : name->time;
    if (!last || t > *last) last = t;
  }
  if (last) return last;
  auto seen = snapshot.first_seen.find(live.path());
  if (seen == snapshot.first_seen.end()) return std::nullopt;
  return seen->second;
}

std::string CalendarRotationReason(const LogsRule& rule,
                                   const LogSetSnapshot& snapshot,
                                   const LogsEntry& live, WallTime now) {
  if (!rule.rotate_every) return "";
  const RotationPeriod& period = *rule.rotate_every;
  auto last = LastRotation(rule, snapshot, live);
  if (!last || !CalendarDue(period, *last, now)) return "";
  if (live.info.size == 0 && !rule.rotate_empty) return "";
  if (live.info.size < rule.min_size) return "";
  if (rule.method == RotateMethod::kTruncate &&
      live.info.size <= kTruncateBlock) {
    return "";
  }
  return PeriodName(period) + " rotation (period began " +
         FormatPeriodTime(period, PeriodStart(period, now)) + ")";
}

}  // namespace retention
