// LogsPolicy's compression (logs_policy.h): archives are queued to the
// shared CompressionPool, which looks again every kLetGoPoll until the
// writer let go of each, then compresses it, recording the compression
// under its intent.
#include <spdlog/spdlog.h>

#include <algorithm>
#include <string>

#include "base/human_format.h"
#include "base/text_table.h"
#include "compress/compressor.h"
#include "core/intent_recovery.h"
#include "core/ledger.h"
#include "core/ledger_context.h"
#include "kinds/logs/log_rotator.h"
#include "kinds/logs/logs_naming.h"
#include "kinds/logs/logs_policy.h"
#include "os/fs_rules.h"

namespace retention {
namespace {

constexpr auto kLetGoPoll = std::chrono::milliseconds(250);

// "PATH: still open for writing (pid 12, 34); compressed ...": the pids
// are those /proc lets this process see, for the operator to look at.
std::string StillWritten(LogRotator& rotator, const std::string& path,
                         const FileInfo& info) {
  std::string by;
  auto pids = rotator.VisibleWriters(info);
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

// Removes the regular file at the absolute `path`, if it is there: the
// archive a compression cut short published without recording it.
Status RemoveUnrecordedArchive(Filesystem& fs, const std::string& path) {
  const PathParts parts = SplitPath(path);
  auto dir = fs.OpenRoot(parts.dir);
  if (!dir.ok()) {
    return dir.status().IsNotFound() ? Status::Ok() : dir.status();
  }
  auto info = fs.StatAt(**dir, parts.name);
  if (!info.ok()) {
    return info.status().IsNotFound() ? Status::Ok() : info.status();
  }
  if (info->type != FileType::kRegular) {
    return Status::Unsafe(path + ": not a regular file; left alone");
  }
  spdlog::warn("removing {}: a compression cut short left it unrecorded "
               "beside its source, which is compressed again",
               Printable(path));
  return fs.RemoveAt(**dir, parts.name, *info);
}

}  // namespace

bool LogsPolicy::Compressing(const std::string& path) {
  std::lock_guard<std::mutex> lock(mu_);
  if (compressing_.count(path)) return true;
  for (const std::string& busy : compressing_) {
    if (path.rfind(busy, 0) == 0) return true;  // busy.zst.rtd-tmp
  }
  return false;
}

void LogsPolicy::QueueCompression(const std::string& path, const FileInfo& info,
                                  bool wait_for_writer, bool announce) {
  const Task queued{path, info, wait_for_writer, announce};
  {
    std::lock_guard<std::mutex> lock(mu_);
    if (!compressing_.insert(path).second) {
      if (announce) AnnounceRotation(queued, std::nullopt);
      return;
    }
    ++pending_;
  }
  pool_->Post(this, [this, task = queued]() mutable -> std::optional<Duration> {
    bool cancelled = false;
    {
      std::lock_guard<std::mutex> lock(mu_);
      cancelled = cancelled_.erase(task.path) > 0;
      if (!cancelled) {
        compressing_now_ = task.path;
        abort_compress_ = stop_.load();
      }
    }
    std::optional<Duration> again;
    std::optional<uint64_t> compressed;
    if (!cancelled) again = Compress(task, &compressed);
    if (!again && task.announce) AnnounceRotation(task, compressed);
    std::lock_guard<std::mutex> lock(mu_);
    compressing_now_.clear();
    // Waiting for its writer, it stays queued: Compressing() says so, and
    // a CancelCompression meanwhile marks it cancelled_.
    if (again) return again;
    compressing_.erase(task.path);
    --pending_;
    idle_.notify_all();
    return std::nullopt;
  });
}

void LogsPolicy::CancelCompression(const std::string& path) {
  std::unique_lock<std::mutex> lock(mu_);
  if (!compressing_.count(path)) return;
  if (compressing_now_ != path) {
    cancelled_.insert(path);
    return;
  }
  abort_compress_ = true;
  idle_.wait(lock, [&] { return compressing_now_ != path; });
}

bool LogsPolicy::RemoveArchive(const Action& action, ExecContext& ctx,
                               ExecResult* result) {
  if (Compressing(action.target)) CancelCompression(action.target);
  Filesystem& fs = services_.fs;
  const PathParts parts = SplitPath(action.target);
  auto dir = fs.OpenRoot(parts.dir);
  if (!dir.ok()) return Remove(action, ctx, result);  // which says why
  const std::string out = parts.name + CompressionSuffix(rule_.compress);
  auto source = fs.StatAt(**dir, parts.name);
  auto compressed = fs.StatAt(**dir, out);
  const bool finished = !source.ok() &&
                        source.status().code() == Status::Code::kNotFound &&
                        compressed.ok() &&
                        compressed->type == FileType::kRegular;
  if (!finished) return Remove(action, ctx, result);
  Action moved = action;
  moved.target = JoinPath(parts.dir, out);
  moved.expected = *compressed;
  moved.bytes = compressed->size;
  moved.reason += "; compressed meanwhile into " + Printable(out);
  return Remove(moved, ctx, result);
}

void LogsPolicy::WaitForCompressions() {
  std::unique_lock<std::mutex> lock(mu_);
  idle_.wait(lock, [this] { return pending_ == 0; });
}

size_t LogsPolicy::Finish(Duration limit, const std::atomic<bool>& stop) {
  // Waits in slices on the compressor thread's signal, not on the policy's
  // clock (a fake clock in tests does not move by itself).
  constexpr auto kSlice = std::chrono::milliseconds(100);
  std::unique_lock<std::mutex> lock(mu_);
  for (Duration waited{}; pending_ > 0 && !stop && waited < limit;
       waited += kSlice) {
    idle_.wait_for(lock, kSlice);
  }
  return static_cast<size_t>(pending_);
}

LogsPolicy::LetGo LogsPolicy::AwaitLetGo(Dir& dir, const std::string& name,
                                          Task* task) {
  // Compress only once the writer let go: no process has the file open for
  // writing, or it stopped growing for kLetGoTimeout (a writer that never
  // reopens, or a filesystem where nobody can tell). The wait is the
  // pool's: between two looks the thread compresses other archives.
  Filesystem& fs = services_.fs;
  const std::string& path = task->path;
  if (abort_compress_) return LetGo::kGone;
  auto writing = rotator_.IsOpenForWriting(dir, name, task->info);
  if (writing.ok() && !*writing) return LetGo::kYes;
  const Status::Code code = writing.status().code();
  if (code == Status::Code::kNotFound || code == Status::Code::kAborted) {
    return LetGo::kGone;  // gone or replaced: the next run plans it again
  }
  if (!writing.ok()) {
    WarnOnce(path + "cannot-tell", path + ": " + writing.status().ToString() +
                                       "; compressed once its size is "
                                       "stable for 30s");
  }
  auto now = fs.StatAt(dir, name);
  if (!now.ok() || !now->SameIdentity(task->info)) return LetGo::kGone;
  // Each look is kLetGoPoll after the one before (the pool's delay).
  task->stable =
      now->size == task->info.size ? task->stable + kLetGoPoll : Duration{};
  task->info = *now;
  if (task->stable < kLetGoTimeout) return LetGo::kNotYet;
  if (writing.ok()) WarnOnce(path + "let-go", StillWritten(rotator_, path, *now));
  return LetGo::kYes;
}

std::optional<Duration> LogsPolicy::Compress(
    Task& task, std::optional<uint64_t>* compressed) {
  Filesystem& fs = services_.fs;
  auto dir = fs.OpenRoot(SplitPath(task.path).dir);
  if (!dir.ok()) return std::nullopt;  // the next run plans it again
  const std::string name = SplitPath(task.path).name;
  if (task.wait_for_writer) {
    const LetGo let_go = AwaitLetGo(**dir, name, &task);
    if (let_go == LetGo::kNotYet) return rotator_.AskAgainAfter(kLetGoPoll);
    if (let_go == LetGo::kGone) return std::nullopt;
  }
  if (abort_compress_) return std::nullopt;
  auto current = fs.StatAt(**dir, name);
  if (!current.ok() || !current->SameIdentity(task.info)) return std::nullopt;
  // Write-ahead, as for removals: the source is gone once it is compressed,
  // so the intent is durable first (a crash in between is resolved by
  // Resolve at the next run).
  const std::atomic<bool> never_stop{false};
  std::optional<LedgerContext> ctx;
  if (services_.ledger != nullptr) {
    ctx.emplace(services_.clock, *services_.ledger, never_stop);
  }
  Action intent;
  intent.verb = Verb::kCompress;
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
      return std::nullopt;
    }
  }
  auto done = CompressFile(fs, **dir, name, *current, rule_.compress,
                           rule_.compress_level, abort_compress_);
  if (!done.ok()) {
    if (ctx) (void)ctx->Drop(ids[0]);  // committed by ~LedgerContext
    if (done.status().code() != Status::Code::kAborted) {
      spdlog::warn(
          "{}: compressing {}: {}; kept uncompressed, retried next "
          "run",
          rule_.policy, task.path, done.status().ToString());
    }
    return std::nullopt;
  }
  Action a = intent;
  a.target = task.path + CompressionSuffix(rule_.compress);
  a.bytes = done->in_bytes;
  a.reason +=
      ": " + FormatSize(done->in_bytes) + " -> " + FormatSize(done->out_bytes);
  if (!ctx) {
    spdlog::debug("{}: compress {} ({})", rule_.policy, a.target, a.reason);
    *compressed = done->out_bytes;
    return std::nullopt;
  }
  Status st = ctx->Done(ids[0], rule_.policy, a);
  if (st.ok()) st = ctx->Flush();
  if (!st.ok()) {
    spdlog::error("{}: ledger: {}; recorded at the next run", rule_.policy,
                  st.ToString());
  }
  *compressed = done->out_bytes;
  return std::nullopt;
}

void LogsPolicy::AnnounceRotation(const Task& task,
                                  std::optional<uint64_t> compressed) {
  const std::string name = Printable(SplitPath(task.path).name);
  const std::string size = HumanBytes(task.info.size);
  if (!compressed) {
    spdlog::info("{}: rotated {} ({})", rule_.policy, name, size);
    return;
  }
  // ".zst" -> "zst"
  const std::string codec = CompressionSuffix(rule_.compress) + 1;
  spdlog::info("{}: rotated {} ({} → {} {})", rule_.policy, name, size,
               HumanBytes(*compressed), codec);
}

IntentFate LogsPolicy::ResolveCompression(const Intent& intent) {
  {
    // A compression of this process still at work is not cut short; it
    // closes its intent itself.
    std::lock_guard<std::mutex> lock(mu_);
    if (compressing_.count(intent.target) > 0) return IntentFate::InFlight();
  }
  // The source is removed only after its archive is complete and synced:
  // source gone and archive there means it was performed.
  const std::string archive = intent.target + CompressionSuffix(rule_.compress);
  IntentFate source = ResolveFileIntent(services_.fs, intent);
  if (source.kind == IntentFate::Kind::kNotPerformed) {
    // Cut between publishing the archive and removing the source: the
    // archive (complete, but never recorded) goes, so that compressing
    // the source again can publish it under that name.
    Status removed = RemoveUnrecordedArchive(services_.fs, archive);
    if (!removed.ok()) return IntentFate::Unknown(removed.ToString());
  }
  if (source.kind != IntentFate::Kind::kPerformed) return source;
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
