#include "core/recorded_removal.h"

#include <algorithm>

#include <spdlog/spdlog.h>

#include "os/fs_rules.h"

namespace retention {
bool LedgerFailed(const Status& st, ExecResult* result) {
  if (st.ok()) return false;
  // An unrecorded deletion breaks the audit promise: nothing more is done.
  result->errors.push_back("ledger: " + st.ToString() + "; stopping");
  return true;
}

namespace {

// Closes the intents of a group from `from` on with nothing done.
bool DropFrom(const std::vector<int64_t>& ids, size_t from, ExecContext& ctx,
              ExecResult* result) {
  for (size_t k = from; k < ids.size(); ++k) {
    if (LedgerFailed(ctx.Drop(ids[k]), result)) return false;
  }
  return true;
}

}  // namespace

Removal RemoveChecked(Filesystem& fs, Dir& dir, const std::string& name,
                      const Action& action, ExecResult* result) {
  Status st = fs.RemoveAt(dir, name, action.expected);
  if (!st.ok()) {
    ++result->failed;
    result->errors.push_back(action.target + ": " + st.ToString());
    return st.code() == Status::Code::kUnsafe ? Removal::kStop : Removal::kKept;
  }
  ++result->done;
  result->bytes += action.bytes;
  return Removal::kRemoved;
}

bool RemoveInGroups(const std::string& policy,
                    const std::vector<const Action*>& actions, size_t group,
                    ExecContext& ctx, ExecResult* result,
                    const std::function<Removal(size_t)>& remove_one) {
  std::vector<int64_t> ids;
  for (size_t first = 0; first < actions.size(); first += group) {
    if (ctx.stopping()) break;
    const size_t end = std::min(actions.size(), first + group);
    std::vector<const Action*> part(actions.begin() + first,
                                    actions.begin() + end);
    if (LedgerFailed(ctx.Intend(policy, part, &ids), result)) return false;
    for (size_t k = 0; k < part.size(); ++k) {
      if (ctx.stopping()) {
        DropFrom(ids, k, ctx, result);
        break;
      }
      const Removal r = remove_one(first + k);
      Status st = r == Removal::kRemoved ? ctx.Done(ids[k], policy, *part[k])
                                         : ctx.Drop(ids[k]);
      if (LedgerFailed(st, result)) return false;
      if (r == Removal::kStop) {
        if (DropFrom(ids, k + 1, ctx, result)) {
          LedgerFailed(ctx.Flush(), result);
        }
        return false;
      }
    }
  }
  return !LedgerFailed(ctx.Flush(), result);
}

bool RemoveRecordedPath(Filesystem& fs, const std::string& policy,
                        const Action& action, ExecContext& ctx,
                        ExecResult* result) {
  const PathParts parts = SplitPath(action.target);
  auto dir = fs.OpenRoot(parts.dir);
  if (!dir.ok()) {
    ++result->failed;
    result->errors.push_back(action.target + ": " + dir.status().ToString());
    return dir.status().code() != Status::Code::kUnsafe;
  }
  const std::string& name = parts.name;
  return RemoveInGroups(policy, {&action}, 1, ctx, result, [&](size_t) {
    Removal r = RemoveChecked(fs, **dir, name, action, result);
    if (r != Removal::kRemoved) return r;
    Status synced = fs.SyncDir(**dir);
    if (!synced.ok()) {
      // Gone, if perhaps not durably: recorded, as it is gone now; the
      // warning says the sync failed.
      spdlog::warn("{}: {}", policy, synced.ToString());
    }
    return r;
  });
}

bool RecordOrStop(const std::string& policy, const Action& action,
                  ExecContext& ctx, ExecResult* result) {
  return !LedgerFailed(ctx.Record(policy, action), result);
}

}  // namespace retention
