// ClockBrake: the stateful half of the clock check. Every run observes the
// clock (dry runs too, so a dry run after a jump cannot become the new
// baseline and hide it). When CheckClock() sees a jump past the limit the
// brake engages: it is stored in the state database, written to the ledger,
// and destructive runs are refused until an operator confirms the clock —
// through Confirm() (retentionctl confirm-clock to a running daemon), or by
// the file `confirm-clock` in the state directory (what retentionctl writes
// when no daemon runs).
//
// A confirmation releases only the brake it names: the file holds the
// engaged brake's `since` time in nanoseconds (ClockConfirmation()). A file
// that names another brake, or none, is removed unused at the next run while
// a brake is engaged, and the log says why, so a confirmation given too
// early can never release a later brake. retentionctl writes none while no
// brake is engaged.
//
// Threading: calls are serialized by the Runner's caller (one run at a
// time); StateDb and Ledger are themselves thread-safe.
#pragma once

#include <atomic>
#include <optional>
#include <string>

#include "core/clock_check.h"
#include "core/ledger.h"
#include "core/state_db.h"
#include "os/filesystem.h"

namespace retention {

inline constexpr char kClockBrakeName[] = "clock";
inline constexpr char kConfirmClockFile[] = "confirm-clock";

// The contents of a `confirm-clock` file that confirms `engaged`.
std::string ClockConfirmation(const Brake& engaged);
// True when `contents` (a confirm-clock file) confirms `engaged`.
bool ConfirmsBrake(const std::string& contents, const Brake& engaged);

class ClockBrake {
 public:
  ClockBrake(StateDb& db, Ledger& ledger, Filesystem& fs, std::string state_dir,
             Duration limit)
      : db_(db),
        ledger_(ledger),
        fs_(fs),
        state_dir_(std::move(state_dir)),
        limit_ns_(limit.count()) {}

  // May be called from another thread than Observe() (a reload).
  void set_limit(Duration limit) { limit_ns_ = limit.count(); }

  // Compares `now` with the last recorded run and engages the brake on a
  // jump; honours a confirmation file that names the engaged brake and
  // removes any other. Returns OK when destructive work may proceed,
  // kFailedPrecondition (with the reason) while engaged, or the error that
  // kept it from deciding (then nothing may be deleted).
  Status Observe(const ClockReading& now);

  // Releases the engaged brake and records who did it. True if one was
  // engaged; false (and nothing recorded) if none was.
  StatusOr<bool> Confirm(const ClockReading& now, const std::string& who);

  // The engaged brake, if any.
  StatusOr<std::optional<Brake>> Engaged();

 private:
  // Removes a pending confirmation file; true if it confirmed `engaged`.
  StatusOr<bool> TakeConfirmationFile(const Brake& engaged);
  Status Engage(const ClockReading& now, const std::string& reason);
  Status Release(const Brake& engaged, const ClockReading& now,
                 const std::string& who);

  StateDb& db_;
  Ledger& ledger_;
  Filesystem& fs_;
  std::string state_dir_;
  std::atomic<Duration::rep> limit_ns_;
};

}  // namespace retention
