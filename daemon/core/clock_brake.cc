#include "core/clock_brake.h"

#include <spdlog/spdlog.h>

namespace retention {
namespace {

constexpr char kConfirmKey[] = "brake-since-ns ";
constexpr size_t kConfirmMaxBytes = 4096;

// The file's first line, or all of it.
std::string FirstLine(const std::string& s) {
  return s.substr(0, s.find('\n'));
}

}  // namespace

std::string ClockConfirmation(const Brake& engaged) {
  return kConfirmKey +
         std::to_string(engaged.since.time_since_epoch().count()) +
         "\n# confirms the clock brake engaged at " +
         FormatIso8601(engaged.since) + "\n";
}

bool ConfirmsBrake(const std::string& contents, const Brake& engaged) {
  return FirstLine(contents) == FirstLine(ClockConfirmation(engaged));
}

StatusOr<std::optional<Brake>> ClockBrake::Engaged() {
  auto brakes = db_.Brakes();
  if (!brakes.ok()) return brakes.status();
  for (const Brake& b : *brakes) {
    if (b.name == kClockBrakeName) return std::optional<Brake>(b);
  }
  return std::optional<Brake>();
}

Status ClockBrake::Observe(const ClockReading& now) {
  auto engaged = Engaged();
  if (!engaged.ok()) return engaged.status();
  // A confirmation file is looked at only while a brake is engaged: one
  // lying about meanwhile names no brake that exists, so it cannot match
  // the next one, and is removed then.
  if (engaged->has_value()) {
    auto confirmed = TakeConfirmationFile(**engaged);
    if (!confirmed.ok()) return confirmed.status();
    if (!*confirmed) {
      return Status::FailedPrecondition("clock brake engaged: " +
                                        (*engaged)->reason);
    }
    return Release(**engaged, now, "confirm-clock file");
  }
  auto last = db_.LastRun();
  if (!last.ok()) return last.status();
  if (!last->has_value()) return Status::Ok();
  const RunRecord& run = **last;
  ClockVerdict verdict =
      CheckClock({run.started, run.boot_started, run.boot_id, {}}, now,
                 Duration(limit_ns_.load()));
  if (!verdict.jumped) return Status::Ok();
  RETENTION_RETURN_IF_ERROR(Engage(now, verdict.reason));
  return Status::FailedPrecondition("clock brake engaged: " + verdict.reason);
}

Status ClockBrake::Engage(const ClockReading& now, const std::string& reason) {
  RETENTION_RETURN_IF_ERROR(db_.SetBrake({kClockBrakeName, reason, now.wall}));
  return ledger_
      .Append(EventEntry(now.wall, "daemon", "brake", kClockBrakeName, reason))
      .status();
}

StatusOr<bool> ClockBrake::Confirm(const ClockReading& now,
                                   const std::string& who) {
  auto engaged = Engaged();
  if (!engaged.ok()) return engaged.status();
  if (!engaged->has_value()) return false;
  RETENTION_RETURN_IF_ERROR(Release(**engaged, now, who));
  return true;
}

Status ClockBrake::Release(const Brake& engaged, const ClockReading& now,
                           const std::string& who) {
  RETENTION_RETURN_IF_ERROR(db_.ClearBrake(kClockBrakeName));
  return ledger_
      .Append(EventEntry(now.wall, "daemon", "confirm-clock", kClockBrakeName,
                         "confirmed by " + who + "; was: " + engaged.reason))
      .status();
}

StatusOr<bool> ClockBrake::TakeConfirmationFile(const Brake& engaged) {
  auto dir = fs_.OpenRoot(state_dir_);
  if (!dir.ok()) return dir.status();
  auto info = fs_.StatAt(**dir, kConfirmClockFile);
  if (info.status().IsNotFound()) return false;
  if (!info.ok()) return info.status();
  std::string contents;
  auto file = fs_.OpenFileAt(**dir, kConfirmClockFile);
  Status read =
      file.ok() ? (*file)->Read(kConfirmMaxBytes, &contents) : file.status();
  // Whatever it said, a confirmation is used once: remove it before acting.
  RETENTION_RETURN_IF_ERROR(fs_.RemoveAt(**dir, kConfirmClockFile, *info));
  if (!read.ok()) {
    spdlog::warn("clock brake: ignored {}/{}: cannot read it: {}", state_dir_,
                 kConfirmClockFile, read.ToString());
    return false;
  }
  if (!ConfirmsBrake(contents, engaged)) {
    spdlog::warn(
        "clock brake: removed {}/{} unused: it does not name the brake "
        "engaged at {} (a confirmation given earlier never releases a later "
        "brake; run `retentionctl confirm-clock` again)",
        state_dir_, kConfirmClockFile, FormatIso8601(engaged.since));
    return false;
  }
  return true;
}

}  // namespace retention
