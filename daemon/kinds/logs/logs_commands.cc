// LogsPolicy's commands around a rotation (logs_policy.h): pre_rotate_command
// before it, the reopen and post_rotate_command after it, once per file or,
// with shared_reopen, once per run for every file the run rotated.
//
// Crash safety: before a rotation whose after-work is owed (a
// post_rotate_command, or shared_reopen), an empty marker `.LIVE.rtd-post`
// is made durable beside the live file; it is removed once that work ran.
// A run that finds markers (a kill -9 between the rotation and its post
// command) first tells the writer to reopen and runs the post command for
// them, and records that in the ledger ("recover"): the work runs at least
// once, never silently not at all.
#include <spdlog/spdlog.h>

#include <algorithm>
#include <string>

#include "kinds/logs/logs_policy.h"
#include "kinds/logs/logs_set.h"
#include "kinds/logs/rotation_intent.h"
#include "os/fs_rules.h"

namespace retention {
namespace {

constexpr char kOwedSuffix[] = ".rtd-post";

std::string OwedName(const std::string& live) {
  return "." + live + kOwedSuffix;
}

// The live name a marker stands for, or empty.
std::string LiveOfOwed(const std::string& name) {
  const size_t suffix = sizeof kOwedSuffix - 1;
  if (name.size() <= suffix + 1 || name[0] != '.' ||
      name.compare(name.size() - suffix, suffix, kOwedSuffix) != 0) {
    return "";
  }
  return name.substr(1, name.size() - suffix - 1);
}

std::string JoinLines(const std::vector<std::string>& lines) {
  std::string out;
  for (const std::string& l : lines) out += (out.empty() ? "" : "\n") + l;
  return out;
}

}  // namespace

bool LogsPolicy::OwesAfterWork() const {
  return !rule_.post_rotate_command.empty() || rule_.shared_reopen;
}

Status LogsPolicy::RunRotateCommand(const std::vector<std::string>& argv,
                                    const char* stage,
                                    const std::vector<std::string>& lives) {
  if (argv.empty()) return Status::Ok();
  const std::vector<std::string> env = {
      "RETENTIOND_POLICY=" + rule_.policy,
      std::string("RETENTIOND_STAGE=") + stage,
      "RETENTIOND_FILES=" + JoinLines(lives)};
  return services_.run_command(argv, env, rule_.command_timeout);
}

bool LogsPolicy::PreRotate(const Action& action, const Plan& plan,
                           ExecResult* result) {
  if (rule_.pre_rotate_command.empty()) return true;
  std::vector<std::string> lives = {action.target};
  if (rule_.shared_reopen) {
    if (shared_pre_ran_) return true;
    shared_pre_ran_ = true;
    lives.clear();
    for (const Action& a : plan.actions) {
      if (a.verb == Verb::kRotate) lives.push_back(a.target);
    }
  }
  Status st = RunRotateCommand(rule_.pre_rotate_command, "pre", lives);
  if (st.ok()) return true;
  // A failed rotation stops the run (Execute); so does this one.
  ++result->failed;
  result->errors.push_back(
      action.target + ": not rotated: pre_rotate_command " + st.ToString());
  return false;
}

Status LogsPolicy::MarkOwed(const std::string& live_path) {
  if (!OwesAfterWork()) return Status::Ok();
  Filesystem& fs = services_.fs;
  auto dir = fs.OpenRoot(SplitPath(live_path).dir);
  if (!dir.ok()) return dir.status();
  auto file = fs.CreateFileAt(**dir, OwedName(SplitPath(live_path).name), 0600);
  // Already there: owed since an earlier run, still owed.
  if (!file.ok() && file.status().code() != Status::Code::kBusy) {
    return file.status();
  }
  return fs.SyncDir(**dir);
}

void LogsPolicy::ClearOwed(const std::string& live_path) {
  if (!OwesAfterWork()) return;
  Filesystem& fs = services_.fs;
  auto dir = fs.OpenRoot(SplitPath(live_path).dir);
  if (!dir.ok()) return;  // the next run finds the marker and says so
  const std::string name = OwedName(SplitPath(live_path).name);
  auto info = fs.StatAt(**dir, name);
  // A marker that cannot be removed makes the next run repeat the work
  // (at least once), which is why its failure is only logged.
  Status st = info.ok() ? fs.RemoveAt(**dir, name, *info) : info.status();
  if (!st.ok() && !st.IsNotFound()) {
    spdlog::warn("{}: {}: {}", rule_.policy, JoinPath((*dir)->path(), name),
                 st.ToString());
  }
}

bool LogsPolicy::RotateWithCommands(const Action& action, const Plan& plan,
                                    ExecContext& ctx, ExecResult* result) {
  if (!PreRotate(action, plan, result)) return false;
  Status marked = MarkOwed(action.target);
  if (!marked.ok()) {
    ++result->failed;
    result->errors.push_back(action.target +
                             ": not rotated: cannot record its post-rotation "
                             "work: " +
                             marked.ToString());
    return false;
  }
  const uint64_t done = result->done, failed = result->failed;
  const bool go_on = Rotate(action, plan.now, ctx, result);
  if (result->done > done) {
    AfterRotation(action.target, result);
  } else if (!RecoveryPending(action.target)) {
    ClearOwed(action.target);  // nothing rotated, nothing owed
  }
  return go_on && result->failed == failed;
}

bool LogsPolicy::RecoveryPending(const std::string& live_path) {
  auto dir = services_.fs.OpenRoot(SplitPath(live_path).dir);
  if (!dir.ok()) return true;  // cannot tell: keep what is owed
  auto intent =
      services_.fs.StatAt(**dir, IntentName(SplitPath(live_path).name));
  return !(!intent.ok() && intent.status().IsNotFound());
}

void LogsPolicy::AfterRotation(const std::string& live_path,
                               ExecResult* result) {
  if (rule_.shared_reopen) {
    shared_owed_.push_back(live_path);
    return;
  }
  RunPost({live_path}, result);
  ClearOwed(live_path);
}

void LogsPolicy::RunPost(const std::vector<std::string>& lives,
                         ExecResult* result) {
  Status st = RunRotateCommand(rule_.post_rotate_command, "post", lives);
  if (!st.ok()) {
    ++result->failed;
    result->errors.push_back(JoinLines(lives) + ": rotated, but " +
                             "post_rotate_command " + st.ToString());
  }
}

void LogsPolicy::FinishShared(ExecResult* result) {
  shared_pre_ran_ = false;
  if (shared_owed_.empty()) return;
  std::vector<std::string> lives;
  lives.swap(shared_owed_);
  if (rule_.method == RotateMethod::kReopen) {
    std::vector<std::string> warnings;
    Notify(&warnings);
    for (const std::string& w : warnings) WarnOnce(lives.front() + w, w);
  }
  RunPost(lives, result);
  for (const std::string& live : lives) ClearOwed(live);
}

std::vector<std::string> LogsPolicy::FindOwed(
    std::vector<std::string>* warnings) {
  std::vector<std::string> owed;
  if (!OwesAfterWork()) return owed;
  Filesystem& fs = services_.fs;
  for (const std::string& path : rule_.paths) {
    const std::string dir_path = SplitPath(path).dir;
    auto dir = fs.OpenRoot(dir_path);
    auto names = dir.ok() ? fs.List(**dir) : dir.status();
    if (!names.ok()) {
      if (!names.status().IsNotFound()) {
        warnings->push_back(dir_path + ": " + names.status().ToString());
      }
      continue;
    }
    for (const std::string& name : *names) {
      const std::string live = LiveOfOwed(name);
      if (!live.empty() && IsLiveFile(rule_, dir_path, live)) {
        owed.push_back(JoinPath(dir_path, live));
      }
    }
  }
  std::sort(owed.begin(), owed.end());
  owed.erase(std::unique(owed.begin(), owed.end()), owed.end());
  return owed;
}

void LogsPolicy::RunOwed(ExecContext& ctx, ExecResult* result) {
  std::vector<std::string> warnings;
  const std::vector<std::string> owed = FindOwed(&warnings);
  for (const std::string& w : warnings) result->errors.push_back(w);
  if (owed.empty()) return;
  if (rule_.method == RotateMethod::kReopen) {
    std::vector<std::string> reopen_warnings;
    Notify(&reopen_warnings);
    for (const std::string& w : reopen_warnings) result->errors.push_back(w);
  }
  const uint64_t failed = result->failed;
  if (rule_.shared_reopen) {
    RunPost(owed, result);
  } else {
    for (const std::string& live : owed) RunPost({live}, result);
  }
  const bool ok = result->failed == failed;
  for (const std::string& live : owed) {
    Action a;
    a.verb = Verb::kRecover;
    a.target = live;
    a.count = 0;
    a.reason = std::string("after-rotation work of an interrupted run: ") +
               (rule_.method == RotateMethod::kReopen ? "writer told to reopen"
                                                      : "no reopen") +
               (rule_.post_rotate_command.empty()
                    ? ""
                    : (ok ? ", post_rotate_command ran"
                          : ", post_rotate_command failed"));
    if (!Record(ctx, a, result)) return;
    ClearOwed(live);
  }
}

}  // namespace retention
