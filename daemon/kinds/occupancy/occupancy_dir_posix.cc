// The occupancy scanner's system calls (occupancy_posix.h) and the discovery
// of user directories from the layout pattern.
#include <dirent.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include "kinds/occupancy/occupancy_posix.h"
#include "kinds/occupancy/occupancy_scanner.h"
#include "kinds/occupancy/occupancy_tally.h"
#include "kinds/occupancy/occupancy_users.h"

namespace retention {

int StatxNoFollow(int dirfd, const char* name, struct statx* stx) {
  const int flags = AT_SYMLINK_NOFOLLOW | AT_NO_AUTOMOUNT | AT_STATX_DONT_SYNC;
  if (::statx(dirfd, name, flags, kScanStatxMask, stx) == 0) return 0;
  return -errno;
}

int StatxFd(int fd, struct statx* stx) {
  if (::statx(fd, "", AT_EMPTY_PATH, kScanStatxMask, stx) == 0) return 0;
  return -errno;
}

int OpenDirAt(int dirfd, const char* name) {
  const int fd =
      ::openat(dirfd, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
  return fd >= 0 ? fd : -errno;
}

int OpenDirPath(int dirfd, const std::string& relative) {
  int fd = ::dup(dirfd);
  if (fd < 0) return -errno;
  size_t start = 0;
  while (start < relative.size()) {
    size_t slash = relative.find('/', start);
    if (slash == std::string::npos) slash = relative.size();
    const std::string part = relative.substr(start, slash - start);
    start = slash + 1;
    const int next = OpenDirAt(fd, part.c_str());
    ::close(fd);
    if (next < 0) return next;
    fd = next;
  }
  return fd;
}

long ReadDirents(int fd, std::vector<char>* buffer) {
  const long n = ::syscall(SYS_getdents64, fd, buffer->data(), buffer->size());
  return n >= 0 ? n : -errno;
}

namespace {

// The subdirectories of `relative` beneath root_fd, as relative paths.
void ListSubdirs(int root_fd, const std::string& relative,
                 std::vector<char>* buffer, std::vector<std::string>* out,
                 std::vector<std::string>* warnings) {
  const int fd = OpenDirPath(root_fd, relative);
  if (fd < 0) {
    if (fd != -ENOENT) {
      warnings->push_back(EscapeName(relative) + ": " + strerror(-fd));
    }
    return;
  }
  const std::string prefix = relative.empty() ? "" : relative + "/";
  const int rc =
      ForEachEntry(fd, buffer, [&](const char* name, unsigned char type) {
        if (type == DT_UNKNOWN) {
          struct statx stx;
          if (StatxNoFollow(fd, name, &stx) == 0 && S_ISDIR(stx.stx_mode)) {
            type = DT_DIR;
          }
        }
        if (type == DT_DIR) out->push_back(prefix + name);
      });
  if (rc < 0) warnings->push_back(EscapeName(relative) + ": " + strerror(-rc));
  ::close(fd);
}

std::string LastComponent(const std::string& path) {
  const size_t slash = path.rfind('/');
  return slash == std::string::npos ? path : path.substr(slash + 1);
}

}  // namespace

std::vector<UserDir> FindUserDirs(int root_fd, const std::string& layout,
                                  std::vector<std::string>* warnings) {
  std::vector<char> buffer(64 * 1024);
  std::vector<UserDir> current = {{"", ""}};
  for (const std::string& part : LayoutComponents(layout)) {
    std::vector<UserDir> next;
    for (const UserDir& dir : current) {
      if (part != "*" && part != "{id}") {
        next.push_back(
            {dir.id, dir.path.empty() ? part : dir.path + "/" + part});
        continue;
      }
      std::vector<std::string> found;
      ListSubdirs(root_fd, dir.path, &buffer, &found, warnings);
      for (std::string& path : found) {
        std::string id = part == "{id}" ? LastComponent(path) : dir.id;
        next.push_back({std::move(id), std::move(path)});
      }
    }
    current = std::move(next);
  }
  return current;
}

}  // namespace retention
