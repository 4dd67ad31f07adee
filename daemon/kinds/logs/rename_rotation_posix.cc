// The reopen method of log rotation: RotateByRename, following the intent
// protocol in log_rotation.h (the intent records how to create the new live
// file, so recovery can create it if a crash came first).
#include <fcntl.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <cerrno>

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

// After the rename: the new live file, durable directories, no intent.
StatusOr<RotationResult> CreateNewLive(const RotationTarget& t,
                                       const RotationIntent& intent,
                                       const RotationStepHook& hook) {
  RotationResult result;
  StatusOr<FileInfo> archived =
      posix::StatxAt(t.archive_dir, t.archive_name, t.archive_path);
  if (archived.ok()) result.bytes = archived->size;
  Status st = posix::CreateLiveFile(t.live_dir, t.live_name, intent.mode,
                                    intent.uid, intent.gid, t.live_path);
  if (st.IsBusy()) {
    result.warnings.push_back(t.live_path +
                              ": recreated by someone else first; kept");
  } else if (!st.ok()) {
    return st;  // the intent stays: RecoverRotation creates the file
  }
  // The writer may reopen now: the syncs below are journal commits that
  // take up to hundreds of ms while it writes 100 MB/s, into the archive
  // if it were told only after them.
  posix::Step(hook, RotationStep::kLiveReplaced);
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
    const CreateSpec& create, const RotationStepHook& hook) {
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
  Status st = MoveToArchive(*t, *live);
  if (!st.ok()) {
    // The intent promises nothing more once the live file is back.
    posix::RemoveIntent(t->live_dir, live_name);
    return st;
  }
  posix::Step(hook, RotationStep::kLiveRenamed);
  return CreateNewLive(*t, intent, hook);
}

}  // namespace retention
