// LogsPolicy's deletions (logs_policy.h): in the plan's order, or while a
// chase waits for its writer. The run's deletions come after its rotations
// in the plan (numbered names are shifted by the rotation), and behind
// another writer's fsyncs each took 0.2-1.3 s (its unlink, and the ledger
// commit that discards the freed blocks): done after the cut, they started
// the next chase a second late, with the file far up already, and its head
// was cut short. Done while the chase waits, they cost nothing, and the
// chase's write-back goes on meanwhile.
#include <spdlog/spdlog.h>

#include <string>

#include "kinds/logs/logs_policy.h"

namespace retention {

bool LogsPolicy::Delete(const Action& action, ExecContext& ctx,
                        ExecResult* result) {
  const Duration start = services_.clock.BootNow();
  // An archive may be (or have been) compressed since the plan.
  const bool go_on =
      action.verb == Verb::kDelete && rule_.compress != Compression::kNone
          ? RemoveArchive(action, ctx, result)
          : Remove(action, ctx, result);
  const Duration took = services_.clock.BootNow() - start;
  if (action.verb == Verb::kDelete) {
    deletion_time_ = Duration(
        PlanFrom(deletion_samples_, took.count(), kRotationSamples));
  }
  return go_on;
}

bool LogsPolicy::TakeDeletion(const Action& action) {
  if (deletions_left_.empty() || deletions_left_.front() != &action) {
    return false;  // done meanwhile (DeleteMeanwhile)
  }
  deletions_left_.pop_front();
  return true;
}

bool LogsPolicy::DeleteMeanwhile(Duration time_left, ExecContext& ctx,
                                 ExecResult* result) {
  // Numbered names: the plan named the deletions as the run's rotations
  // leave them, and a later one's are not shifted yet.
  if (rule_.naming == ArchiveNaming::kNumbered || deletions_left_.empty() ||
      deletions_stopped_ || ctx.stopping()) {
    return false;
  }
  // One still at work when the cut is due delays it: the file grows past
  // its cut point meanwhile.
  if (time_left < deletion_time_) return false;
  const Action& action = *deletions_left_.front();
  deletions_left_.pop_front();
  if (!Delete(action, ctx, result)) deletions_stopped_ = true;
  spdlog::debug("{}: a deletion took {} ms while a chase waited, {} ms "
                "before its cut",
                rule_.policy, deletion_samples_.back() / 1000000,
                time_left == Duration::max()
                    ? std::string("unknown")
                    : std::to_string(time_left.count() / 1000000));
  return true;
}

}  // namespace retention
