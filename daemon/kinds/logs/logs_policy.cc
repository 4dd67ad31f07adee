#include "kinds/logs/logs_policy.h"

#include <spdlog/spdlog.h>

#include <algorithm>
#include <charconv>
#include <cstring>
#include <map>
#include <thread>

#include "compress/compressor.h"
#include "config/config_value.h"
#include "config/kind_registry.h"
#include "core/delete_brake.h"
#include "core/intent_recovery.h"
#include "core/ledger.h"
#include "core/ledger_context.h"
#include "core/recorded_removal.h"
#include "kinds/logs/keep_free_policy.h"
#include "kinds/logs/log_rotator.h"
#include "kinds/logs/logs_naming.h"
#include "kinds/logs/logs_set.h"
#include "os/command.h"
#include "os/fs_rules.h"
#include "os/groups.h"
#include "os/users.h"

namespace retention {
namespace {

constexpr char kIntentSuffix[] = ".rtd-rotate";

bool EndsWith(const std::string& s, std::string_view suffix) {
  return s.size() >= suffix.size() &&
         s.compare(s.size() - suffix.size(), suffix.size(), suffix) == 0;
}

// The real rotator, made on first use and kept for the process's life: it
// holds no state between rotations.
LogRotator& PosixRotator() {
  static const std::unique_ptr<LogRotator> rotator = NewPosixLogRotator();
  return *rotator;
}

}  // namespace

void RegisterLogsKind(KindRegistry* registry, LogRotator* rotator) {
  KindSpec spec = LogsKindSpec();
  auto pool = std::make_shared<CompressionPool>();
  spec.factory = [rotator, pool](const Section& s, Services& services)
      -> StatusOr<std::unique_ptr<Policy>> {
    if (!services.run_command) services.run_command = RunCommand;
    return std::unique_ptr<Policy>(new LogsPolicy(
        s, services, rotator != nullptr ? *rotator : PosixRotator(), pool));
  };
  // Called with [daemon] at every build of the policies (start, reload).
  spec.add_policies = [pool](const Section& daemon, Services& services,
                             std::vector<std::shared_ptr<Policy>>* policies) {
    const int64_t threads = daemon.Has("compress_threads")
                                ? daemon.GetInt("compress_threads")
                                : 0;
    pool->SetThreads(threads > 0 ? static_cast<size_t>(threads)
                                 : CompressionPool::DefaultThreads());
    AddKeepFreePolicy(daemon, services, policies);
  };
  spec.rotates = true;
  registry->Register(std::move(spec));
}

LogsPolicy::LogsPolicy(const Section& section, Services& services,
                       LogRotator& rotator,
                       std::shared_ptr<CompressionPool> pool)
    : rule_(LogsRuleFromSection(section)),
      brake_limit_(DeleteBrakeLimitOf(section)),
      services_(services),
      rotator_(rotator),
      pool_(std::move(pool)) {
  if (rule_.max_file_size > 0) {
    const Duration assumed =
        rule_.method == RotateMethod::kTruncate
            ? Duration(static_cast<int64_t>(
                  1e9 * static_cast<double>(rule_.max_file_size) /
                  kAssumedCopyRate))
            : (Chases() ? kReopenLeadFactor : 1) * kAssumedReopenTime;
    rotation_time_ns_ = std::make_shared<std::atomic<int64_t>>(assumed.count());
    assumed_rotation_ns_ = assumed.count();
  }
  create_.mode = rule_.create_mode;
  if (!rule_.create_owner.empty()) {
    auto uid = ResolveUser(rule_.create_owner);
    if (uid.ok()) {
      create_.uid = *uid;
    } else {
      create_problem_ = "create_owner: " + uid.status().message();
    }
  }
  if (!rule_.create_group.empty()) {
    auto gid = ResolveGroup(rule_.create_group);
    if (gid.ok()) {
      create_.gid = *gid;
    } else {
      create_problem_ = "create_group: " + gid.status().message();
    }
  }
}

LogsPolicy::~LogsPolicy() {
  stop_ = true;  // a compression in progress abandons (temp removed)
  abort_compress_ = true;
  pool_->Withdraw(this);
}

std::vector<SizeWatch> LogsPolicy::watches() const {
  std::vector<SizeWatch> out;
  if (rule_.max_file_size == 0) return out;
  // Truncate chases its head to the cap (HeadChase): an early start costs
  // a longer wait, not a smaller archive, so it may start at a quarter of
  // the cap (a head written twice, by the writer and to its archive, can
  // take a second or more on a busy disk).
  const uint64_t max_lead = rule_.method == RotateMethod::kTruncate
                                ? rule_.max_file_size / 4 * 3
                                : 0;
  for (const std::string& path : rule_.paths) {
    out.push_back({rule_.policy,
                   SplitPath(path).dir,
                   {SplitPath(path).name},
                   rule_.max_file_size,
                   rotation_time_ns_,
                   max_lead});
  }
  return out;
}

void LogsPolicy::OnEarlyCrossing(const EarlyCrossing& early) {
  std::lock_guard<std::mutex> lock(mu_);
  const Duration now = services_.clock.BootNow();
  auto it = early_.find(early.path);
  // A notice repeated while the first waits for its run keeps the first
  // one's time: the writer has been adding since then (NoticedAt).
  if (it != early_.end() && now - it->second.second <= kEarlyValidity) {
    it->second.first = early;
    return;
  }
  early_[early.path] = {early, now};
}

std::optional<Duration> LogsPolicy::NoticedAt(const std::string& path) {
  std::lock_guard<std::mutex> lock(mu_);
  auto it = early_.find(path);
  if (it == early_.end()) return std::nullopt;
  return it->second.second;
}

double LogsPolicy::NoticedRate(const std::string& path) const {
  std::lock_guard<std::mutex> lock(mu_);
  auto it = early_.find(path);
  return it == early_.end() ? 0 : it->second.first.bytes_per_second;
}

void LogsPolicy::ForgetEarly(const std::string& path) {
  std::lock_guard<std::mutex> lock(mu_);
  early_.erase(path);
}

std::map<std::string, EarlyCrossing> LogsPolicy::FreshEarly() {
  std::lock_guard<std::mutex> lock(mu_);
  const Duration now = services_.clock.BootNow();
  std::erase_if(early_, [&](const auto& entry) {
    return now - entry.second.second > kEarlyValidity;
  });
  std::map<std::string, EarlyCrossing> out;
  for (const auto& [path, entry] : early_) out[path] = entry.first;
  return out;
}

StatusOr<LogSetSnapshot> LogsPolicy::Snapshot(
    std::vector<std::string>* warnings, std::vector<LogsEntry>* intents,
    std::set<std::string>* intent_dirs) {
  LogSetSnapshot snapshot;
  Filesystem& fs = services_.fs;
  for (const std::string& dir : SetDirectories(rule_)) {
    auto handle = fs.OpenRoot(dir);
    if (!handle.ok()) {
      // A log directory that does not exist yet has nothing to rotate.
      if (handle.status().IsNotFound()) {
        warnings->push_back(dir + ": does not exist");
        continue;
      }
      return handle.status();  // names the directory
    }
    auto names = fs.List(**handle);
    if (!names.ok()) return names.status();
    for (const std::string& name : *names) {
      if (name.size() > 1 && name[0] == '.' && EndsWith(name, kIntentSuffix)) {
        intent_dirs->insert(dir);
        intents->push_back(
            {dir, name.substr(1, name.size() - 1 - strlen(kIntentSuffix)),
             FileInfo{}});
        continue;
      }
      if (AddCarry(**handle, dir, name, &snapshot)) continue;
      const bool live = IsLiveFile(rule_, dir, name);
      if (!live && !ArchiveOfSet(rule_, dir, name)) continue;
      auto info = fs.StatAt(**handle, name);
      if (!info.ok()) {
        if (!info.status().IsNotFound()) {
          warnings->push_back(JoinPath(dir, name) + ": " +
                              info.status().ToString());
        }
        continue;
      }
      if (live) CountWritten(**handle, name, &*info);
      (live ? snapshot.live : snapshot.archives).push_back({dir, name, *info});
    }
  }
  return snapshot;
}

StatusOr<Plan> LogsPolicy::MakePlan(WallTime now) {
  std::vector<std::string> warnings;
  std::set<std::string> intent_dirs;
  intents_.clear();
  auto snapshot = Snapshot(&warnings, &intents_, &intent_dirs);
  if (!snapshot.ok()) return snapshot.status();
  snapshot->early = FreshEarly();
  {
    std::lock_guard<std::mutex> lock(mu_);
    snapshot->compressing = compressing_;
    snapshot->compressing_now = compressing_now_;
  }
  for (const LogsEntry& e : snapshot->live) first_seen_.emplace(e.path(), now);
  snapshot->first_seen = first_seen_;
  Plan plan = PlanLogs(rule_, *snapshot, now);
  budget_transient_ = BudgetTransient(rule_, *snapshot);
  budget_reserve_ = BudgetReserve(rule_, *snapshot);
  // Archives being compressed (and their temps) belong to the compression
  // thread until it is done; the next run sees how it ended. A queued one
  // the budget needs gone is deleted, its compression withdrawn (Execute).
  std::erase_if(plan.actions, [&](const Action& a) {
    if (a.verb != Verb::kDelete && Compressing(a.target)) return true;
    // A temp an interrupted rotation left is recovery's to finish.
    return a.verb == Verb::kCleanup &&
           intent_dirs.count(SplitPath(a.target).dir);
  });
  for (const std::string& dir : intent_dirs) {
    plan.warnings.push_back(dir +
                            ": an interrupted rotation is finished "
                            "first (recovery)");
  }
  for (const std::string& live : FindOwed(&warnings)) {
    plan.warnings.push_back(live +
                            ": the reopen and post_rotate_command of an "
                            "interrupted run are done first");
  }
  plan.warnings.insert(plan.warnings.end(), warnings.begin(), warnings.end());
  if (!create_problem_.empty()) plan.warnings.push_back(create_problem_);
  NoteSettled(plan, *snapshot);
  return plan;
}

StatusOr<std::vector<KeepFreeCandidate>> LogsPolicy::SettledArchives(
    std::vector<std::string>* warnings) {
  std::vector<LogsEntry> intents;
  std::set<std::string> intent_dirs;
  auto snapshot = Snapshot(warnings, &intents, &intent_dirs);
  if (!snapshot.ok()) return snapshot.status();
  // Archives of a live file whose rotation was interrupted are recovery's.
  std::set<std::string> recovering;
  for (const LogsEntry& live : intents) {
    recovering.insert(JoinPath(ArchiveDirFor(rule_, live.dir), live.name));
  }
  std::vector<KeepFreeCandidate> out;
  for (const LogsEntry& e : snapshot->archives) {
    auto name = ArchiveOfSet(rule_, e.dir, e.name);
    if (!name || name->temp || e.info.type != FileType::kRegular ||
        recovering.count(JoinPath(e.dir, name->live)) ||
        Compressing(e.path())) {
      continue;
    }
    out.push_back(
        {rule_.policy, e, ArchiveTime(rule_, *name, e.info), rule_.min_age});
  }
  return out;
}

void LogsPolicy::Recover(ExecContext& ctx, ExecResult* result) {
  Filesystem& fs = services_.fs;
  for (const LogsEntry& live : intents_) {
    auto live_dir = fs.OpenRoot(live.dir);
    auto archive_dir = fs.OpenRoot(ArchiveDirFor(rule_, live.dir));
    if (!live_dir.ok() || !archive_dir.ok()) continue;  // the plan says why
    auto done = rotator_.RecoverRotation(**live_dir, live.name, **archive_dir);
    if (!done.ok()) {
      ++result->failed;
      result->errors.push_back(live.path() +
                               ": recovery: " + done.status().ToString());
      continue;
    }
    for (const std::string& message : *done) {
      Action a;
      a.verb = Verb::kRecover;
      a.target = live.path();
      a.count = 0;
      a.reason = message;
      Record(ctx, a, result);
    }
    if (!done->empty() && rule_.method == RotateMethod::kReopen) {
      std::vector<std::string> warnings;
      Notify(&warnings);
      for (const std::string& w : warnings) result->errors.push_back(w);
    }
  }
}

ExecResult LogsPolicy::Execute(const Plan& plan, ExecContext& ctx) {
  ExecResult result;
  // What a crash or a failed rotation left is finished before anything
  // else (the planner left those files alone).
  Recover(ctx, &result);
  RunOwed(ctx, &result);
  NoteBudget(plan);
  deletions_left_.clear();
  deletions_stopped_ = false;
  for (const Action& action : plan.actions) {
    if (action.verb == Verb::kDelete) deletions_left_.push_back(&action);
  }
  for (const Action& action : plan.actions) {
    if (ctx.stopping()) break;
    bool go_on = true;
    if (action.verb == Verb::kRotate) {
      // A failed rotation stops the run: later actions may name archives
      // as the rotation would have left them (numbered naming), and the
      // budget counted it. Deleting less is always safe.
      const uint64_t failed = result.failed;
      go_on = RotateWithCommands(action, plan, ctx, &result) &&
              result.failed == failed && !deletions_stopped_;
    } else if (action.verb == Verb::kCompress) {
      // Under reopen a writer may still hold an older archive.
      QueueCompression(action.target, action.expected,
                       rule_.method == RotateMethod::kReopen);
      ++result.done;
    } else if (action.verb != Verb::kDelete || TakeDeletion(action)) {
      go_on = Delete(action, ctx, &result);
    }
    if (!go_on) break;
  }
  deletions_left_.clear();  // they point into `plan`
  FinishShared(&result);
  return result;
}

bool LogsPolicy::Record(ExecContext& ctx, const Action& action,
                        ExecResult* result) {
  return RecordOrStop(rule_.policy, action, ctx, result);
}

bool LogsPolicy::Remove(const Action& action, ExecContext& ctx,
                        ExecResult* result) {
  return RemoveRecordedPath(services_.fs, rule_.policy, action, ctx, result);
}

void LogsPolicy::WarnOnce(const std::string& key, const std::string& message) {
  {
    std::lock_guard<std::mutex> lock(mu_);
    if (!warned_.insert(key).second) return;
  }
  spdlog::warn("{}: {}", rule_.policy, message);
}

// A rotation happened when its archive was published: it is there, or
// (compressed meanwhile) its compressed archive is.
IntentFate LogsPolicy::ResolveRotation(const Intent& intent) {
  for (const std::string& path :
       {intent.target, intent.target + CompressionSuffix(rule_.compress)}) {
    auto there = StatPath(services_.fs, path);
    if (!there.ok()) return IntentFate::Unknown(there.status().ToString());
    if (*there) {
      return IntentFate::Performed(0, intent.bytes, path + " is there");
    }
  }
  return IntentFate::NotPerformed("its archive was never published");
}

IntentFate LogsPolicy::Resolve(const Intent& intent) {
  if (intent.verb == Verb::kRotate) return ResolveRotation(intent);
  if (intent.verb != Verb::kCompress) {
    return ResolveFileIntent(services_.fs, intent);
  }
  return ResolveCompression(intent);
}

}  // namespace retention
