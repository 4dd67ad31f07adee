// The reopen method of log rotation: RotateByRename, following the intent
// protocol in log_rotation.h (the intent records how to create the new live
// file, so recovery can create it if a crash came first).
#include <fcntl.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>

#include "kinds/logs/log_rotation.h"
#include "kinds/logs/rotation_io_posix.h"

namespace retention {
namespace {

using posix::RotationTarget;
using posix::UniqueFd;

Status Rename(int from_dir, const std::string& from, int to_dir,
              const std::string& to, const std::string& what) {
  // The raw syscall, because older glibc lacks the renameat2 wrapper.
  if (syscall(SYS_renameat2, from_dir, from.c_str(), to_dir, to.c_str(),
              RENAME_NOREPLACE) != 0) {
    return Status::FromErrno(errno, what);
  }
  return Status::Ok();
}

// Moves the live file to the archive name, and back if what moved was not
// `expected` (the name was swapped between the check and the rename).
Status MoveToArchive(const RotationTarget& t, const FileInfo& expected) {
  RETENTION_RETURN_IF_ERROR(
      Rename(t.live_dir, t.live_name, t.archive_dir, t.archive_name,
             "rename " + t.live_path + " to " + t.archive_path));
  StatusOr<FileInfo> moved =
      posix::StatxAt(t.archive_dir, t.archive_name, t.archive_path);
  if (moved.ok() && moved->SameIdentity(expected)) return Status::Ok();
  // Best effort: if the name is taken again, what was moved stays under the
  // archive name, harmlessly, and the error below is all we can do.
  Rename(t.archive_dir, t.archive_name, t.live_dir, t.live_name, "");
  return Status::Unsafe(t.live_path + ": replaced as it was rotated");
}

// After the rename (decided at `cut`): the new live file, durable
// directories, no intent.
StatusOr<RotationResult> CreateNewLive(
    const RotationTarget& t, const RotationIntent& intent,
    const RotationStepHook& hook, std::chrono::steady_clock::time_point cut) {
  RotationResult result;
  StatusOr<FileInfo> archived =
      posix::StatxAt(t.archive_dir, t.archive_name, t.archive_path);
  if (archived.ok()) result.bytes = archived->size;
  UniqueFd created;
  Status st =
      posix::CreateLiveFile(t.live_dir, t.live_name, intent.mode, intent.uid,
                            intent.gid, t.live_path, /*sync=*/false, &created);
  if (st.IsBusy()) {
    result.warnings.push_back(t.live_path +
                              ": recreated by someone else first; kept");
  } else if (!st.ok()) {
    return st;  // the intent stays: RecoverRotation creates the file
  }
  // The writer may reopen now: the syncs below are journal commits that
  // take up to hundreds of ms while it writes 100 MB/s, into the archive
  // if it were told only after them. A crash before they are done is the
  // intent's to finish: a rename not yet durable never happened, a new
  // live file not yet durable is created by RecoverRotation.
  posix::Step(hook, RotationStep::kLiveReplaced);
  result.finish = std::chrono::duration_cast<Duration>(
      std::chrono::steady_clock::now() - cut);
  if (created.get() >= 0) {
    RETENTION_RETURN_IF_ERROR(posix::SyncFd(created.get(), t.live_path));
  }
  RETENTION_RETURN_IF_ERROR(
      posix::SyncFd(t.live_dir, t.live_path + " directory"));
  RETENTION_RETURN_IF_ERROR(
      posix::SyncFd(t.archive_dir, t.archive_path + " directory"));
  posix::Step(hook, RotationStep::kLiveCreated);
  st = posix::RemoveIntent(t.live_dir, t.live_name);
  if (!st.ok()) {
    result.warnings.push_back(st.ToString() +
                              " (RecoverRotation will remove the intent)");
  }
  return result;
}

}  // namespace

StatusOr<RotationResult> RotateByRename(
    Dir& live_dir, const std::string& live_name, Dir& archive_dir,
    const std::string& archive_name, const FileInfo& expected_live,
    const CreateSpec& create, const RotationStepHook& hook,
    const HeadChase& chase) {
  StatusOr<RotationTarget> t =
      posix::MakeTarget(live_dir, live_name, archive_dir, archive_name);
  if (!t.ok()) return t.status();
  StatusOr<FileInfo> live =
      posix::StatxAt(t->live_dir, live_name, t->live_path);
  if (!live.ok()) return live.status();
  if (live->type != FileType::kRegular) {
    return Status::Unsafe(t->live_path + ": not a regular file");
  }
  RETENTION_RETURN_IF_ERROR(
      posix::CheckIdentity(*live, expected_live, t->live_path));
  RETENTION_RETURN_IF_ERROR(posix::CheckNothingPending(*t));

  RotationIntent intent =
      posix::NewIntent(*t, RotationIntent::Method::kRename, *live);
  intent.mode = create.mode.value_or(live->mode);
  intent.uid = create.uid.value_or(live->uid);
  intent.gid = create.gid.value_or(live->gid);
  RETENTION_RETURN_IF_ERROR(posix::WriteIntent(*t, intent));
  posix::Step(hook, RotationStep::kIntentWritten);
  // Early (the watcher's notice): what had to be durable first is, so
  // wait for the file to near its cap; only the rename, the new live file
  // and the writer's notice follow.
  Duration waited{};
  if (chase.cap > live->size) {
    UniqueFd watched(openat(t->live_dir, live_name.c_str(),
                            O_PATH | O_NOFOLLOW | O_CLOEXEC));
    StatusOr<Duration> w =
        watched.get() < 0 ? StatusOr<Duration>(Status::FromErrno(
                                errno, "open " + t->live_path))
                          : posix::WaitForCap(watched.get(), t->live_path,
                                              chase);
    if (!w.ok()) {
      posix::RemoveIntent(t->live_dir, live_name);
      return w.status();
    }
    waited = *w;
  }
  const auto cut = std::chrono::steady_clock::now();
  Status st = MoveToArchive(*t, *live);
  if (!st.ok()) {
    // The intent promises nothing more once the live file is back.
    posix::RemoveIntent(t->live_dir, live_name);
    return st;
  }
  posix::Step(hook, RotationStep::kLiveRenamed);
  StatusOr<RotationResult> result = CreateNewLive(*t, intent, hook, cut);
  if (result.ok()) result->waited = waited;
  return result;
}

}  // namespace retention
