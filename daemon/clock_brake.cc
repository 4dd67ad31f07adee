#include "clock_brake.h"

namespace retention {

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
  if (engaged->has_value()) {
    auto confirmed = TakeConfirmationFile();
    if (!confirmed.ok()) return confirmed.status();
    if (!*confirmed) {
      return Status::FailedPrecondition("clock brake engaged: " +
                                        (*engaged)->reason);
    }
    return Confirm(now, "confirm-clock file");
  }
  auto last = db_.LastRun();
  if (!last.ok()) return last.status();
  if (!last->has_value()) return Status::Ok();
  const RunRecord& run = **last;
  ClockVerdict verdict =
      CheckClock({run.started, run.boot_started, run.boot_id}, now,
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

Status ClockBrake::Confirm(const ClockReading& now, const std::string& who) {
  auto engaged = Engaged();
  if (!engaged.ok()) return engaged.status();
  if (!engaged->has_value()) return Status::Ok();
  RETENTION_RETURN_IF_ERROR(db_.ClearBrake(kClockBrakeName));
  return ledger_
      .Append(
          EventEntry(now.wall, "daemon", "confirm-clock", kClockBrakeName,
                     "confirmed by " + who + "; was: " + (*engaged)->reason))
      .status();
}

StatusOr<bool> ClockBrake::TakeConfirmationFile() {
  auto dir = fs_.OpenRoot(state_dir_);
  if (!dir.ok()) return dir.status();
  auto info = fs_.StatAt(**dir, kConfirmClockFile);
  if (info.status().IsNotFound()) return false;
  if (!info.ok()) return info.status();
  RETENTION_RETURN_IF_ERROR(fs_.RemoveAt(**dir, kConfirmClockFile, *info));
  return true;
}

}  // namespace retention
