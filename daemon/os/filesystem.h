// Filesystem: every file operation retentiond performs, relative to open
// directory handles, so that no full path is ever handed to the kernel after
// a root is opened. The POSIX implementation (filesystem_posix.cc) enforces
// the safe-deletion rules of DESIGN.md: it never follows a symlink below a
// root, never crosses a mount, and re-checks identity (device + inode) before
// it removes anything. Tests use FakeFilesystem (tests/fakes/).
//
// Threading: a Filesystem may be used from several threads at once; a Dir or
// File handle belongs to one thread at a time.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "base/clock.h"
#include "base/status.h"

namespace retention {

enum class FileType { kRegular, kDirectory, kSymlink, kOther };

struct FileInfo {
  FileType type = FileType::kOther;
  uint64_t dev = 0;
  uint64_t ino = 0;
  uint32_t mode = 0;  // permission bits only
  uint32_t uid = 0;
  uint32_t gid = 0;
  uint64_t nlink = 0;
  uint64_t size = 0;    // apparent bytes
  uint64_t blocks = 0;  // allocated 512-byte blocks
  WallTime mtime{};
  WallTime ctime{};
  WallTime atime{};
  bool mount_root = false;  // the entry is the root of another mount

  bool SameIdentity(const FileInfo& o) const {
    return dev == o.dev && ino == o.ino;
  }
};

struct DiskSpace {
  uint64_t available = 0;
  uint64_t total = 0;
};

// An open directory. Created only by a Filesystem; closed on destruction.
class Dir {
 public:
  virtual ~Dir() = default;
  // The identity the handle was verified against when opened.
  virtual const FileInfo& info() const = 0;
  // For messages and the ledger only; never used to reach the directory.
  virtual const std::string& path() const = 0;
};

// An open regular file.
class File {
 public:
  virtual ~File() = default;
  // Appends all of `data` or fails (kNoSpace on ENOSPC/EDQUOT).
  virtual Status Write(std::string_view data) = 0;
  // Reads up to `max` bytes at the current offset; empty at end of file.
  virtual Status Read(size_t max, std::string* out) = 0;
  // fsync.
  virtual Status Sync() = 0;
  virtual StatusOr<FileInfo> Stat() = 0;
};

// An exclusive lock on a file, held until destroyed (see LockFileAt).
class FileLock {
 public:
  virtual ~FileLock() = default;
};

class Filesystem {
 public:
  virtual ~Filesystem() = default;

  // Opens an absolute path as a policy root. Symlinks in the path's parents
  // are resolved (the administrator configured it); the last component must
  // be a real directory, not a symlink. Fails kNotFound, kUnsafe (a symlink),
  // kInvalidArgument (not absolute, not a directory), kPermissionDenied.
  virtual StatusOr<std::unique_ptr<Dir>> OpenRoot(const std::string& path) = 0;

  // Opens the subdirectory `name` (one component, no '/') of `parent`.
  // Fails kUnsafe if it is a symlink or on another filesystem (a mount),
  // kNotFound if it vanished; if `expected` is given, kUnsafe also when the
  // opened directory is not that inode (it was swapped since it was listed).
  virtual StatusOr<std::unique_ptr<Dir>> OpenDir(
      Dir& parent, const std::string& name,
      const FileInfo* expected = nullptr) = 0;

  // Names in `dir`, without "." and "..", in no particular order.
  virtual StatusOr<std::vector<std::string>> List(Dir& dir) = 0;

  // lstat of `name` in `dir` (never follows a symlink, never automounts).
  virtual StatusOr<FileInfo> StatAt(Dir& dir, const std::string& name) = 0;

  // StatAt of each of `names`, in order. The POSIX filesystem spreads a
  // long list over two threads.
  virtual std::vector<StatusOr<FileInfo>> StatEach(
      Dir& dir, const std::vector<std::string>& names) {
    std::vector<StatusOr<FileInfo>> out;
    out.reserve(names.size());
    for (const std::string& name : names) out.push_back(StatAt(dir, name));
    return out;
  }

  // Removes `name` from `dir` if it still is the inode `expected` describes:
  // a regular file, a symlink (itself), or an empty directory. Anything else
  // (device, FIFO, socket, a different inode, a mount root) fails kUnsafe and
  // removes nothing. Already gone: OK. A non-empty directory: kBusy.
  virtual Status RemoveAt(Dir& dir, const std::string& name,
                          const FileInfo& expected) = 0;

  // Renames without replacing an existing target (kBusy if it exists).
  // Both directories must be on the same filesystem.
  virtual Status RenameAt(Dir& from, const std::string& from_name, Dir& to,
                          const std::string& to_name) = 0;

  // RenameAt that moves only a directory, decided by the kernel in the
  // rename itself: if `from_name` is anything else at that instant (a
  // symlink swapped in, a file), nothing moves and it fails kUnsafe. A
  // vanished `from_name` fails kNotFound, an existing target kBusy.
  virtual Status RenameDirAt(Dir& from, const std::string& from_name, Dir& to,
                             const std::string& to_name) = 0;

  // Renames the regular file `from_name` to `to_name` in the same `dir`,
  // atomically replacing what `to_name` was (a regular file or a symlink,
  // the link itself; a directory or anything else fails kUnsafe). The way
  // to publish a file written beside its target and fsynced.
  virtual Status ReplaceFileAt(Dir& dir, const std::string& from_name,
                               const std::string& to_name) = 0;

  // Creates `name` in `dir` with `mode`; fails kBusy if it exists.
  virtual Status MakeDirAt(Dir& dir, const std::string& name,
                           uint32_t mode) = 0;

  // Creates a new regular file `name` (O_EXCL, O_NOFOLLOW) for writing,
  // with exactly `mode`: the process's umask does not apply.
  virtual StatusOr<std::unique_ptr<File>> CreateFileAt(Dir& dir,
                                                       const std::string& name,
                                                       uint32_t mode) = 0;

  // Sets the permission bits of the existing regular file `name` to exactly
  // `mode` (never through a symlink; anything but a regular file fails
  // kUnsafe).
  virtual Status SetModeAt(Dir& dir, const std::string& name,
                           uint32_t mode) = 0;

  // Opens an existing regular file for reading (O_NOFOLLOW; a symlink or
  // non-regular file fails kUnsafe).
  virtual StatusOr<std::unique_ptr<File>> OpenFileAt(
      Dir& dir, const std::string& name) = 0;

  // fsync of the directory itself, after creating or renaming in it.
  virtual Status SyncDir(Dir& dir) = 0;

  // The size of the filesystem holding `dir` and the bytes available on it
  // to unprivileged users (df's Size and Avail).
  virtual StatusOr<DiskSpace> Space(Dir& dir) = 0;

  // True if another process holds an flock(2) on `name` in `dir`.
  virtual StatusOr<bool> IsLocked(Dir& dir, const std::string& name) = 0;

  // The inode numbers, ascending, of every file on `dir`'s filesystem that
  // a process may hold an flock(2) on right now: IsLocked is false for a
  // file whose inode number is not among them, so it need not be asked. The
  // list may name more (other kinds of locks, other filesystems): ask
  // IsLocked of those. It is one read of the kernel's lock table
  // (/proc/locks, twice, until two reads agree), and like IsLocked it tells
  // the moment it was asked: a lock taken after it is not seen. Fails
  // kFailedPrecondition where that table may not list every flock on the
  // file — a filesystem whose locks can be held by other machines or a
  // userspace server (only ext2/3/4, XFS, Btrfs and tmpfs qualify), a caller
  // outside the initial PID namespace (the table hides the locks of
  // processes it cannot see), a table that kept changing while read — or
  // with the error that kept /proc/locks from being read or parsed; callers
  // then ask IsLocked of every file.
  virtual StatusOr<std::vector<uint64_t>> LockedInodes(Dir& dir) = 0;

  // Whether a process (any user's, in any PID namespace, the caller
  // included) has the regular file `name` in `dir`, still the file `file`
  // (dev, ino), open for writing; a writable shared mapping counts too.
  // Asked of the kernel: a read lease (F_SETLEASE F_RDLCK) on a fresh
  // read-only descriptor is granted only while no file description of the
  // inode is open for writing, and is released at once. That needs the file's
  // owner or CAP_LEASE, never access to other processes. Readers do not count.
  // Where the kernel refuses the lease (EACCES without CAP_LEASE, EINVAL on
  // filesystems without leases such as NFS, CIFS or FUSE, or with
  // fs.leases-enable = 0), falls back to the /proc/*/fd scan: true if it saw
  // a writer, false if it saw every process and no writer, else fails
  // kFailedPrecondition (it cannot tell). Fails kNotFound if `name` is gone,
  // kAborted if it is another file now, kUnsafe if not a regular file, kBusy
  // if another process holds a write lease on it.
  // While the lease is held (microseconds), a process opening the file for
  // writing waits for its release (one opening with O_NONBLOCK fails
  // EWOULDBLOCK), and the kernel signals the caller with SIGURG, which is
  // ignored unless the process handles it.
  virtual StatusOr<bool> IsOpenForWritingAt(Dir& dir, const std::string& name,
                                            const FileInfo& expected) = 0;

  // Opens or creates the regular file `name` (mode 0600, never through a
  // symlink), takes an exclusive flock(2) on it without waiting, and writes
  // the holder's process id into it. kBusy (EWOULDBLOCK) while another
  // holder has it; kUnsafe if `name` is not a regular file. The kernel
  // releases the lock when the holder dies, so a killed process leaves no
  // stale lock behind.
  virtual StatusOr<std::unique_ptr<FileLock>> LockFileAt(
      Dir& dir, const std::string& name) = 0;
};

// The real filesystem. Constructed only by main().
std::unique_ptr<Filesystem> NewPosixFilesystem();

// Sets the process's umask to 0077, so a file something else creates for
// the daemon (SQLite's -wal and -shm files) is private whatever umask the
// daemon was started with. Files the daemon creates itself get their mode
// explicitly (CreateFileAt, MakeDirAt). For main() only.
void UsePrivateUmask();

}  // namespace retention
