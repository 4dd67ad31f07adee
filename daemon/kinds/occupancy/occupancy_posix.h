// Low-level helpers shared by the occupancy scanner's POSIX files: reading a
// directory with getdents64 into a large buffer, statx without following
// symlinks, opening a directory beneath a handle. Only *_posix.cc include it.
//
// Threading: stateless; each thread passes its own buffer.
#pragma once

#include <fcntl.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace retention {

// What the scanner asks statx for: no timestamps, no owner.
constexpr unsigned kScanStatxMask =
    STATX_TYPE | STATX_NLINK | STATX_INO | STATX_SIZE | STATX_BLOCKS;

// statx(dirfd, name) without following a symlink or triggering an
// automount; -errno on failure, 0 on success.
int StatxNoFollow(int dirfd, const char* name, struct statx* stx);

// statx of the open handle itself.
int StatxFd(int fd, struct statx* stx);

inline uint64_t StatxDev(const struct statx& stx) {
  return makedev(stx.stx_dev_major, stx.stx_dev_minor);
}

// Opens directory `name` beneath `dirfd` (O_NOFOLLOW: a symlink fails with
// ELOOP/ENOTDIR). Returns the fd or -errno.
int OpenDirAt(int dirfd, const char* name);

// Opens a relative path of directories, one component at a time, each
// without following symlinks. Returns the fd or -errno.
int OpenDirPath(int dirfd, const std::string& relative);

// One getdents64 call: bytes read into `buffer`, 0 at the end, or -errno.
long ReadDirents(int fd, std::vector<char>* buffer);

// Calls fn(name, d_type) for each entry but "." and ".." of the directory
// open at fd, reading with getdents64 into `buffer` (a template so the
// per-entry call inlines). Returns 0 or -errno.
template <typename Fn>
int ForEachEntry(int fd, std::vector<char>* buffer, Fn&& fn) {
  for (;;) {
    const long n = ReadDirents(fd, buffer);
    if (n <= 0) return static_cast<int>(n);
    for (long pos = 0; pos < n;) {
      const char* rec = buffer->data() + pos;
      uint16_t reclen;
      __builtin_memcpy(&reclen, rec + 16, sizeof reclen);
      const unsigned char type = static_cast<unsigned char>(rec[18]);
      const char* name = rec + 19;
      pos += reclen;
      if (name[0] == '.' &&
          (name[1] == 0 || (name[1] == '.' && name[2] == 0))) {
        continue;
      }
      fn(name, type);
    }
  }
}

}  // namespace retention
