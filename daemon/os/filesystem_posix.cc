// The real Filesystem: with file_posix.cc, the only code in retentiond that
// calls the OS for files. Every operation below a root goes through a directory
// descriptor and a single path component, so a renamed or swapped parent can
// never redirect it; the safe-deletion rules of DESIGN.md are enforced here,
// not by callers.
#include <dirent.h>
#include <fcntl.h>
#include <linux/openat2.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <sys/statvfs.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <atomic>
#include <cassert>
#include <cerrno>
#include <utility>

#include "os/file_posix.h"
#include "os/filesystem.h"

namespace retention {
namespace {

using posix::NewPosixFile;
using posix::OpenRegular;
using posix::StatxAt;
using posix::UniqueFd;

class PosixDir final : public Dir {
 public:
  PosixDir(UniqueFd fd, FileInfo info, std::string path)
      : fd_(std::move(fd)), info_(info), path_(std::move(path)) {}
  const FileInfo& info() const override { return info_; }
  const std::string& path() const override { return path_; }
  int fd() const { return fd_.get(); }

 private:
  UniqueFd fd_;
  FileInfo info_;
  std::string path_;
};

// Precondition: `dir` came from a PosixFilesystem (handles never mix).
int FdOf(Dir& dir) {
  assert(dynamic_cast<PosixDir*>(&dir) != nullptr);
  return static_cast<PosixDir&>(dir).fd();
}

// Why a subdirectory may not be entered even though it opened.
Status CheckSubdir(const FileInfo& parent, const FileInfo& child,
                   const FileInfo* expected, const std::string& path) {
  if (child.mount_root || child.dev != parent.dev) {
    return Status::Unsafe(path + ": another filesystem is mounted here");
  }
  if (expected != nullptr && !child.SameIdentity(*expected)) {
    return Status::Unsafe(path + ": replaced since it was listed");
  }
  return Status::Ok();
}

// open(O_DIRECTORY|O_NOFOLLOW) fails ENOTDIR, not ELOOP, on a symlink; a
// second look at the name tells a symlink (always kUnsafe) from another
// non-directory (`if_plain`), and from a name that is gone by now.
Status NotADirectory(int dirfd, const std::string& name,
                     const std::string& path, Status if_plain) {
  StatusOr<FileInfo> now = StatxAt(dirfd, name, path);
  if (!now.ok()) return Status::FromErrno(ENOTDIR, "open directory " + path);
  if (now->type == FileType::kSymlink) {
    return Status::Unsafe(path + ": is a symlink");
  }
  return if_plain;
}

class PosixFilesystem final : public Filesystem {
 public:
  StatusOr<std::unique_ptr<Dir>> OpenRoot(const std::string& raw) override {
    StatusOr<std::string> path = CleanRootPath(raw);
    if (!path.ok()) return path.status();
    UniqueFd fd(
        open(path->c_str(), O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC));
    if (fd.get() < 0) {
      int err = errno;
      if (err == ENOTDIR) {
        return NotADirectory(
            AT_FDCWD, *path, *path,
            Status::InvalidArgument(*path + ": not a directory"));
      }
      return Status::FromErrno(err, "open root " + *path);
    }
    return MakeDir(std::move(fd), *path);
  }

  StatusOr<std::unique_ptr<Dir>> OpenDir(Dir& parent, const std::string& name,
                                         const FileInfo* expected) override {
    RETENTION_RETURN_IF_ERROR(CheckName(name));
    const std::string path = JoinPath(parent.path(), name);
    UniqueFd fd(OpenBeneath(FdOf(parent), name));
    if (fd.get() < 0) {
      int err = errno;
      if (err == ENOTDIR) {
        // Listed as a directory, now something else: a swap, not a vanish.
        return NotADirectory(
            FdOf(parent), name, path,
            expected != nullptr
                ? Status::Unsafe(path + ": replaced by a non-directory")
                : Status::FromErrno(err, "open directory " + path));
      }
      return Status::FromErrno(err, "open directory " + path);
    }
    StatusOr<FileInfo> info = StatxAt(fd.get(), "", path);
    if (!info.ok()) return info.status();
    RETENTION_RETURN_IF_ERROR(
        CheckSubdir(parent.info(), *info, expected, path));
    return std::unique_ptr<Dir>(
        std::make_unique<PosixDir>(std::move(fd), *info, path));
  }

  StatusOr<std::vector<std::string>> List(Dir& dir) override {
    // A fresh open file description of "." has its own offset: every listing
    // starts at the beginning and never disturbs the handle's descriptor.
    int fd = openat(FdOf(dir), ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (fd < 0) return Status::FromErrno(errno, "list " + dir.path());
    DIR* stream = fdopendir(fd);
    if (stream == nullptr) {
      int err = errno;
      close(fd);
      return Status::FromErrno(err, "list " + dir.path());
    }
    std::unique_ptr<DIR, int (*)(DIR*)> closer(stream, closedir);
    std::vector<std::string> names;
    for (;;) {
      errno = 0;
      const struct dirent* entry = readdir(stream);
      if (entry == nullptr) break;
      std::string_view name = entry->d_name;
      if (name != "." && name != "..") names.emplace_back(name);
    }
    if (errno != 0) return Status::FromErrno(errno, "list " + dir.path());
    return names;
  }

  StatusOr<FileInfo> StatAt(Dir& dir, const std::string& name) override {
    RETENTION_RETURN_IF_ERROR(CheckName(name));
    return StatxAt(FdOf(dir), name, JoinPath(dir.path(), name));
  }
  std::vector<StatusOr<FileInfo>> StatEach(
      Dir& dir, const std::vector<std::string>& names) override {
    return posix::StatxEach(FdOf(dir), dir.path(), names);
  }

  Status RemoveAt(Dir& dir, const std::string& name,
                  const FileInfo& expected) override {
    RETENTION_RETURN_IF_ERROR(CheckName(name));
    const std::string path = JoinPath(dir.path(), name);
    StatusOr<FileInfo> now = StatxAt(FdOf(dir), name, path);
    if (!now.ok()) {
      return now.status().errno_value() == ENOENT ? Status::Ok() : now.status();
    }
    RETENTION_RETURN_IF_ERROR(CheckRemovable(*now, expected, path));
    // A swap between the check and unlinkat cannot be excluded, but it stays
    // harmless: unlinkat removes only a name in this very directory (never a
    // target), and AT_REMOVEDIR only ever removes an empty directory.
    const int flags = now->type == FileType::kDirectory ? AT_REMOVEDIR : 0;
    if (unlinkat(FdOf(dir), name.c_str(), flags) == 0) return Status::Ok();
    int err = errno;
    if (err == ENOENT) return Status::Ok();  // someone else met the goal
    if (err == ENOTEMPTY || err == EEXIST)
      return Status::FromErrno(err, "rmdir " + path);
    return Status::FromErrno(err, "unlinkat " + path);
  }

  Status RenameAt(Dir& from, const std::string& from_name, Dir& to,
                  const std::string& to_name) override {
    RETENTION_RETURN_IF_ERROR(CheckName(from_name));
    RETENTION_RETURN_IF_ERROR(CheckName(to_name));
    // The raw syscall, because older glibc lacks the renameat2 wrapper.
    if (syscall(SYS_renameat2, FdOf(from), from_name.c_str(), FdOf(to),
                to_name.c_str(), RENAME_NOREPLACE) == 0) {
      return Status::Ok();
    }
    // EEXIST (the target exists) maps to kBusy.
    return Status::FromErrno(errno, "rename " +
                                        JoinPath(from.path(), from_name) +
                                        " to " + JoinPath(to.path(), to_name));
  }

  Status RenameDirAt(Dir& from, const std::string& from_name, Dir& to,
                     const std::string& to_name) override {
    RETENTION_RETURN_IF_ERROR(CheckName(from_name));
    RETENTION_RETURN_IF_ERROR(CheckName(to_name));
    // The trailing slash makes the kernel refuse (ENOTDIR), under the
    // rename's own locks, a source that is not a directory: no window in
    // which a symlink swapped in could be moved instead.
    const std::string from_dir = from_name + "/";
    if (syscall(SYS_renameat2, FdOf(from), from_dir.c_str(), FdOf(to),
                to_name.c_str(), RENAME_NOREPLACE) == 0) {
      return Status::Ok();
    }
    const int err = errno;
    const std::string what = "rename directory " +
                             JoinPath(from.path(), from_name) + " to " +
                             JoinPath(to.path(), to_name);
    if (err == ENOTDIR) return Status::Unsafe(what + ": not a directory");
    return Status::FromErrno(err, what);
  }

  Status ReplaceFileAt(Dir& dir, const std::string& from_name,
                       const std::string& to_name) override {
    RETENTION_RETURN_IF_ERROR(CheckName(from_name));
    RETENTION_RETURN_IF_ERROR(CheckName(to_name));
    const std::string what = "replace " + JoinPath(dir.path(), to_name);
    StatusOr<FileInfo> src = StatxAt(FdOf(dir), from_name, what);
    if (!src.ok()) return src.status();
    if (src->type != FileType::kRegular)
      return Status::Unsafe(what + ": source is not a regular file");
    StatusOr<FileInfo> dst = StatxAt(FdOf(dir), to_name, what);
    if (dst.ok() && dst->type != FileType::kRegular &&
        dst->type != FileType::kSymlink) {
      return Status::Unsafe(what + ": target is not a regular file or symlink");
    }
    if (renameat(FdOf(dir), from_name.c_str(), FdOf(dir), to_name.c_str()) !=
        0) {
      return Status::FromErrno(errno, what);
    }
    return Status::Ok();
  }

  Status MakeDirAt(Dir& dir, const std::string& name, uint32_t mode) override {
    RETENTION_RETURN_IF_ERROR(CheckName(name));
    if (mkdirat(FdOf(dir), name.c_str(), mode) == 0) return Status::Ok();
    return Status::FromErrno(errno, "mkdirat " + JoinPath(dir.path(), name));
  }

  StatusOr<std::unique_ptr<File>> CreateFileAt(Dir& dir,
                                               const std::string& name,
                                               uint32_t mode) override {
    RETENTION_RETURN_IF_ERROR(CheckName(name));
    const std::string path = JoinPath(dir.path(), name);
    // O_EXCL never follows a symlink: a link planted at `name` fails EEXIST.
    UniqueFd fd(openat(FdOf(dir), name.c_str(),
                       O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC,
                       mode));
    if (fd.get() < 0) return Status::FromErrno(errno, "create " + path);
    // The mode asked for, whatever the umask (the unit's is 0077): a
    // metrics file must stay readable by its collector, an archive keeps
    // its log's mode.
    if (fchmod(fd.get(), mode) != 0) {
      return Status::FromErrno(errno, "chmod " + path);
    }
    return NewPosixFile(std::move(fd), path);
  }

  StatusOr<std::unique_ptr<File>> OpenFileAt(Dir& dir,
                                             const std::string& name) override {
    const std::string path = JoinPath(dir.path(), name);
    StatusOr<UniqueFd> fd = OpenRegular(FdOf(dir), name, path);
    if (!fd.ok()) return fd.status();
    return NewPosixFile(std::move(fd).value(), path);
  }

  Status SyncDir(Dir& dir) override {
    if (fsync(FdOf(dir)) != 0) {
      return Status::FromErrno(errno, "fsync " + dir.path());
    }
    return Status::Ok();
  }

  StatusOr<DiskSpace> Space(Dir& dir) override {
    struct statvfs vfs;
    if (fstatvfs(FdOf(dir), &vfs) != 0) {
      return Status::FromErrno(errno, "fstatvfs " + dir.path());
    }
    return DiskSpace{static_cast<uint64_t>(vfs.f_bavail) * vfs.f_frsize,
                     static_cast<uint64_t>(vfs.f_blocks) * vfs.f_frsize};
  }

  Status SetModeAt(Dir& dir, const std::string& name, uint32_t mode) override {
    const std::string path = JoinPath(dir.path(), name);
    StatusOr<UniqueFd> fd = OpenRegular(FdOf(dir), name, path);
    if (!fd.ok()) return fd.status();
    if (fchmod(fd->get(), mode & 07777) != 0) {
      return Status::FromErrno(errno, "chmod " + path);
    }
    return Status::Ok();
  }

  StatusOr<bool> IsLocked(Dir& dir, const std::string& name) override {
    const std::string path = JoinPath(dir.path(), name);
    StatusOr<UniqueFd> fd =
        OpenRegular(FdOf(dir), name, path, /*blocking=*/false);
    if (!fd.ok()) return fd.status();
    // Probing takes the lock for an instant when it is free; a writer that
    // tries LOCK_NB in that instant fails once, which writers must handle
    // anyway. Closing the descriptor releases the probe's lock.
    if (flock(fd->get(), LOCK_EX | LOCK_NB) == 0) return false;
    if (errno == EWOULDBLOCK) return true;
    return Status::FromErrno(errno, "flock " + path);
  }

  StatusOr<std::vector<uint64_t>> LockedInodes(Dir& dir) override {
    return posix::LockedInodes(FdOf(dir));
  }

  StatusOr<bool> IsOpenForWritingAt(Dir& dir, const std::string& name,
                                    const FileInfo& expected) override {
    return posix::IsOpenForWriting(dir, name, expected);
  }

  StatusOr<std::unique_ptr<FileLock>> LockFileAt(
      Dir& dir, const std::string& name) override {
    RETENTION_RETURN_IF_ERROR(CheckName(name));
    const std::string path = JoinPath(dir.path(), name);
    UniqueFd fd(openat(FdOf(dir), name.c_str(),
                       O_RDWR | O_CREAT | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC,
                       0600));
    if (fd.get() < 0) return Status::FromErrno(errno, "open " + path);
    StatusOr<FileInfo> info = StatxAt(fd.get(), "", path);
    if (!info.ok()) return info.status();
    if (info->type != FileType::kRegular) {
      return Status::Unsafe(path + ": not a regular file");
    }
    if (flock(fd.get(), LOCK_EX | LOCK_NB) != 0) {
      return Status::FromErrno(errno, "flock " + path);
    }
    const std::string pid = std::to_string(getpid()) + "\n";
    if (ftruncate(fd.get(), 0) != 0 ||
        pwrite(fd.get(), pid.data(), pid.size(), 0) !=
            static_cast<ssize_t>(pid.size())) {
      return Status::FromErrno(errno, "write " + path);
    }
    return std::unique_ptr<FileLock>(
        std::make_unique<PosixFileLock>(std::move(fd)));
  }

 private:
  // Closing the descriptor releases the flock.
  class PosixFileLock final : public FileLock {
   public:
    explicit PosixFileLock(UniqueFd fd) : fd_(std::move(fd)) {}

   private:
    UniqueFd fd_;
  };

  static StatusOr<std::unique_ptr<Dir>> MakeDir(UniqueFd fd,
                                                const std::string& path) {
    StatusOr<FileInfo> info = StatxAt(fd.get(), "", path);
    if (!info.ok()) return info.status();
    return std::unique_ptr<Dir>(
        std::make_unique<PosixDir>(std::move(fd), *info, path));
  }

  // openat2 refuses symlinks, mounts and escapes in the kernel itself; where
  // it is missing (ENOSYS) or too old (E2BIG), openat plus the checks in
  // OpenDir give the same guarantees.
  int OpenBeneath(int dirfd, const std::string& name) {
    constexpr int kFlags = O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC;
    if (openat2_usable_.load(std::memory_order_relaxed)) {
      struct open_how how = {};
      how.flags = kFlags;
      how.resolve = RESOLVE_BENEATH | RESOLVE_NO_SYMLINKS | RESOLVE_NO_XDEV |
                    RESOLVE_NO_MAGICLINKS;
      long fd = syscall(SYS_openat2, dirfd, name.c_str(), &how, sizeof how);
      if (fd >= 0 || (errno != ENOSYS && errno != E2BIG)) {
        return static_cast<int>(fd);
      }
      openat2_usable_.store(false, std::memory_order_relaxed);
    }
    return openat(dirfd, name.c_str(), kFlags);
  }

  std::atomic<bool> openat2_usable_{true};
};

}  // namespace

int posix::DirFd(Dir& dir) { return FdOf(dir); }

void UsePrivateUmask() { umask(0077); }

std::unique_ptr<Filesystem> NewPosixFilesystem() {
  return std::make_unique<PosixFilesystem>();
}

}  // namespace retention
