#include "logs_policy.h"

#include <spdlog/spdlog.h>

#include <algorithm>
#include <charconv>
#include <cstring>
#include <map>
#include <thread>

#include "compressor.h"
#include "config_value.h"
#include "delete_brake.h"
#include "fs_rules.h"
#include "groups.h"
#include "intent_recovery.h"
#include "kind_registry.h"
#include "ledger.h"
#include "ledger_context.h"
#include "log_rotation.h"
#include "logs_naming.h"
#include "logs_set.h"
#include "recorded_removal.h"
#include "users.h"

namespace retention {
namespace {

constexpr char kIntentSuffix[] = ".rtd-rotate";
constexpr auto kReopenCommandTimeout = std::chrono::seconds(30);
constexpr auto kLetGoPoll = std::chrono::milliseconds(250);

bool EndsWith(const std::string& s, std::string_view suffix) {
  return s.size() >= suffix.size() &&
         s.compare(s.size() - suffix.size(), suffix.size(), suffix) == 0;
}

std::string DirOf(const std::string& path) {
  const size_t slash = path.rfind('/');
  return slash == 0 ? "/" : path.substr(0, slash);
}

std::string NameOf(const std::string& path) {
  return path.substr(path.rfind('/') + 1);
}

// A user or group given by name or number.
template <typename Id>
StatusOr<Id> ResolveId(const std::string& text,
                       StatusOr<Id> (*lookup)(const std::string&)) {
  Id id{};
  auto [end, err] = std::from_chars(text.data(), text.data() + text.size(), id);
  if (err == std::errc() && end == text.data() + text.size()) return id;
  return lookup(text);
}

// "PATH: still open for writing (pid 12, 34); compressed ...": the pids
// are those /proc lets this process see, for the operator to look at.
std::string StillWritten(const std::string& path, const FileInfo& info) {
  std::string by;
  auto pids = VisibleWriters(info);
  // Naming the writers is best effort: the message stands without them.
  if (pids.ok() && !pids->empty()) {
    for (int pid : *pids) {
      by += (by.empty() ? " (pid " : ", ") + std::to_string(pid);
    }
    by += ")";
  }
  return path + ": still open for writing" + by +
         "; compressed after its size was stable for 30s";
}

}  // namespace

struct LogsPolicy::Task {
  std::string path;
  FileInfo info;
  bool wait_for_writer = false;
};

void RegisterLogsKind(KindRegistry* registry) {
  KindSpec spec = LogsKindSpec();
  spec.factory = [](const Section& s,
                    Services& services) -> StatusOr<std::unique_ptr<Policy>> {
    return std::unique_ptr<Policy>(new LogsPolicy(s, services));
  };
  registry->Register(std::move(spec));
}

LogsPolicy::LogsPolicy(const Section& section, Services& services)
    : rule_(LogsRuleFromSection(section)),
      brake_limit_(DeleteBrakeLimitOf(section)),
      services_(services),
      compressor_(std::make_unique<TaskThread>()) {
  if (rule_.method == RotateMethod::kTruncate && rule_.max_file_size > 0) {
    rotation_time_ns_ = std::make_shared<std::atomic<int64_t>>(
        static_cast<int64_t>(1e9 * static_cast<double>(rule_.max_file_size) /
                             kAssumedCopyRate));
  }
  create_.mode = rule_.create_mode;
  if (!rule_.create_owner.empty()) {
    auto uid = ResolveId<uid_t>(rule_.create_owner, &LookupUser);
    if (uid.ok()) {
      create_.uid = *uid;
    } else {
      create_problem_ = "create_owner: " + uid.status().message();
    }
  }
  if (!rule_.create_group.empty()) {
    auto gid = ResolveId<gid_t>(rule_.create_group, &LookupGroup);
    if (gid.ok()) {
      create_.gid = *gid;
    } else {
      create_problem_ = "create_group: " + gid.status().message();
    }
  }
}

LogsPolicy::~LogsPolicy() {
  stop_ = true;  // a compression in progress abandons (temp removed)
  compressor_->Stop();
}

std::vector<LogWatch> LogsPolicy::watches() const {
  std::vector<LogWatch> out;
  if (rule_.max_file_size == 0) return out;
  for (const std::string& path : rule_.paths) {
    out.push_back({rule_.policy, DirOf(path), {NameOf(path)},
                   rule_.max_file_size, rotation_time_ns_});
  }
  return out;
}

void LogsPolicy::RotateEarly(const EarlyRotation& early) {
  std::lock_guard<std::mutex> lock(mu_);
  early_[early.path] = {early, services_.clock.BootNow()};
}

void LogsPolicy::ForgetEarly(const std::string& path) {
  std::lock_guard<std::mutex> lock(mu_);
  early_.erase(path);
}

std::map<std::string, EarlyRotation> LogsPolicy::FreshEarly() {
  std::lock_guard<std::mutex> lock(mu_);
  const Duration now = services_.clock.BootNow();
  std::erase_if(early_, [&](const auto& entry) {
    return now - entry.second.second > kEarlyValidity;
  });
  std::map<std::string, EarlyRotation> out;
  for (const auto& [path, entry] : early_) out[path] = entry.first;
  return out;
}

void LogsPolicy::LearnRotationTime(Duration copy_time, uint64_t bytes) {
  if (bytes == 0 || !rotation_time_ns_) return;
  // Scaled to a head of max_file_size; each rotation weighs one half.
  const double scaled = static_cast<double>(copy_time.count()) *
                        static_cast<double>(rule_.max_file_size) /
                        static_cast<double>(bytes);
  const auto old = static_cast<double>(rotation_time_ns_->load());
  rotation_time_ns_->store(static_cast<int64_t>((old + scaled) / 2));
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
  Plan plan = PlanLogs(rule_, *snapshot, now);
  // Archives being compressed (and their temps) belong to the compression
  // thread until it is done; the next run sees how it ended.
  std::erase_if(plan.actions, [&](const Action& a) {
    if (Compressing(a.target)) return true;
    // A temp an interrupted rotation left is recovery's to finish.
    return a.verb == "cleanup" && intent_dirs.count(DirOf(a.target));
  });
  for (const std::string& dir : intent_dirs) {
    plan.warnings.push_back(dir +
                            ": an interrupted rotation is finished "
                            "first (recovery)");
  }
  plan.warnings.insert(plan.warnings.end(), warnings.begin(), warnings.end());
  if (!create_problem_.empty()) plan.warnings.push_back(create_problem_);
  return plan;
}

bool LogsPolicy::Compressing(const std::string& path) {
  std::lock_guard<std::mutex> lock(mu_);
  if (compressing_.count(path)) return true;
  for (const std::string& busy : compressing_) {
    if (path.rfind(busy, 0) == 0) return true;  // busy.zst.rtd-tmp
  }
  return false;
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
    out.push_back({rule_.policy, e, ArchiveTime(rule_, *name, e.info),
                   rule_.min_age});
  }
  return out;
}

void LogsPolicy::Recover(ExecContext& ctx, ExecResult* result) {
  Filesystem& fs = services_.fs;
  for (const LogsEntry& live : intents_) {
    auto live_dir = fs.OpenRoot(live.dir);
    auto archive_dir = fs.OpenRoot(ArchiveDirFor(rule_, live.dir));
    if (!live_dir.ok() || !archive_dir.ok()) continue;  // the plan says why
    auto done = RecoverRotation(**live_dir, live.name, **archive_dir);
    if (!done.ok()) {
      ++result->failed;
      result->errors.push_back(live.path() +
                               ": recovery: " + done.status().ToString());
      continue;
    }
    for (const std::string& message : *done) {
      Action a;
      a.verb = "recover";
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
  for (const Action& action : plan.actions) {
    if (ctx.stopping()) break;
    bool go_on = true;
    if (action.verb == "rotate") {
      // A failed rotation stops the run: later actions may name archives
      // as the rotation would have left them (numbered naming), and the
      // budget counted it. Deleting less is always safe.
      const uint64_t failed = result.failed;
      go_on = Rotate(action, plan.now, ctx, &result) && result.failed == failed;
    } else if (action.verb == "compress") {
      // Under reopen a writer may still hold an older archive.
      QueueCompression(action.target, action.expected,
                       rule_.method == RotateMethod::kReopen);
      ++result.done;
    } else {  // "cleanup", "delete"
      go_on = Remove(action, ctx, &result);
    }
    if (!go_on) break;
  }
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

Status LogsPolicy::ShiftNumbered(Dir& archive_dir, const std::string& live) {
  Filesystem& fs = services_.fs;
  auto names = fs.List(archive_dir);
  if (!names.ok()) return names.status();
  std::vector<std::pair<int, std::string>> numbered;
  for (const std::string& name : *names) {
    auto parsed = ParseArchiveName(live, name, ArchiveNaming::kNumbered);
    if (parsed && !parsed->temp && parsed->number > 0) {
      numbered.emplace_back(parsed->number, name);
    }
  }
  // Highest first, so no rename ever meets an existing name.
  std::sort(numbered.rbegin(), numbered.rend());
  for (const auto& [number, name] : numbered) {
    auto parsed = ParseArchiveName(live, name, ArchiveNaming::kNumbered);
    const std::string to =
        FormatNumberedName(live, number + 1, parsed->compression);
    RETENTION_RETURN_IF_ERROR(fs.RenameAt(archive_dir, name, archive_dir, to));
  }
  return fs.SyncDir(archive_dir);
}

void LogsPolicy::Notify(std::vector<std::string>* warnings) {
  Status st = Status::Ok();
  if (!rule_.reopen_command.empty()) {
    st = RunReopenCommand(rule_.reopen_command, kReopenCommandTimeout);
  } else if (rule_.reopen_signal != 0) {
    st = SignalWriter(rule_.pid_file, rule_.reopen_signal);
  }
  if (!st.ok()) {
    warnings->push_back("telling the writer to reopen: " + st.ToString() +
                        "; it keeps writing into the rotated file until it "
                        "reopens");
  }
}

bool LogsPolicy::Rotate(const Action& action, WallTime now, ExecContext& ctx,
                        ExecResult* result) {
  Filesystem& fs = services_.fs;
  const std::string live_dir_path = DirOf(action.target);
  const std::string live = NameOf(action.target);
  const std::string archive_dir_path = ArchiveDirFor(rule_, live_dir_path);
  auto live_dir = fs.OpenRoot(live_dir_path);
  auto archive_dir = fs.OpenRoot(archive_dir_path);
  auto fail = [&](const Status& st) {
    ++result->failed;
    result->errors.push_back(action.target + ": rotate: " + st.ToString());
    return st.code() != Status::Code::kUnsafe;
  };
  if (blocked_.count(action.target)) {
    return fail(Status::FailedPrecondition(
        "an interrupted rotation could not be resolved exactly"));
  }
  if (!live_dir.ok()) return fail(live_dir.status());
  if (!archive_dir.ok()) return fail(archive_dir.status());
  if (rule_.naming == ArchiveNaming::kNumbered) {
    WaitForCompressions();
    Status shifted = ShiftNumbered(**archive_dir, live);
    if (!shifted.ok()) return fail(shifted);
  }
  auto names = fs.List(**archive_dir);
  if (!names.ok()) return fail(names.status());
  const std::string archive = RotationArchiveName(rule_, live, now, *names);
  // How long the head took to copy and publish: the window in which the
  // writer keeps growing the live file (the collapse blocks it).
  const Duration started = services_.clock.BootNow();
  Duration published{};
  RotationStepHook hook = [&](RotationStep step) {
    if (step == RotationStep::kArchivePublished) {
      published = services_.clock.BootNow();
    }
  };
  // Write-ahead: a rotation cut short after its archive was published is
  // recorded by Resolve at the next run (the archive is there).
  Action intent = action;
  intent.target = JoinPath(archive_dir_path, archive);
  intent.count = 0;
  intent.expected = FileInfo{};
  std::vector<int64_t> ids;
  if (LedgerFailed(ctx.Intend(rule_.policy, {&intent}, &ids), result)) {
    return false;
  }
  StatusOr<RotationResult> rotated =
      rule_.method == RotateMethod::kTruncate
          ? RotateByCollapse(**live_dir, live, **archive_dir, archive,
                             action.expected, hook)
          : RotateByRename(**live_dir, live, **archive_dir, archive,
                           action.expected, create_);
  if (!rotated.ok()) {
    // Whatever a failed rotation left (a rotation intent file) is finished
    // by the next run's recovery, before it rotates again; its ledger
    // intent stays open for Resolve to tell whether the archive came to be.
    return fail(rotated.status());
  }
  ForgetEarly(action.target);
  if (rotated->lossless && published > started) {
    LearnRotationTime(published - started, rotated->bytes);
  }
  std::vector<std::string> warnings = rotated->warnings;
  if (rule_.method == RotateMethod::kReopen) Notify(&warnings);
  for (const std::string& w : warnings) WarnOnce(action.target + w, w);
  if (rotated->bytes == 0) {  // under one block: nothing moved
    return !LedgerFailed(ctx.Drop(ids.front()), result);
  }
  Action done = action;
  done.target = JoinPath(archive_dir_path, archive);
  done.bytes = rotated->bytes;
  done.count = 0;  // nothing is removed by a rotation
  done.reason = "rotated " + action.target + " at " +
                FormatSize(action.expected.size) + " (max_file_size " +
                FormatSize(rule_.max_file_size) + ")";
  if (!rotated->lossless) {
    done.reason += "; copy+truncate fallback, " +
                   std::to_string(rotated->bytes_at_risk) + " bytes at risk";
  }
  ++result->done;
  Status recorded = ctx.Done(ids.front(), rule_.policy, done);
  if (recorded.ok()) recorded = ctx.Flush();
  if (LedgerFailed(recorded, result)) return false;
  if (rule_.compress != Compression::kNone) {
    auto info = fs.StatAt(**archive_dir, archive);
    if (info.ok()) {
      QueueCompression(done.target, *info,
                       rule_.method == RotateMethod::kReopen);
    }
  }
  return true;
}

void LogsPolicy::WarnOnce(const std::string& key, const std::string& message) {
  {
    std::lock_guard<std::mutex> lock(mu_);
    if (!warned_.insert(key).second) return;
  }
  spdlog::warn("{}: {}", rule_.policy, message);
}

void LogsPolicy::QueueCompression(const std::string& path, const FileInfo& info,
                                  bool wait_for_writer) {
  {
    std::lock_guard<std::mutex> lock(mu_);
    if (!compressing_.insert(path).second) return;
    ++pending_;
  }
  compressor_->Post([this, task = Task{path, info, wait_for_writer}] {
    Compress(task);
    std::lock_guard<std::mutex> lock(mu_);
    compressing_.erase(task.path);
    --pending_;
    idle_.notify_all();
  });
}

void LogsPolicy::WaitForCompressions() {
  std::unique_lock<std::mutex> lock(mu_);
  idle_.wait(lock, [this] { return pending_ == 0; });
}

bool LogsPolicy::AwaitLetGo(Dir& dir, const std::string& name,
                            const std::string& path, FileInfo* info) {
  // Compress only once the writer let go: no process has the file open for
  // writing, or it stopped growing for kLetGoTimeout (a writer that never
  // reopens, or a filesystem where nobody can tell).
  Filesystem& fs = services_.fs;
  Duration stable{};
  while (!stop_) {
    auto writing = fs.IsOpenForWritingAt(dir, name, *info);
    if (writing.ok() && !*writing) return true;
    const Status::Code code = writing.status().code();
    if (code == Status::Code::kNotFound || code == Status::Code::kAborted) {
      return false;  // gone or replaced: the next run plans it again
    }
    if (!writing.ok()) {
      WarnOnce(path + "cannot-tell", path + ": " + writing.status().ToString() +
                                         "; compressed once its size is "
                                         "stable for 30s");
    }
    std::this_thread::sleep_for(kLetGoPoll);
    auto now = fs.StatAt(dir, name);
    if (!now.ok() || !now->SameIdentity(*info)) return false;
    stable = now->size == info->size ? stable + kLetGoPoll : Duration{};
    *info = *now;
    if (stable >= kLetGoTimeout) {
      if (writing.ok()) WarnOnce(path + "let-go", StillWritten(path, *info));
      return true;
    }
  }
  return false;
}

void LogsPolicy::Compress(const Task& task) {
  Filesystem& fs = services_.fs;
  auto dir = fs.OpenRoot(DirOf(task.path));
  if (!dir.ok()) return;  // the next run plans it again
  const std::string name = NameOf(task.path);
  FileInfo info = task.info;
  if (task.wait_for_writer && !AwaitLetGo(**dir, name, task.path, &info)) {
    return;
  }
  if (stop_) return;
  auto current = fs.StatAt(**dir, name);
  if (!current.ok() || !current->SameIdentity(info)) return;
  // Write-ahead, as for removals: the source is gone once it is compressed,
  // so the intent is durable first (a crash in between is resolved by
  // Resolve at the next run).
  const std::atomic<bool> never_stop{false};
  std::optional<LedgerContext> ctx;
  if (services_.ledger != nullptr) {
    ctx.emplace(services_.clock, *services_.ledger, never_stop);
  }
  Action intent;
  intent.verb = "compress";
  intent.target = task.path;
  intent.expected = *current;
  intent.bytes = current->size;
  intent.count = 0;
  intent.reason = std::string(CompressionName(rule_.compress)) + " level " +
                  std::to_string(rule_.compress_level);
  std::vector<int64_t> ids{0};
  if (ctx) {
    Status st = ctx->Intend(rule_.policy, {&intent}, &ids);
    if (!st.ok()) {
      spdlog::error("{}: ledger: {}; {} kept uncompressed", rule_.policy,
                    st.ToString(), task.path);
      return;
    }
  }
  auto done = CompressFile(fs, **dir, name, *current, rule_.compress,
                           rule_.compress_level, stop_);
  if (!done.ok()) {
    if (ctx) (void)ctx->Drop(ids[0]);  // committed by ~LedgerContext
    if (done.status().code() != Status::Code::kAborted) {
      spdlog::warn(
          "{}: compressing {}: {}; kept uncompressed, retried next "
          "run",
          rule_.policy, task.path, done.status().ToString());
    }
    return;
  }
  Action a = intent;
  a.target = task.path + CompressionSuffix(rule_.compress);
  a.bytes = done->in_bytes;
  a.reason += ": " + FormatSize(done->in_bytes) + " -> " +
              FormatSize(done->out_bytes);
  if (!ctx) {
    spdlog::info("{}: compress {} ({})", rule_.policy, a.target, a.reason);
    return;
  }
  Status st = ctx->Done(ids[0], rule_.policy, a);
  if (st.ok()) st = ctx->Flush();
  if (!st.ok()) {
    spdlog::error("{}: ledger: {}; recorded at the next run", rule_.policy,
                  st.ToString());
  }
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
  if (intent.verb == "rotate") return ResolveRotation(intent);
  if (intent.verb != "compress") {
    return ResolveFileIntent(services_.fs, intent);
  }
  {
    // A compression of this process still at work is not cut short; it
    // closes its intent itself.
    std::lock_guard<std::mutex> lock(mu_);
    if (compressing_.count(intent.target) > 0) return IntentFate::InFlight();
  }
  // The source is removed only after its archive is complete and synced:
  // source gone and archive there means it was performed.
  IntentFate source = ResolveFileIntent(services_.fs, intent);
  if (source.kind != IntentFate::Kind::kPerformed) return source;
  const std::string archive =
      intent.target + CompressionSuffix(rule_.compress);
  auto there = StatPath(services_.fs, archive);
  if (!there.ok()) return IntentFate::Unknown(there.status().ToString());
  if (!*there) {
    return IntentFate::NotPerformed(
        "neither the source nor its archive is there");
  }
  IntentFate fate = IntentFate::Performed(
      0, intent.bytes, "the source is gone and " + archive + " is there");
  fate.target = archive;
  return fate;
}

}  // namespace retention
