// LogsPolicy's rotation (logs_policy.h): one live file becomes an archive
// under its write-ahead intent, the writer is told to reopen, and the
// archive is queued for compression.
#include <spdlog/spdlog.h>

#include <algorithm>
#include <deque>
#include <string>
#include <vector>

#include "base/human_format.h"
#include "core/ledger_context.h"
#include "core/recorded_removal.h"
#include "core/runner.h"
#include "kinds/logs/log_rotator.h"
#include "kinds/logs/logs_naming.h"
#include "kinds/logs/logs_policy.h"
#include "kinds/logs/logs_set.h"
#include "os/fs_rules.h"

namespace retention {

// Rotations vary with the load, and one slower than planned overshoots the
// cap: hence a high percentile, not the mean.
int64_t LogsPolicy::PlanFrom(std::deque<int64_t>& samples, int64_t sample,
                             size_t keep) {
  samples.push_back(sample);
  if (samples.size() > keep) samples.pop_front();
  std::vector<int64_t> sorted(samples.begin(), samples.end());
  std::sort(sorted.begin(), sorted.end());
  const int64_t high =
      sorted[std::min(sorted.size() * 95 / 100, sorted.size() - 1)];
  return high + high / 4;
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
    st = rotator_.RunReopenCommand(rule_.reopen_command, rule_.command_timeout);
  } else if (rule_.reopen_signal != 0) {
    st = rotator_.SignalWriter(rule_.pid_file, rule_.reopen_signal);
  }
  if (!st.ok()) {
    warnings->push_back("telling the writer to reopen: " + st.ToString() +
                        "; it keeps writing into the rotated file until it "
                        "reopens");
  }
}

void LogsPolicy::LearnRotationTime(Duration took, uint64_t bytes) {
  if (bytes == 0 || !rotation_time_ns_) return;
  // Truncate: scaled to a head of max_file_size (the copy grows with it).
  // Reopen: as it is (nothing is copied).
  const double scaled =
      rule_.method == RotateMethod::kTruncate
          ? static_cast<double>(took.count()) *
                static_cast<double>(rule_.max_file_size) /
                static_cast<double>(bytes)
          : static_cast<double>(took.count());
  int64_t plan = PlanFrom(rotation_samples_, static_cast<int64_t>(scaled),
                          kRotationSamples);
  // A chase (HeadChase: truncate's head, reopen's rename) that starts
  // early only waits longer for the writer, one that starts late (a disk
  // busier than planned) overshoots the cap. Hence twice the plan, and
  // four times for reopen: all of its time before the rename is journal
  // commits (the ledger intent's, the rotation intent's), which
  // another writer's fsyncs can stretch several times over, and nothing
  // is copied meanwhile (a longer lead only costs the run a wait).
  if (Chases()) {
    plan *= rule_.method == RotateMethod::kReopen ? kReopenLeadFactor : 2;
  }
  if (rotation_samples_.size() < kFewRotations) {
    plan = std::max(plan, assumed_rotation_ns_);
  }
  rotation_time_ns_->store(plan);
  spdlog::debug("{}: a rotation of {} took {} ms; lead planned from {} ms",
                rule_.policy, HumanBytes(bytes), took.count() / 1000000,
                plan / 1000000);
}

bool LogsPolicy::Chases() const {
  // shared_reopen tells the writer once the run's rotations are all done:
  // a rename timed to the cap would still be written past it.
  return rule_.method == RotateMethod::kTruncate ||
         (rule_.method == RotateMethod::kReopen && !rule_.shared_reopen);
}

HeadChase LogsPolicy::ChaseFor(const Action& action, ExecContext& ctx,
                               ExecResult* result) {
  HeadChase chase;
  if (!Chases() || !rotation_time_ns_ ||
      action.expected.size >= rule_.max_file_size ||
      !action.reason.starts_with("size ")) {
    return chase;
  }
  chase.cap = rule_.max_file_size;
  chase.finish_time = finish_time_;
  // The writer should reach the cut within about the rotation time the
  // watcher's lead was planned from; one that slows down or stops is
  // waited for twice that, then the head is cut where it is.
  chase.max_wait = 2 * Duration(rotation_time_ns_->load()) +
                   std::chrono::milliseconds(100);
  chase.stopping = [&ctx] { return ctx.stopping(); };
  chase.bytes_per_second = NoticedRate(action.target);
  chase.meanwhile = [this, &ctx, result](Duration time_left) {
    return DeleteMeanwhile(time_left, ctx, result);
  };
  return chase;
}

bool LogsPolicy::Rotate(const Action& action, WallTime now, ExecContext& ctx,
                        ExecResult* result) {
  Filesystem& fs = services_.fs;
  const std::string live_dir_path = SplitPath(action.target).dir;
  const std::string live = SplitPath(action.target).name;
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
  // How long the head took to copy and publish (truncate), or until the
  // writer was told to reopen (reopen): the window in which the writer
  // keeps growing the file it writes to past where the rotation began.
  const Duration started = services_.clock.BootNow();
  Duration writer_off{};
  // Reopen: the writer is told as soon as the new live file exists
  // (kLiveReplaced), before the syncs that make the rotation durable
  // (journal commits, up to hundreds of ms on a disk taking 100 MB/s), in
  // which it would otherwise go on writing into the archive past the cap.
  // shared_reopen: once for the run's rotations (FinishShared).
  const bool tell_writer =
      rule_.method == RotateMethod::kReopen && !rule_.shared_reopen;
  std::vector<std::string> told_warnings;
  RotationStepHook hook = [&](RotationStep step) {
    if (step == RotationStep::kArchivePublished) {
      writer_off = services_.clock.BootNow();
    }
    if (step == RotationStep::kLiveReplaced && tell_writer) {
      Notify(&told_warnings);
      writer_off = services_.clock.BootNow();
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
          ? rotator_.RotateByCollapse(**live_dir, live, **archive_dir, archive,
                                      action.expected, hook,
                                      ChaseFor(action, ctx, result))
          : rotator_.RotateByRename(**live_dir, live, **archive_dir, archive,
                                    action.expected, create_, hook,
                                    ChaseFor(action, ctx, result));
  if (!rotated.ok()) {
    // Whatever a failed rotation left (a rotation intent file) is finished
    // by the next run's recovery, before it rotates again; its ledger
    // intent stays open for Resolve to tell whether the archive came to be.
    return fail(rotated.status());
  }
  NotePunched(action.target, rotated->punched);
  Duration from = started;
  std::vector<std::string> warnings = rotated->warnings;
  warnings.insert(warnings.end(), told_warnings.begin(), told_warnings.end());
  if (tell_writer) {
    // The writer left the archive when told (kLiveReplaced). It had been
    // adding to it since the watcher's early notice (a run still at work
    // delays the next): that whole time is the lead that ends the archive
    // about at the cap. Truncate's copy time is scaled to the cap, so it
    // is timed from the rotation's start.
    writer_off = services_.clock.BootNow();
    from = std::min(from, NoticedAt(action.target).value_or(from));
  }
  ForgetEarly(action.target);
  // A chased head's waits for the writer are not the rotation's work. A
  // chased head cut short (its copy fell behind on a busy disk, and the
  // cut took only what it could sync soon) says nothing of how long a
  // whole head takes: scaled to the cap, it would plan a lead many times
  // too long.
  const bool cut_short = rotated->finish > Duration::zero() &&
                         rule_.method == RotateMethod::kTruncate &&
                         rotated->bytes < rule_.max_file_size / 2;
  if (rotated->lossless && !cut_short &&
      writer_off > from + rotated->waited) {
    LearnRotationTime(writer_off - from - rotated->waited, rotated->bytes);
  }
  if (rotated->finish > Duration::zero()) {
    finish_time_ = Duration(PlanFrom(finish_samples_, rotated->finish.count(),
                                     kRotationSamples));
    spdlog::debug("{}: a chase waited {} ms and was cut in {} ms",
                  rule_.policy, rotated->waited.count() / 1000000,
                  rotated->finish.count() / 1000000);
  }
  for (const std::string& w : warnings) WarnOnce(action.target + w, w);
  if (rotated->bytes == 0) {
    // Nothing moved: the file shrank since the plan (recovery cut the head
    // of an interrupted rotation, or it is under one block now). The
    // plan's deletions counted this rotation's archive, so the run ends
    // here, as after a failed rotation, and the next one plans afresh.
    // A ledger failure is in result->errors; the run stops either way.
    (void)LedgerFailed(ctx.Drop(ids.front()), result);
    return false;
  }
  Action done = action;
  done.target = JoinPath(archive_dir_path, archive);
  done.bytes = rotated->bytes;
  done.count = 0;  // nothing is removed by a rotation
  const std::string why =
      action.reason.substr(0, action.reason.find("; becomes "));
  done.reason =
      "rotated " + action.target + " at " + FormatSize(action.expected.size);
  if (!why.starts_with("size ")) {
    // A calendar rotation: the planner's reason names the period.
    done.reason += "; " + why;
  } else if (action.expected.size >= rule_.max_file_size) {
    done.reason += " (max_file_size " + FormatSize(rule_.max_file_size) + ")";
  } else {
    // The planner's reason says why below the cap (SizeWatcher's lead).
    done.reason += " (max_file_size " + FormatSize(rule_.max_file_size) +
                   "); early: " + why;
  }
  if (rotated->punched) {
    done.reason += std::string("; ") + kPunchedNote;
  }
  if (!rotated->lossless) {
    done.reason += "; copy+truncate fallback, " +
                   std::to_string(rotated->bytes_at_risk) + " bytes at risk";
  }
  // Compressed next: this rotation's info line waits for the compressed
  // size (AnnounceRotation), the run's line leaves it out.
  const bool compress = rule_.compress != Compression::kNone;
  if (compress) done.reason += kToldLater;
  ++result->done;
  Status recorded = ctx.Done(ids.front(), rule_.policy, done);
  if (recorded.ok()) recorded = ctx.Flush();
  if (LedgerFailed(recorded, result)) return false;
  if (compress) {
    auto info = fs.StatAt(**archive_dir, archive);
    const bool wait = rule_.method == RotateMethod::kReopen;
    if (info.ok()) {
      QueueCompression(done.target, *info, wait, /*announce=*/true);
    } else {
      FileInfo rotated_size;
      rotated_size.size = done.bytes;
      AnnounceRotation(Task{done.target, rotated_size, wait, true},
                       std::nullopt);
    }
  }
  return true;
}

}  // namespace retention
