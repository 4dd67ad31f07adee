#include "recorded_removal.h"

namespace retention {

bool RemoveRecorded(Filesystem& fs, Dir& dir, const std::string& name,
                    const std::string& policy, const Action& action,
                    ExecContext& ctx, ExecResult* result) {
  Status st = fs.RemoveAt(dir, name, action.expected);
  if (!st.ok()) {
    ++result->failed;
    result->errors.push_back(action.target + ": " + st.ToString());
    return st.code() != Status::Code::kUnsafe;
  }
  ++result->done;
  result->bytes += action.bytes;
  return RecordOrStop(policy, action, ctx, result);
}

bool RemoveRecordedPath(Filesystem& fs, const std::string& policy,
                        const Action& action, ExecContext& ctx,
                        ExecResult* result) {
  const size_t slash = action.target.rfind('/');
  auto dir = fs.OpenRoot(slash == 0 ? "/" : action.target.substr(0, slash));
  if (!dir.ok()) {
    ++result->failed;
    result->errors.push_back(action.target + ": " + dir.status().ToString());
    return dir.status().code() != Status::Code::kUnsafe;
  }
  return RemoveRecorded(fs, **dir, action.target.substr(slash + 1), policy,
                        action, ctx, result);
}

bool RecordOrStop(const std::string& policy, const Action& action,
                  ExecContext& ctx, ExecResult* result) {
  Status st = ctx.Record(policy, action);
  if (st.ok()) return true;
  // An unrecorded deletion breaks the audit promise: nothing more is done.
  result->errors.push_back("ledger: " + st.ToString() + "; stopping");
  return false;
}

}  // namespace retention
