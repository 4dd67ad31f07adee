// Building blocks of the POSIX Filesystem; see file_posix.h.
#include "os/file_posix.h"

#include <fcntl.h>
#include <linux/magic.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <sys/sysmacros.h>

#include <cerrno>
#include <charconv>
#include <system_error>
#include <thread>

#include "os/proc_locks.h"

namespace retention::posix {
namespace {

// Everything a FileInfo needs; all of it is in the basic statx set.
constexpr unsigned kStatxMask = STATX_BASIC_STATS;

WallTime ToWall(const struct statx_timestamp& ts) {
  return WallTime(std::chrono::seconds(ts.tv_sec) +
                  std::chrono::nanoseconds(ts.tv_nsec));
}

FileType TypeOf(uint32_t mode) {
  switch (mode & S_IFMT) {
    case S_IFREG:
      return FileType::kRegular;
    case S_IFDIR:
      return FileType::kDirectory;
    case S_IFLNK:
      return FileType::kSymlink;
    default:
      return FileType::kOther;
  }
}

std::string ToHex(unsigned long value) {
  char buf[2 * sizeof value];
  auto end = std::to_chars(buf, buf + sizeof buf, value, 16).ptr;
  return std::string(buf, end);
}

// statx of `name` in `dirfd` (of `dirfd` itself when `name` is empty),
// never following a symlink or triggering an automount.
int Lstatx(int dirfd, const std::string& name, struct statx* sx) {
  int flags = AT_SYMLINK_NOFOLLOW | AT_NO_AUTOMOUNT;
  if (name.empty()) flags |= AT_EMPTY_PATH;
  return statx(dirfd, name.c_str(), flags, kStatxMask, sx);
}

FileInfo FromStatx(const struct statx& sx) {
  FileInfo info;
  info.type = TypeOf(sx.stx_mode);
  info.dev = makedev(sx.stx_dev_major, sx.stx_dev_minor);
  info.ino = sx.stx_ino;
  info.mode = sx.stx_mode & 07777;
  info.uid = sx.stx_uid;
  info.gid = sx.stx_gid;
  info.nlink = sx.stx_nlink;
  info.size = sx.stx_size;
  info.blocks = sx.stx_blocks;
  info.mtime = ToWall(sx.stx_mtime);
  info.ctime = ToWall(sx.stx_ctime);
  info.atime = ToWall(sx.stx_atime);
  // Kernels before 5.8 do not report the attribute; the st_dev comparison
  // in OpenDir still catches mounts of other filesystems there.
  info.mount_root = (sx.stx_attributes_mask & STATX_ATTR_MOUNT_ROOT) &&
                    (sx.stx_attributes & STATX_ATTR_MOUNT_ROOT);
  return info;
}

class PosixFile final : public File {
 public:
  PosixFile(UniqueFd fd, std::string path)
      : fd_(std::move(fd)), path_(std::move(path)) {}

  Status Write(std::string_view data) override {
    while (!data.empty()) {
      ssize_t n = write(fd_.get(), data.data(), data.size());
      if (n < 0 && errno == EINTR) continue;
      if (n < 0) return Status::FromErrno(errno, "write " + path_);
      data.remove_prefix(static_cast<size_t>(n));
    }
    return Status::Ok();
  }

  Status Read(size_t max, std::string* out) override {
    if (read_ == 0) {
      // Files are read front to back: a larger readahead window helps.
      // Advice only; ignoring a failure costs speed, never correctness.
      (void)posix_fadvise(fd_.get(), 0, 0, POSIX_FADV_SEQUENTIAL);
    }
    out->resize(max);
    ssize_t n;
    do {
      n = read(fd_.get(), out->data(), max);
    } while (n < 0 && errno == EINTR);
    if (n < 0) {
      int err = errno;
      out->clear();
      return Status::FromErrno(err, "read " + path_);
    }
    out->resize(static_cast<size_t>(n));
    read_ += static_cast<uint64_t>(n);
    DropReadPages(n == 0);
    return Status::Ok();
  }

  Status Sync() override {
    if (fsync(fd_.get()) != 0) {
      return Status::FromErrno(errno, "fsync " + path_);
    }
    return Status::Ok();
  }

  StatusOr<FileInfo> Stat() override { return StatxAt(fd_.get(), "", path_); }

 private:
  // What retentiond reads (rotated logs on their way into an archive) it
  // reads once, so the pages behind the read offset leave the page cache
  // rather than push out the application's working set. The range starts
  // at 0 each time because the kernel drops only whole folios, which may be
  // larger than one read; skipping what is already gone is cheap. At the end
  // of the file, the whole file (length 0) takes the last partial page too.
  // Advice only, and dirty pages stay, so a failure is ignored on purpose.
  void DropReadPages(bool at_end) {
    const off_t upto = static_cast<off_t>(read_ & ~uint64_t{kPage - 1});
    if (upto == 0 && !at_end) return;
    (void)posix_fadvise(fd_.get(), 0, at_end ? 0 : upto, POSIX_FADV_DONTNEED);
  }

  static constexpr uint64_t kPage = 4096;  // the smallest; the kernel rounds
  UniqueFd fd_;
  std::string path_;
  uint64_t read_ = 0;  // bytes read through this handle
};

// Whether every lock on the filesystem of `fd` is one this kernel's lock
// table lists: not so where other machines or a userspace server hold locks
// too (NFS, CIFS, FUSE, cluster filesystems), which only a probe sees.
Status CheckLocksAreLocal(int fd) {
  struct statfs sfs;
  if (fstatfs(fd, &sfs) != 0) return Status::FromErrno(errno, "fstatfs");
  switch (static_cast<unsigned long>(sfs.f_type)) {
    case EXT4_SUPER_MAGIC:  // ext2 and ext3 too
    case XFS_SUPER_MAGIC:
    case BTRFS_SUPER_MAGIC:
    case TMPFS_MAGIC:
      return Status::Ok();
    default:
      return Status::FailedPrecondition(
          "/proc/locks may not list every lock on a filesystem of type 0x" +
          ToHex(static_cast<unsigned long>(sfs.f_type)));
  }
}

// The initial PID namespace's fixed inode number (PROC_PID_INIT_INO in the
// kernel's include/linux/proc_ns.h).
constexpr ino_t kInitialPidNamespace = 0xEFFFFFFC;

// /proc/locks leaves out the locks of processes outside the PID namespace
// of its proc mount. /proc/self resolves only in this process's own
// namespace or an ancestor, and the initial one has none: a process in it
// reads the table of every process.
Status CheckInitialPidNamespace() {
  struct stat st;
  if (stat("/proc/self/ns/pid", &st) != 0) {
    return Status::FromErrno(errno, "stat /proc/self/ns/pid");
  }
  if (st.st_ino != kInitialPidNamespace) {
    return Status::FailedPrecondition(
        "/proc/locks hides the locks of processes outside this PID "
        "namespace");
  }
  return Status::Ok();
}

// One reading of /proc/locks (procfs's only): its text, and how many
// read() calls returned some of it.
struct LockTable {
  std::string text;
  int reads = 0;
};

StatusOr<LockTable> ReadProcLocks() {
  constexpr size_t kMaxBytes = size_t{1} << 20;  // ~19,000 locks
  UniqueFd fd(open("/proc/locks", O_RDONLY | O_CLOEXEC));
  if (fd.get() < 0) return Status::FromErrno(errno, "open /proc/locks");
  struct statfs sfs;
  if (fstatfs(fd.get(), &sfs) != 0 || sfs.f_type != PROC_SUPER_MAGIC) {
    return Status::FailedPrecondition("/proc/locks is not procfs's");
  }
  LockTable table;
  char buf[16384];
  for (;;) {
    const ssize_t n = read(fd.get(), buf, sizeof buf);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) return Status::FromErrno(errno, "read /proc/locks");
    if (n == 0) return table;
    table.text.append(buf, static_cast<size_t>(n));
    ++table.reads;
    if (table.text.size() > kMaxBytes) {
      return Status::FailedPrecondition("/proc/locks: over 1 MiB of locks");
    }
  }
}

}  // namespace

// The kernel formats the table into a page-sized buffer per read(), with
// every change to the table held off (file_rwsem taken for writing): a
// table that came in one read() of at most half a page is a snapshot (a
// record left for the next read() would be a lock with dozens of waiters).
// A longer one resumes each read() by position, so a lock released between
// two pages shifts the rest and the one at the seam goes unprinted: it is
// read again, and used only once two readings agree line for line.
StatusOr<std::vector<uint64_t>> LockedInodes(int dirfd) {
  RETENTION_RETURN_IF_ERROR(CheckLocksAreLocal(dirfd));
  RETENTION_RETURN_IF_ERROR(CheckInitialPidNamespace());
  StatusOr<LockTable> last = ReadProcLocks();
  if (!last.ok()) return last.status();
  const size_t half_page = static_cast<size_t>(sysconf(_SC_PAGESIZE)) / 2;
  if (last->reads <= 1 && last->text.size() <= half_page) {
    return ParseProcLocks(last->text);
  }
  for (int tries = 0; tries < 3; ++tries) {
    StatusOr<LockTable> again = ReadProcLocks();
    if (!again.ok()) return again.status();
    if (again->text == last->text) return ParseProcLocks(again->text);
    last = std::move(again);
  }
  return Status::FailedPrecondition("/proc/locks kept changing while read");
}

StatusOr<FileInfo> StatxAt(int dirfd, const std::string& name,
                           const std::string& path) {
  struct statx sx;
  if (Lstatx(dirfd, name, &sx) != 0) {
    return Status::FromErrno(errno, "statx " + path);
  }
  return FromStatx(sx);
}

namespace {

// Below this many names a second thread costs more than it saves: starting
// one takes some 50 us, a statx 2-5 us.
constexpr size_t kParallelStatMin = 256;

void StatxRange(int dirfd, const std::string& dir_path,
                const std::vector<std::string>& names, size_t from, size_t to,
                std::vector<StatusOr<FileInfo>>* out) {
  for (size_t i = from; i < to; ++i) {
    Status named = CheckName(names[i]);
    if (!named.ok()) {
      (*out)[i] = named;
      continue;
    }
    struct statx sx;
    // The path for a message is built only for a failure.
    if (Lstatx(dirfd, names[i], &sx) != 0) {
      (*out)[i] = Status::FromErrno(errno, "statx " + JoinPath(dir_path,
                                                               names[i]));
      continue;
    }
    (*out)[i] = FromStatx(sx);
  }
}

}  // namespace

std::vector<StatusOr<FileInfo>> StatxEach(
    int dirfd, const std::string& dir_path,
    const std::vector<std::string>& names) {
  std::vector<StatusOr<FileInfo>> out(
      names.size(), StatusOr<FileInfo>(Status::Aborted("not statted")));
  const size_t half = names.size() / 2;
  std::thread second;
  if (names.size() >= kParallelStatMin) {
    try {
      second = std::thread(StatxRange, dirfd, std::cref(dir_path),
                           std::cref(names), half, names.size(), &out);
    } catch (const std::system_error&) {
      // No thread to be had (a task limit): one thread does it all.
    }
  }
  StatxRange(dirfd, dir_path, names, 0,
             second.joinable() ? half : names.size(), &out);
  if (second.joinable()) second.join();
  return out;
}

std::unique_ptr<File> NewPosixFile(UniqueFd fd, std::string path) {
  return std::make_unique<PosixFile>(std::move(fd), std::move(path));
}

// Opens an existing regular file for reading without following a symlink.
// O_NONBLOCK keeps a FIFO from blocking the open; the type is then checked on
// the handle itself, so nothing can swap the name between check and use.
StatusOr<UniqueFd> OpenRegular(int dirfd, const std::string& name,
                               const std::string& path, bool blocking) {
  RETENTION_RETURN_IF_ERROR(CheckName(name));
  UniqueFd fd(
      openat(dirfd, name.c_str(),
             O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_NOCTTY | O_CLOEXEC));
  if (fd.get() < 0) return Status::FromErrno(errno, "open " + path);
  StatusOr<FileInfo> info = StatxAt(fd.get(), "", path);
  if (!info.ok()) return info.status();
  if (info->type != FileType::kRegular) {
    return Status::Unsafe(path + ": not a regular file");
  }
  if (!blocking) return fd;  // a probe that never reads keeps O_NONBLOCK
  int flags = fcntl(fd.get(), F_GETFL);
  if (flags < 0 || fcntl(fd.get(), F_SETFL, flags & ~O_NONBLOCK) < 0) {
    return Status::FromErrno(errno, "fcntl " + path);
  }
  return fd;
}

}  // namespace retention::posix
