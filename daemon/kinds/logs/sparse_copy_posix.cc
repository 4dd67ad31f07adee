// Copying what a writer without O_APPEND actually wrote (rotation_io_posix.h):
// such a writer keeps its offset across a cut and writes past the end,
// leaving a hole (and NUL bytes in the blocks at its edges). These copy
// only the data extents (SEEK_DATA / SEEK_HOLE) and leave out NUL bytes,
// which text logs never hold. Also the warnings that name such a writer.
#include <fcntl.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <vector>

#include "kinds/logs/rotation_io_posix.h"

namespace retention::posix {
namespace {

// Appends the non-NUL bytes of `from`'s [offset, end) to `to`.
Status CopyNonNul(int from, int to, uint64_t offset, uint64_t end,
                  const std::string& path, uint64_t* copied) {
  std::vector<char> buf(1 << 20);
  while (offset < end) {
    const size_t want = std::min<uint64_t>(end - offset, buf.size());
    StatusOr<size_t> n = ReadAt(from, buf.data(), want, offset);
    if (!n.ok()) return n.status();
    if (*n == 0) return Status::IoError(path + ": shrank while copied");
    auto last = std::remove(buf.begin(), buf.begin() + *n, '\0');
    const size_t keep = static_cast<size_t>(last - buf.begin());
    for (size_t done = 0; done < keep;) {
      ssize_t w = write(to, buf.data() + done, keep - done);
      if (w < 0 && errno == EINTR) continue;
      if (w < 0) return Status::FromErrno(errno, "write copy of " + path);
      done += static_cast<size_t>(w);
    }
    *copied += keep;
    offset += *n;
  }
  return Status::Ok();
}

}  // namespace

StatusOr<uint64_t> CopyWritten(int from, int to, uint64_t offset,
                               uint64_t length, const std::string& path) {
  const uint64_t end = offset + length;
  uint64_t copied = 0;
  while (offset < end) {
    const off_t data = lseek(from, static_cast<off_t>(offset), SEEK_DATA);
    if (data < 0 && errno == ENXIO) break;  // a hole to the end of the file
    if (data < 0) return Status::FromErrno(errno, "SEEK_DATA " + path);
    if (static_cast<uint64_t>(data) >= end) break;
    const off_t hole = lseek(from, data, SEEK_HOLE);
    if (hole < 0) return Status::FromErrno(errno, "SEEK_HOLE " + path);
    const uint64_t stop = std::min<uint64_t>(static_cast<uint64_t>(hole), end);
    RETENTION_RETURN_IF_ERROR(CopyNonNul(from, to, static_cast<uint64_t>(data),
                                         stop, path, &copied));
    offset = stop;
  }
  return copied;
}

StatusOr<bool> HoleBefore(int fd, uint64_t n, const std::string& path) {
  const off_t hole = lseek(fd, 0, SEEK_HOLE);
  if (hole < 0) return Status::FromErrno(errno, "SEEK_HOLE " + path);
  return static_cast<uint64_t>(hole) < n;
}

Status PunchHead(int fd, uint64_t n, const std::string& path) {
  if (fallocate(fd, FALLOC_FL_PUNCH_HOLE | FALLOC_FL_KEEP_SIZE, 0,
                static_cast<off_t>(n)) != 0) {
    return Status::FromErrno(errno, "punch the head of " + path);
  }
  return SyncFd(fd, path);
}

StatusOr<uint64_t> UnwrittenHead(int fd, uint64_t size,
                                 const std::string& path) {
  const off_t data = lseek(fd, 0, SEEK_DATA);
  if (data < 0 && errno == ENXIO) return size;  // nothing but a hole
  if (data < 0) return Status::FromErrno(errno, "SEEK_DATA " + path);
  return std::min<uint64_t>(static_cast<uint64_t>(data), size);
}

void WarnNonAppendWriters(const FileInfo& info, const std::string& path,
                          RotationResult* result) {
  StatusOr<std::vector<int>> pids = NonAppendWriters(info);
  // Only a warning depends on the scan; the rotation is the same either way.
  if (!pids.ok()) return;
  for (int pid : *pids) {
    result->warnings.push_back(
        path + ": writer pid " + std::to_string(pid) +
        " does not use O_APPEND; truncation leaves a NUL-filled hole");
  }
}

// A writer without O_APPEND keeps its offset across a truncation and writes
// past the new end, leaving a hole: the one sign of such a writer that
// needs no look into its process. Holes elsewhere are rare in logs (a
// preallocated, never written range reads as one too, hence "likely").
void WarnHole(int fd, uint64_t size, const std::string& path,
              RotationResult* result) {
  const off_t hole = lseek(fd, 0, SEEK_HOLE);
  if (hole < 0 || static_cast<uint64_t>(hole) >= size) return;
  const off_t data = lseek(fd, hole, SEEK_DATA);
  const uint64_t end = data < 0 ? size : static_cast<uint64_t>(data);
  result->warnings.push_back(
      path + ": " + std::to_string(end - static_cast<uint64_t>(hole)) +
      " bytes at offset " + std::to_string(hole) +
      " were never written (NUL bytes when read): likely a writer without "
      "O_APPEND that wrote past the end after an earlier rotation");
}

}  // namespace retention::posix
