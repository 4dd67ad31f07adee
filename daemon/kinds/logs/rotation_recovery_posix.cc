// RecoverRotation: finishes or undoes an interrupted rotation from its
// intent, following the protocol in log_rotation.h. Each Recover* function
// leaves the files in a final state and says what it did; the caller then
// removes the intent.
#include <fcntl.h>
#include <unistd.h>

#include <cerrno>

#include "kinds/logs/log_rotation.h"
#include "kinds/logs/rotation_io_posix.h"
#include "os/fs_rules.h"

namespace retention {
namespace {

using posix::RotationTarget;
using posix::UniqueFd;

// The head is still in the live file and exactly in the archive: collapse
// it now, or withdraw the archive where the filesystem refuses.
StatusOr<std::string> CollapseNow(const RotationTarget& t,
                                  const RotationIntent& in, int live,
                                  int archive) {
  const std::string n = std::to_string(in.length);
  if (fallocate(live, FALLOC_FL_COLLAPSE_RANGE, 0,
                static_cast<off_t>(in.length)) == 0) {
    RETENTION_RETURN_IF_ERROR(posix::SyncFd(live, t.live_path));
    RETENTION_RETURN_IF_ERROR(
        posix::CommitCarry(t.live_dir, t.live_name, in.cut < in.length));
    return t.live_path + ": head of " + n + " bytes collapsed after the crash";
  }
  const int err = errno;
  if (err != EOPNOTSUPP && err != EINVAL) {
    return Status::FromErrno(err, "collapse " + t.live_path);
  }
  RETENTION_RETURN_IF_ERROR(posix::RemoveIfSame(t.archive_dir, t.archive_name,
                                                archive, t.archive_path));
  RETENTION_RETURN_IF_ERROR(posix::SyncFd(t.archive_dir, t.archive_path));
  RETENTION_RETURN_IF_ERROR(posix::DropNewCarry(t.live_dir, t.live_name));
  return t.live_path + ": collapse refused; " + t.archive_path +
         " withdrawn, the live file keeps its head";
}

// True if `archive` is exactly the carry's first in.carry bytes and the
// live file's [0, in.cut), and the new carry the rest of the head: then a
// collapse of the head loses nothing.
StatusOr<bool> HoldsHead(const RotationTarget& t, const RotationIntent& in,
                         int live, int archive) {
  StatusOr<FileInfo> info = posix::StatxAt(archive, "", t.archive_path);
  if (!info.ok()) return info.status();
  if (info->size != in.carry + in.cut) return false;
  uint64_t carry_size = 0;
  StatusOr<UniqueFd> carry =
      posix::OpenCarry(t.live_dir, t.live_name, &carry_size);
  if (!carry.ok()) return carry.status();
  if (carry_size < in.carry) return false;
  StatusOr<bool> same = posix::SameRange(carry->get(), 0, archive, 0, in.carry);
  if (same.ok() && *same) {
    same = posix::SameRange(live, 0, archive, in.carry, in.cut);
  }
  if (!same.ok() || !*same || in.cut == in.length) return same;
  uint64_t next_size = 0;
  StatusOr<UniqueFd> next =
      posix::OpenRegular(t.live_dir, NewCarryName(t.live_name), t.live_path);
  if (!next.ok()) {
    return next.status().IsNotFound() ? StatusOr<bool>(false) : next.status();
  }
  StatusOr<FileInfo> next_info = posix::StatxAt(next->get(), "", t.live_path);
  if (!next_info.ok()) return next_info.status();
  next_size = next_info->size;
  if (next_size != in.length - in.cut) return false;
  return posix::SameRange(live, in.cut, next->get(), 0, next_size);
}

StatusOr<std::string> RecoverCollapse(const RotationTarget& t,
                                      const RotationIntent& in, int live,
                                      int archive) {
  StatusOr<uint64_t> head = posix::PhysicalAddress(live, 0, t.live_path);
  if (!head.ok() && head.status().code() != Status::Code::kFailedPrecondition) {
    return head.status();
  }
  if (head.ok() && *head == in.phys_next) {
    RETENTION_RETURN_IF_ERROR(
        posix::CommitCarry(t.live_dir, t.live_name, in.cut < in.length));
    return t.live_path + ": collapse into " + t.archive_path + " had completed";
  }
  if (!head.ok() || *head != in.phys_head) {
    return Status::Corruption(
        t.live_path + ": byte 0 is at neither address its rotation intent " +
        "recorded; compare " + t.archive_path + " with the live file's head, " +
        "collapse or not, then remove " + IntentName(t.live_name));
  }
  StatusOr<bool> exact = HoldsHead(t, in, live, archive);
  if (!exact.ok()) return exact.status();
  if (!*exact) {
    // The live file and the old carry still hold every byte.
    RETENTION_RETURN_IF_ERROR(posix::DropNewCarry(t.live_dir, t.live_name));
    return t.live_path + ": " + t.archive_path +
           " does not hold its head; nothing collapsed";
  }
  return CollapseNow(t, in, live, archive);
}

// The truncate cannot be told apart by addresses (copy runs where FIEMAP
// may be missing): a live file that still starts with every byte of the
// archive was not truncated, so the archive is withdrawn.
StatusOr<std::string> RecoverCopy(const RotationTarget& t,
                                  const RotationIntent& in, int live,
                                  int archive) {
  StatusOr<FileInfo> info = posix::StatxAt(archive, "", t.archive_path);
  if (!info.ok()) return info.status();
  // The archive opens with the carry, then holds the live file's head.
  const uint64_t head = info->size > in.carry ? info->size - in.carry : 0;
  StatusOr<bool> same = posix::SameRange(live, 0, archive, in.carry, head);
  if (!same.ok()) return same.status();
  if (!*same) {
    RETENTION_RETURN_IF_ERROR(posix::CommitCarry(t.live_dir, t.live_name,
                                                 /*new_expected=*/false));
    return t.live_path + ": truncate after copying to " + t.archive_path +
           " had completed";
  }
  RETENTION_RETURN_IF_ERROR(posix::RemoveIfSame(t.archive_dir, t.archive_name,
                                                archive, t.archive_path));
  RETENTION_RETURN_IF_ERROR(posix::SyncFd(t.archive_dir, t.archive_path));
  return t.live_path + ": not truncated yet; " + t.archive_path +
         " withdrawn, the live file keeps everything";
}

StatusOr<std::string> RecoverCut(const RotationTarget& t,
                                 const RotationIntent& in) {
  const std::string tmp = TempNameOf(in);
  StatusOr<bool> has_tmp =
      posix::NameExists(t.archive_dir, tmp, t.archive_path);
  if (!has_tmp.ok()) return has_tmp.status();
  if (*has_tmp) {
    // The rename takes this name away, so the archive was never published.
    if (unlinkat(t.archive_dir, tmp.c_str(), 0) != 0 && errno != ENOENT) {
      return Status::FromErrno(errno,
                               "unlink temp " + tmp + " of " + t.archive_path);
    }
    RETENTION_RETURN_IF_ERROR(posix::SyncFd(t.archive_dir, t.archive_path));
    RETENTION_RETURN_IF_ERROR(posix::DropNewCarry(t.live_dir, t.live_name));
    return t.live_path + ": rotation to " + t.archive_path +
           " had not published; temp removed";
  }
  StatusOr<UniqueFd> archive =
      posix::OpenRegular(t.archive_dir, t.archive_name, t.archive_path);
  if (!archive.ok() && !archive.status().IsNotFound()) return archive.status();
  if (!archive.ok()) {
    RETENTION_RETURN_IF_ERROR(posix::DropNewCarry(t.live_dir, t.live_name));
    return t.live_path + ": rotation to " + t.archive_path +
           " had not published";
  }
  FileInfo live_info;
  StatusOr<UniqueFd> live = posix::OpenLive(t, &live_info);
  if (!live.ok() && !live.status().IsNotFound()) return live.status();
  if (!live.ok() || live_info.dev != in.live_dev ||
      live_info.ino != in.live_ino) {
    // The archive stays, and with it the carry's bytes it opens with.
    RETENTION_RETURN_IF_ERROR(posix::DropNewCarry(t.live_dir, t.live_name));
    RETENTION_RETURN_IF_ERROR(posix::DropArchivedCarry(
        t.live_dir, t.live_name, archive->get(), in.carry));
    return t.live_path + ": replaced since its rotation; " + t.archive_path +
           " kept, nothing cut";
  }
  if (in.method == RotationIntent::Method::kCopy) {
    return RecoverCopy(t, in, live->get(), archive->get());
  }
  if (in.method == RotationIntent::Method::kPunch) {
    // Published means complete (written and synced first) with the new
    // carry in place: punching the head, again if need be, loses nothing.
    RETENTION_RETURN_IF_ERROR(
        posix::PunchHead(live->get(), in.length, t.live_path));
    RETENTION_RETURN_IF_ERROR(
        posix::CommitCarry(t.live_dir, t.live_name, in.cut < in.length));
    return t.live_path + ": head of " + std::to_string(in.length) +
           " bytes punched out after the crash";
  }
  return RecoverCollapse(t, in, live->get(), archive->get());
}

StatusOr<std::string> RecoverRename(const RotationTarget& t,
                                    const RotationIntent& in) {
  StatusOr<FileInfo> archived =
      posix::StatxAt(t.archive_dir, t.archive_name, t.archive_path);
  if (!archived.ok() && !archived.status().IsNotFound()) {
    return archived.status();
  }
  if (!archived.ok() || archived->dev != in.live_dev ||
      archived->ino != in.live_ino) {
    return t.live_path + ": rename to " + t.archive_path + " had not happened";
  }
  RETENTION_RETURN_IF_ERROR(posix::SyncFd(t.archive_dir, t.archive_path));
  Status st = posix::CreateLiveFile(t.live_dir, t.live_name, in.mode, in.uid,
                                    in.gid, t.live_path);
  if (st.IsBusy()) {
    return t.live_path + ": renamed to " + t.archive_path +
           "; the writer must be told to reopen";
  }
  RETENTION_RETURN_IF_ERROR(st);
  return t.live_path + ": recreated after its rename to " + t.archive_path +
         "; the writer must be told to reopen";
}

}  // namespace

StatusOr<std::vector<std::string>> RecoverRotation(Dir& live_dir,
                                                   const std::string& live_name,
                                                   Dir& archive_dir) {
  RETENTION_RETURN_IF_ERROR(CheckName(live_name));
  const int dir = posix::DirFd(live_dir);
  const std::string path = JoinPath(live_dir.path(), live_name);
  StatusOr<std::optional<RotationIntent>> intent =
      posix::ReadIntent(dir, live_name, path);
  std::vector<std::string> done;
  if (!intent.ok() && intent.status().code() == Status::Code::kCorruption) {
    // Only a crash before its fsync leaves an incomplete intent, and
    // nothing is published or cut before that fsync. The temp and the new
    // carry written beside it are never relied on: the planner removes a
    // temp no intent names, the next cut replaces a stale new carry.
    RETENTION_RETURN_IF_ERROR(posix::DropNewCarry(dir, live_name));
    RETENTION_RETURN_IF_ERROR(posix::RemoveIntent(dir, live_name));
    done.push_back(path + ": incomplete rotation intent removed");
    return done;
  }
  if (!intent.ok()) {
    // Not followed, and not left to block every later rotation either.
    StatusOr<bool> removed = posix::RemovePlantedIntent(dir, live_name, path);
    if (!removed.ok() || !*removed) return intent.status();
    done.push_back(path + ": " + IntentName(live_name) +
                   " was not written by retentiond (" +
                   intent.status().message() + "); removed, not followed");
    return done;
  }
  if (!intent->has_value()) return done;
  const RotationIntent& in = **intent;
  if (archive_dir.info().dev != in.archive_dir_dev ||
      archive_dir.info().ino != in.archive_dir_ino) {
    return Status::InvalidArgument(path + ": its rotation used another " +
                                   "archive directory than " +
                                   archive_dir.path());
  }
  StatusOr<RotationTarget> t =
      posix::MakeTarget(live_dir, live_name, archive_dir, in.archive);
  if (!t.ok()) return t.status();
  StatusOr<std::string> what = in.method == RotationIntent::Method::kRename
                                   ? RecoverRename(*t, in)
                                   : RecoverCut(*t, in);
  if (!what.ok()) return what.status();
  RETENTION_RETURN_IF_ERROR(posix::RemoveIntent(dir, live_name));
  done.push_back(*what);
  return done;
}

}  // namespace retention
