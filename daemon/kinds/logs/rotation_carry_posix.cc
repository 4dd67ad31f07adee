// The carry of a truncate rotation (rotation_io_posix.h): the fragment of a
// line that the block-aligned cut took off the live file after its last
// whole line, kept beside the live file until the next archive opens with
// it, so that every archive holds whole lines.
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <vector>

#include "kinds/logs/rotation_io_posix.h"

namespace retention::posix {

StatusOr<UniqueFd> OpenCarry(int live_dir, const std::string& live_name,
                             uint64_t* size) {
  *size = 0;
  const std::string name = CarryName(live_name);
  UniqueFd fd(openat(live_dir, name.c_str(),
                     O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC));
  if (fd.get() < 0) {
    // ELOOP: a symlink, which retentiond never writes: as if absent.
    if (errno == ENOENT || errno == ELOOP) return UniqueFd();
    return Status::FromErrno(errno, "open " + name);
  }
  struct stat st;
  if (fstat(fd.get(), &st) != 0) return Status::FromErrno(errno, "stat");
  // Bytes someone else planted never enter an archive.
  if (!S_ISREG(st.st_mode) || st.st_nlink != 1 ||
      (st.st_uid != geteuid() && st.st_uid != 0)) {
    return UniqueFd();
  }
  *size = static_cast<uint64_t>(st.st_size);
  return fd;
}

StatusOr<uint64_t> LastLineEnd(int fd, uint64_t n, const std::string& path) {
  std::vector<char> buf(64 * 1024);
  const uint64_t floor = n > kMaxCarry ? n - kMaxCarry : 0;
  for (uint64_t end = n; end > floor;) {
    const uint64_t begin = std::max(floor, end - std::min<uint64_t>(
                                                    end, buf.size()));
    const size_t want = static_cast<size_t>(end - begin);
    StatusOr<size_t> got = ReadAt(fd, buf.data(), want, begin);
    if (!got.ok()) return got.status();
    if (*got != want) return Status::IoError(path + ": shrank while read");
    for (size_t i = want; i > 0; --i) {
      if (buf[i - 1] == '\n') return begin + i;
    }
    end = begin;
  }
  return uint64_t{0};
}

Status WriteNewCarry(const RotationTarget& t, int live, uint64_t from,
                     uint64_t to, bool written_only, UniqueFd* unsynced) {
  const std::string name = NewCarryName(t.live_name);
  const std::string path = t.live_path + " carry";
  // A stale one is what an undone rotation left: never current.
  RETENTION_RETURN_IF_ERROR(DropNewCarry(t.live_dir, t.live_name));
  UniqueFd fd(openat(t.live_dir, name.c_str(),
                     O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC,
                     0600));
  if (fd.get() < 0) return Status::FromErrno(errno, "create " + path);
  Status st = written_only
                  ? CopyWritten(live, fd.get(), from, to - from, path).status()
                  : CopyRange(live, fd.get(), from, to - from, path);
  if (st.ok()) *unsynced = std::move(fd);
  return st;
}

Status CommitCarry(int live_dir, const std::string& live_name,
                   bool new_expected) {
  const std::string carry = CarryName(live_name);
  const std::string next = NewCarryName(live_name);
  if (renameat(live_dir, next.c_str(), live_dir, carry.c_str()) != 0) {
    if (errno != ENOENT) return Status::FromErrno(errno, "rename " + next);
    if (new_expected) return Status::Ok();  // committed before
    if (unlinkat(live_dir, carry.c_str(), 0) != 0 && errno != ENOENT) {
      return Status::FromErrno(errno, "unlink " + carry);
    }
  }
  return SyncFd(live_dir, "directory of " + live_name);
}

Status DropNewCarry(int live_dir, const std::string& live_name) {
  const std::string next = NewCarryName(live_name);
  if (unlinkat(live_dir, next.c_str(), 0) != 0) {
    if (errno == ENOENT) return Status::Ok();
    return Status::FromErrno(errno, "unlink " + next);
  }
  return SyncFd(live_dir, "directory of " + live_name);
}

Status DropArchivedCarry(int live_dir, const std::string& live_name,
                         int archive, uint64_t carry) {
  if (carry == 0) return Status::Ok();
  uint64_t size = 0;
  StatusOr<UniqueFd> fd = OpenCarry(live_dir, live_name, &size);
  if (!fd.ok()) return fd.status();
  if (size != carry) return Status::Ok();  // not the carry it archived
  StatusOr<bool> same = SameRange(fd->get(), 0, archive, 0, carry);
  if (!same.ok() || !*same) return same.status();
  const std::string name = CarryName(live_name);
  if (unlinkat(live_dir, name.c_str(), 0) != 0 && errno != ENOENT) {
    return Status::FromErrno(errno, "unlink " + name);
  }
  return SyncFd(live_dir, "directory of " + live_name);
}

}  // namespace retention::posix
