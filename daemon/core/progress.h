// Progress of the runs in flight: items done of planned, the rate since the
// run began and the time left at that rate. The Runner feeds it from what
// a run records (a file deleted, a second's worth of rows, an account
// purged); `retentionctl status` reads it, and a terminal shows it through
// a ProgressListener (app/progress_line_posix.cc), redrawn at most every
// kProgressRedraw and only for runs longer than kProgressAfter.
//
// Time comes from the Clock passed in (its monotonic BootNow), so tests
// drive it with a fake clock.
//
// Threading: every method may be called from any thread.
#pragma once

#include <cstdint>
#include <map>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "base/clock.h"
#include "core/policy.h"

namespace retention {

inline constexpr Duration kProgressRedraw = std::chrono::milliseconds(250);
inline constexpr Duration kProgressAfter = std::chrono::seconds(1);

struct ProgressSnapshot {
  std::string policy;
  std::string unit;  // the kind's item, singular ("row"); "" if unknown
  uint64_t done = 0;
  uint64_t planned = 0;
  Duration elapsed{};
  // Items per second since the run began; empty before anything was done.
  std::optional<double> rate;
  // At that rate, until `planned`; empty without a rate.
  std::optional<Duration> eta;
};

// The items an action counts for progress: a rotation or compression is
// one file, a quota event one event, anything else its count (a row
// batch's rows).
uint64_t ProgressItems(const Action& action);

// "rows.analytics: 12,000 of 50,000 rows (24%), 3,100 rows/s, 12s left";
// without a rate "rows.analytics: 0 of 50,000 rows (0%)".
std::string FormatProgress(const ProgressSnapshot& p);

// Where a terminal draws progress. Show() and Clear() are called with the
// board's lock held, so they must not call back into the board.
class ProgressListener {
 public:
  virtual ~ProgressListener() = default;
  virtual void Show(const ProgressSnapshot& progress) = 0;
  // The run shown last ended (or another began): take the line away.
  virtual void Clear() = 0;
};

class ProgressBoard {
 public:
  explicit ProgressBoard(Clock& clock) : clock_(clock) {}

  // The unit the runs of `policy` count in (KindSpec::unit).
  void SetUnit(const std::string& policy, const std::string& unit);
  // A run of `policy` begins executing `planned` items (replacing any
  // earlier one of it).
  void Begin(const std::string& policy, uint64_t planned);
  // `items` more of its items are done.
  void Add(const std::string& policy, uint64_t items);
  // Its run ended: no longer in flight.
  void End(const std::string& policy);
  // The runs in flight, by policy id.
  std::vector<ProgressSnapshot> InFlight() const;
  std::optional<ProgressSnapshot> Find(const std::string& policy) const;

  // At most one; null to stop. It sees runs older than kProgressAfter, at
  // most once per kProgressRedraw, and a Clear() when the run it showed
  // ends.
  void set_listener(ProgressListener* listener);

 private:
  struct Run {
    uint64_t planned = 0;
    uint64_t done = 0;
    Duration started{};
  };
  ProgressSnapshot SnapshotLocked(const std::string& policy, const Run& run,
                                  Duration now) const;
  void NotifyLocked(const std::string& policy, const Run& run);

  Clock& clock_;
  mutable std::mutex mu_;
  std::map<std::string, std::string> units_;
  std::map<std::string, Run> runs_;
  ProgressListener* listener_ = nullptr;
  std::optional<Duration> last_shown_;  // when the listener last drew
  std::string shown_;                   // whose run it shows; "" none
};

}  // namespace retention
