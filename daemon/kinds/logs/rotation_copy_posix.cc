// Copying and comparing a log's bytes for a rotation (rotation_io_posix.h):
// the physical address of an offset (FIEMAP), a range copied with
// copy_file_range or by reading, two heads compared.
#include <fcntl.h>
#include <linux/fiemap.h>
#include <linux/fs.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <vector>

#include "kinds/logs/rotation_io_posix.h"

namespace retention::posix {
namespace {

// The portable copy, where copy_file_range does not apply.
Status CopyByReading(int from, int to, uint64_t offset, uint64_t length,
                     const std::string& path) {
  std::vector<char> buf(1 << 20);
  while (length > 0) {
    size_t want = std::min<uint64_t>(length, buf.size());
    StatusOr<size_t> n = ReadAt(from, buf.data(), want, offset);
    if (!n.ok()) return n.status();
    if (*n == 0) return Status::IoError(path + ": shrank while copied");
    RETENTION_RETURN_IF_ERROR(
        WriteAll(to, std::string_view(buf.data(), *n), path));
    offset += *n;
    length -= *n;
  }
  return Status::Ok();
}

// One FIEMAP of the extent holding `offset`, with `flags`.
StatusOr<struct fiemap_extent> ExtentAt(int fd, uint64_t offset,
                                        uint32_t flags,
                                        const std::string& path) {
  alignas(struct fiemap) char
      buf[sizeof(struct fiemap) + sizeof(struct fiemap_extent)] = {};
  auto* map = reinterpret_cast<struct fiemap*>(buf);
  map->fm_start = offset;
  map->fm_length = 1;
  map->fm_flags = flags;
  map->fm_extent_count = 1;
  if (ioctl(fd, FS_IOC_FIEMAP, map) != 0) {
    return Status::FromErrno(errno, "FIEMAP " + path);
  }
  const struct fiemap_extent& e = map->fm_extents[0];
  if (map->fm_mapped_extents != 1 || e.fe_logical > offset ||
      offset - e.fe_logical >= e.fe_length) {
    return Status::FailedPrecondition(path + ": byte " +
                                      std::to_string(offset) + " is a hole");
  }
  return e;
}

}  // namespace

StatusOr<uint64_t> PhysicalAddress(int fd, uint64_t offset,
                                   const std::string& path) {
  // Only the page holding `offset` is written back first (it gets its
  // blocks then): FIEMAP_FLAG_SYNC would write back the whole file, the
  // writer's latest megabytes included, while the cut waits. Where the
  // extent is still delayed after that, the whole file is synced after all.
  sync_file_range(fd, static_cast<off_t>(offset), 1,
                  SYNC_FILE_RANGE_WAIT_BEFORE | SYNC_FILE_RANGE_WRITE |
                      SYNC_FILE_RANGE_WAIT_AFTER);
  StatusOr<struct fiemap_extent> e = ExtentAt(fd, offset, 0, path);
  if (e.ok() && (e->fe_flags & (FIEMAP_EXTENT_UNKNOWN |
                                FIEMAP_EXTENT_DELALLOC)) != 0) {
    e = ExtentAt(fd, offset, FIEMAP_FLAG_SYNC, path);
  }
  if (!e.ok()) return e.status();
  // Addresses that are unknown, or that copy-on-write may change while the
  // writer appends, cannot tell a collapse apart.
  constexpr uint32_t kUnusable =
      FIEMAP_EXTENT_UNKNOWN | FIEMAP_EXTENT_DELALLOC | FIEMAP_EXTENT_ENCODED |
      FIEMAP_EXTENT_DATA_ENCRYPTED | FIEMAP_EXTENT_NOT_ALIGNED |
      FIEMAP_EXTENT_DATA_INLINE | FIEMAP_EXTENT_DATA_TAIL |
      FIEMAP_EXTENT_SHARED;
  if (e->fe_flags & kUnusable) {
    return Status::FailedPrecondition(path + ": byte " +
                                      std::to_string(offset) +
                                      " has no plain physical address");
  }
  return e->fe_physical + (offset - e->fe_logical);
}

Status CopyRange(int from, int to, uint64_t offset, uint64_t length,
                 const std::string& path) {
  while (length > 0) {
    loff_t in = static_cast<loff_t>(offset);
    ssize_t n = copy_file_range(from, &in, to, nullptr, length, 0);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0 && (errno == EXDEV || errno == EINVAL || errno == ENOSYS ||
                  errno == EOPNOTSUPP)) {
      return CopyByReading(from, to, offset, length, path);
    }
    if (n < 0) return Status::FromErrno(errno, "copy " + path);
    if (n == 0) return Status::IoError(path + ": shrank while copied");
    offset += static_cast<uint64_t>(n);
    length -= static_cast<uint64_t>(n);
  }
  return Status::Ok();
}

StatusOr<bool> SameHead(int a, int b, uint64_t length) {
  return SameRange(a, 0, b, 0, length);
}

StatusOr<bool> SameRange(int a, uint64_t a_off, int b, uint64_t b_off,
                         uint64_t length) {
  std::vector<char> x(1 << 20), y(1 << 20);
  for (uint64_t off = 0; off < length;) {
    size_t want = std::min<uint64_t>(length - off, x.size());
    StatusOr<size_t> na = ReadAt(a, x.data(), want, a_off + off);
    if (!na.ok()) return na.status();
    StatusOr<size_t> nb = ReadAt(b, y.data(), want, b_off + off);
    if (!nb.ok()) return nb.status();
    if (*na != want || *nb != want) return false;
    if (std::memcmp(x.data(), y.data(), want) != 0) return false;
    off += want;
  }
  return true;
}

}  // namespace retention::posix
