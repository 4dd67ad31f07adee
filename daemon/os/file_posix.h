// Building blocks of the POSIX Filesystem (filesystem_posix.cc), shared with
// nothing else: an owning file descriptor, statx into FileInfo, the
// single-component name rule, and the File implementation. Only *_posix.cc
// files include this header. Everything here is thread-compatible: a UniqueFd
// or File belongs to one thread at a time; the free functions are reentrant.
#pragma once

#include <unistd.h>

#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "os/filesystem.h"
#include "os/fs_rules.h"

namespace retention::posix {

// Owns a file descriptor and closes it once. Close errors are ignored on
// purpose: data-bearing files report write-back errors through File::Sync,
// which callers run before they rely on the data.
class UniqueFd {
 public:
  explicit UniqueFd(int fd = -1) : fd_(fd) {}
  UniqueFd(UniqueFd&& o) noexcept : fd_(std::exchange(o.fd_, -1)) {}
  UniqueFd& operator=(UniqueFd&& o) noexcept {
    std::swap(fd_, o.fd_);
    return *this;
  }
  ~UniqueFd() {
    if (fd_ >= 0) close(fd_);
  }
  int get() const { return fd_; }

 private:
  int fd_;
};

// lstat (statx, AT_SYMLINK_NOFOLLOW | AT_NO_AUTOMOUNT) of `name` in `dirfd`,
// or of `dirfd` itself when `name` is empty. `path` names it in errors.
StatusOr<FileInfo> StatxAt(int dirfd, const std::string& name,
                           const std::string& path);

// StatxAt of each of `names` in `dirfd`, in order (a name that is not a
// single component fails kInvalidArgument); `dir_path` names them in
// errors. A long list is split with a second thread: the statx calls of
// one directory's entries run in parallel, as lookups take no directory
// lock (20,000 entries: 90 ms alone, 70 ms in two).
std::vector<StatusOr<FileInfo>> StatxEach(int dirfd,
                                          const std::string& dir_path,
                                          const std::vector<std::string>& names);

// A File over `fd`, which must be open; `path` names it in errors. Reading
// advises the kernel that access is sequential and drops the pages already
// read from the page cache (files are read once, front to back).
std::unique_ptr<File> NewPosixFile(UniqueFd fd, std::string path);

// Opens the existing regular file `name` in `dirfd` for reading, in blocking
// mode unless `blocking` is false (a probe that never reads, such as a lock
// test, saves the two fcntl calls). Fails kUnsafe for a symlink (ELOOP) or a
// non-regular file, kNotFound if it is missing; never blocks on a FIFO.
StatusOr<UniqueFd> OpenRegular(int dirfd, const std::string& name,
                               const std::string& path, bool blocking = true);

// Filesystem::LockedInodes for the filesystem of the directory `dirfd`.
StatusOr<std::vector<uint64_t>> LockedInodes(int dirfd);

// The descriptor of a Dir opened by the POSIX Filesystem (implemented in
// filesystem_posix.cc), for other *_posix.cc code that must call the OS
// relative to it (log rotation). The Dir keeps ownership; the descriptor is
// valid while the Dir lives. Precondition: `dir` came from
// NewPosixFilesystem().
int DirFd(Dir& dir);

// Filesystem::IsOpenForWritingAt (implemented in writers_posix.cc, with
// the /proc scan it falls back on).
StatusOr<bool> IsOpenForWriting(Dir& dir, const std::string& name,
                                const FileInfo& expected);

// Process ids (sorted, distinct; the caller excluded) that /proc/*/fd shows
// holding `file` open for writing. Best effort, for naming writers in
// messages: processes the caller may not inspect are not in the list.
StatusOr<std::vector<int>> VisibleWriters(const FileInfo& file);

// Process ids (sorted, distinct; the caller excluded) holding `file` open
// for writing without O_APPEND (/proc/PID/fdinfo flags). Best effort like
// VisibleWriters: nothing but /proc tells how a file was opened.
StatusOr<std::vector<int>> NonAppendWriters(const FileInfo& file);

}  // namespace retention::posix
