#include "kinds/logs/logs_planner.h"

#include <algorithm>
#include <map>
#include <set>
#include <tuple>

#include "base/human_format.h"
#include "config/config_value.h"
#include "core/lateness.h"
#include "kinds/logs/logs_calendar.h"
#include "kinds/logs/logs_set.h"

namespace retention {
namespace {

using std::chrono::seconds;

struct Archive {
  const LogsEntry* entry = nullptr;
  ArchiveName name;
  WallTime time{};       // from the name (timestamp naming) or the mtime
  std::string group;     // archive dir + "/" + live name
  bool shifted = false;  // numbered: renamed N -> N+1 by a planned rotation
  bool queued = false;   // handed to the compressor already
  std::string why;       // non-empty: planned for deletion
};

bool Older(const Archive& a, const Archive& b) {
  return std::make_tuple(a.time, a.name.seq, -a.name.number, a.entry->path()) <
         std::make_tuple(b.time, b.name.seq, -b.name.number, b.entry->path());
}

std::string Ago(WallTime now, WallTime t) {
  return FormatDuration(std::chrono::duration_cast<seconds>(now - t)) + " ago";
}

Action MakeAction(Verb verb, std::string target, const FileInfo& info,
                  std::string reason) {
  Action a;
  a.verb = verb;
  a.target = std::move(target);
  a.bytes = info.size;
  a.reason = std::move(reason);
  a.expected = info;
  return a;
}

// One call of PlanLogs: scans the snapshot, marks, then assembles the plan.
class LogsPlanner {
 public:
  LogsPlanner(const LogsRule& rule, const LogSetSnapshot& snapshot,
              WallTime now)
      : rule_(rule), snapshot_(snapshot), now_(now) {}

  Plan Run();

 private:
  void ScanLive();
  void ScanArchives();
  void AddArchive(const LogsEntry& e, const ArchiveName& name);
  void DropCompressedTwins();
  void PlanRotations();
  void MarkAge();
  void MarkKeep();
  void MarkBudget();
  void Assemble();

  bool Floored(const Archive& a) const {
    return rule_.min_age > Duration::zero() && now_ - a.time <= rule_.min_age;
  }
  // The archive's path when its action runs (after any planned rotation).
  std::string TargetOf(const Archive& a) const;
  std::string Dated(const Archive& a) const;
  // The watcher's early rotation for `e`, if it applies at e's size.
  const EarlyCrossing* Early(const LogsEntry& e) const;
  std::string EarlyReason(const LogsEntry& e) const;
  uint64_t TotalBytes() const;

  const LogsRule& rule_;
  const LogSetSnapshot& snapshot_;
  const WallTime now_;
  Plan plan_;
  std::vector<const LogsEntry*> live_;  // regular live files, by path
  std::set<std::string> live_paths_;
  std::set<std::string> rotating_groups_;
  std::vector<Archive> archives_;  // oldest first once scanned
  std::vector<Action> cleanups_;
  std::vector<Action> rotations_;
  std::map<std::string, std::string> calendar_;  // live path -> reason
};

Plan LogsPlanner::Run() {
  plan_.policy = rule_.policy;
  plan_.now = now_;
  plan_.kept = Survivors{};
  ScanLive();
  ScanArchives();
  DropCompressedTwins();
  plan_.scope = archives_.size();
  PlanRotations();
  MarkAge();
  MarkKeep();
  MarkBudget();
  Assemble();
  return std::move(plan_);
}

void LogsPlanner::ScanLive() {
  for (const LogsEntry& e : snapshot_.live) {
    live_paths_.insert(e.path());
    if (e.info.type != FileType::kRegular) {
      plan_.warnings.push_back(e.path() +
                               ": not a regular file; never rotated");
      continue;
    }
    live_.push_back(&e);
    const bool by_size = rule_.max_file_size > 0 &&
                         (e.info.size >= rule_.max_file_size || Early(e));
    std::string calendar =
        by_size ? "" : CalendarRotationReason(rule_, snapshot_, e, now_);
    if (!calendar.empty()) calendar_[e.path()] = std::move(calendar);
    if (by_size || calendar_.count(e.path())) {
      rotating_groups_.insert(JoinPath(ArchiveDirFor(rule_, e.dir), e.name));
    }
  }
  std::sort(live_.begin(), live_.end(),
            [](const LogsEntry* a, const LogsEntry* b) {
              return a->path() < b->path();
            });
}

void LogsPlanner::ScanArchives() {
  for (const LogsEntry& e : snapshot_.archives) {
    if (live_paths_.count(e.path())) {
      plan_.warnings.push_back(e.path() +
                               ": a live file, listed as an archive; kept");
      continue;
    }
    auto name = ArchiveOfSet(rule_, e.dir, e.name);
    if (!name) {
      plan_.warnings.push_back(e.path() +
                               ": not an archive of this log set; ignored");
    } else if (e.info.type != FileType::kRegular) {
      plan_.warnings.push_back(e.path() +
                               ": not a regular file; never deleted");
    } else if (name->temp && InFlight(snapshot_, e)) {
      continue;  // the compressor's output: BudgetTransient counts it
    } else if (name->temp) {
      cleanups_.push_back(MakeAction(
          Verb::kCleanup, e.path(), e.info,
          "unfinished temporary file left by an interrupted rotation or "
          "compression; never a complete archive"));
    } else {
      AddArchive(e, *name);
    }
  }
  std::sort(archives_.begin(), archives_.end(), Older);
}

void LogsPlanner::AddArchive(const LogsEntry& e, const ArchiveName& name) {
  Archive a;
  a.entry = &e;
  a.name = name;
  a.time = ArchiveTime(rule_, name, e.info);
  a.group = JoinPath(e.dir, name.live);
  a.shifted = rule_.naming == ArchiveNaming::kNumbered &&
              rotating_groups_.count(a.group) != 0;
  a.queued = snapshot_.compressing.count(e.path()) != 0;
  archives_.push_back(std::move(a));
}

// Compression renames its output into place before removing the source; a
// stop in between leaves both. The compressed file is complete, so the
// uncompressed one is a leftover, not a second archive.
void LogsPlanner::DropCompressedTwins() {
  using Key = std::tuple<std::string, WallTime, int, int>;
  std::map<Key, std::string> compressed;
  for (const Archive& a : archives_) {
    if (a.name.compression == Compression::kNone) continue;
    compressed.emplace(Key{a.group, a.name.time, a.name.seq, a.name.number},
                       a.entry->name);
  }
  std::vector<Archive> kept;
  for (Archive& a : archives_) {
    auto twin =
        compressed.find(Key{a.group, a.name.time, a.name.seq, a.name.number});
    if (a.name.compression != Compression::kNone || twin == compressed.end()) {
      kept.push_back(std::move(a));
      continue;
    }
    cleanups_.push_back(MakeAction(
        Verb::kCleanup, a.entry->path(), a.entry->info,
        "already compressed as " + twin->second +
            "; an interrupted compression left the uncompressed copy"));
  }
  archives_ = std::move(kept);
}

std::string LogsPlanner::TargetOf(const Archive& a) const {
  if (!a.shifted) return a.entry->path();
  return JoinPath(
      a.entry->dir,
      FormatNumberedName(a.name.live, a.name.number + 1, a.name.compression));
}

const EarlyCrossing* LogsPlanner::Early(const LogsEntry& e) const {
  auto it = snapshot_.early.find(e.path());
  if (it == snapshot_.early.end() || e.info.size < it->second.size) {
    return nullptr;
  }
  return &it->second;
}

std::string LogsPlanner::EarlyReason(const LogsEntry& e) const {
  const EarlyCrossing& early = *Early(e);
  return "size " + FormatSize(e.info.size) + " is within " +
         FormatSize(early.lead) + " of max_file_size " +
         FormatSize(rule_.max_file_size) + ", what its writer adds (" +
         FormatSize(static_cast<uint64_t>(early.bytes_per_second)) +
         "/s) while a rotation runs: rotated before it passes the cap";
}

std::string LogsPlanner::Dated(const Archive& a) const {
  return (rule_.naming == ArchiveNaming::kNumbered ? "last written "
                                                   : "rotated ") +
         FormatIso8601(a.time) + ", " + Ago(now_, a.time);
}

uint64_t LogsPlanner::TotalBytes() const {
  uint64_t total = BudgetTransient(rule_, snapshot_);
  for (const LogsEntry* e : live_) total += e->info.size;
  for (const Archive& a : archives_) {
    if (a.why.empty()) total += a.entry->info.size;
  }
  return total;
}

void LogsPlanner::PlanRotations() {
  for (const LogsEntry* e : live_) {
    const std::string dir = ArchiveDirFor(rule_, e->dir);
    if (!rotating_groups_.count(JoinPath(dir, e->name))) continue;
    std::vector<std::string> names;
    for (const LogsEntry& a : snapshot_.archives) {
      if (a.dir == dir) names.push_back(a.name);
    }
    const std::string archive =
        JoinPath(dir, RotationArchiveName(rule_, e->name, now_, names));
    auto calendar = calendar_.find(e->path());
    std::string reason = calendar != calendar_.end() ? calendar->second
                         : e->info.size >= rule_.max_file_size
                             ? "size " + FormatSize(e->info.size) +
                                   " reached max_file_size " +
                                   FormatSize(rule_.max_file_size)
                             : EarlyReason(*e);
    reason += "; becomes " + archive + " (" +
              (rule_.method == RotateMethod::kReopen ? "reopen" : "truncate") +
              ")";
    if (rule_.naming == ArchiveNaming::kNumbered) {
      reason += "; older archives move up one number";
    }
    rotations_.push_back(
        MakeAction(Verb::kRotate, e->path(), e->info, std::move(reason)));
  }
}

void LogsPlanner::MarkAge() {
  if (rule_.max_age <= Duration::zero()) return;
  for (Archive& a : archives_) {
    if (now_ - a.time <= rule_.max_age || Floored(a)) continue;
    a.why = Dated(a) + ", past max_age " + FormatDuration(rule_.max_age) +
            LatenessSuffix(now_ - a.time - rule_.max_age);
  }
}

void LogsPlanner::MarkKeep() {
  if (rule_.keep == 0) return;
  std::map<std::string, std::vector<Archive*>> groups;
  for (Archive& a : archives_) {
    if (a.why.empty()) groups[a.group].push_back(&a);
  }
  for (auto& [group, list] : groups) {
    // Newest first (numbered names by number, whatever their mtimes say);
    // a planned rotation adds one more archive.
    std::stable_sort(list.begin(), list.end(),
                     [this](const Archive* a, const Archive* b) {
                       return rule_.naming == ArchiveNaming::kNumbered
                                  ? ArchiveOlder(b->name, a->name)
                                  : Older(*b, *a);
                     });
    const uint64_t extra = rotating_groups_.count(group);
    const uint64_t allowed = rule_.keep > extra ? rule_.keep - extra : 0;
    uint64_t floored = 0;
    for (uint64_t i = allowed; i < list.size(); ++i) {
      if (Floored(*list[i])) {
        ++floored;
        continue;
      }
      list[i]->why = Dated(*list[i]) + ", beyond keep " +
                     std::to_string(rule_.keep) + " for " + group +
                     (extra ? " (counting the rotation planned now)" : "");
    }
    if (floored > 0) {
      plan_.warnings.push_back("keep " + std::to_string(rule_.keep) +
                               " not met for " + group + ": " +
                               std::to_string(floored) +
                               " rotated files are younger than min_age " +
                               FormatDuration(rule_.min_age));
    }
  }
}

void LogsPlanner::MarkBudget() {
  const uint64_t budget = rule_.max_total_size;
  if (budget == 0) return;
  const uint64_t reserve = BudgetReserve(rule_, snapshot_);
  const std::string reserved =
      reserve == 0 ? "" : " + " + FormatSize(reserve) + " reserved";
  uint64_t total = TotalBytes();
  bool floored = false;
  for (Archive& a : archives_) {  // oldest first
    if (total + reserve <= budget) break;
    if (!a.why.empty()) continue;
    // Archives are in time order, so every later one is younger still.
    if (Floored(a)) {
      floored = true;
      break;
    }
    a.why = Dated(a) + ", the oldest left while the set holds " +
            FormatSize(total) + reserved + ", over max_total_size " +
            FormatSize(budget);
    total -= a.entry->info.size;
  }
  if (total + reserve <= budget) return;
  const BudgetCause why =
      floored ? BudgetCause::kFloored : BudgetCause::kLiveAlone;
  plan_.alerts["budget"] =
      BudgetNotMet(rule_, total, reserve, why, &HumanBytes);
  plan_.warnings.push_back(
      BudgetNotMet(rule_, total, reserve, why, &FormatSize));
}

void LogsPlanner::Assemble() {
  std::sort(
      cleanups_.begin(), cleanups_.end(),
      [](const Action& a, const Action& b) { return a.target < b.target; });
  std::vector<Action> compressions, deletions;
  Survivors& kept = *plan_.kept;
  for (const Archive& a : archives_) {  // oldest first
    const FileInfo& info = a.entry->info;
    if (!a.why.empty()) {
      deletions.push_back(MakeAction(Verb::kDelete, TargetOf(a), info, a.why));
      continue;
    }
    ++kept.count;
    kept.bytes += info.size;
    if (!kept.oldest || a.time < *kept.oldest) kept.oldest = a.time;
    if (rule_.compress == Compression::kNone || a.queued ||
        a.name.compression != Compression::kNone) {
      continue;
    }
    compressions.push_back(MakeAction(
        Verb::kCompress, TargetOf(a), info,
        Dated(a) + ", not yet compressed; " + CompressionName(rule_.compress) +
            " level " + std::to_string(rule_.compress_level) + " into " +
            TargetOf(a) + CompressionSuffix(rule_.compress)));
  }
  for (const LogsEntry* e : live_) kept.live_bytes += e->info.size;
  for (auto* list : {&cleanups_, &rotations_, &compressions, &deletions}) {
    for (Action& a : *list) plan_.actions.push_back(std::move(a));
  }
}

}  // namespace

std::string LogsEntry::path() const { return JoinPath(dir, name); }

Plan PlanLogs(const LogsRule& rule, const LogSetSnapshot& snapshot,
              WallTime now) {
  return LogsPlanner(rule, snapshot, now).Run();
}

}  // namespace retention
