// ControlServer::Listen: binding the control socket safely, or adopting the
// one systemd passed.
#include <fcntl.h>
#include <spdlog/spdlog.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <systemd/sd-daemon.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include "control/control_server.h"

namespace retention {
namespace {

StatusOr<sockaddr_un> SocketAddress(const std::string& path) {
  sockaddr_un addr = {};
  addr.sun_family = AF_UNIX;
  if (path.empty() || path.size() >= sizeof addr.sun_path) {
    return Status::InvalidArgument(
        "control socket path '" + path + "' is empty or longer than " +
        std::to_string(sizeof addr.sun_path - 1) + " bytes");
  }
  std::memcpy(addr.sun_path, path.data(), path.size());
  return addr;
}

// The directory: created 0750 if missing; if present it must be a real
// directory (not a symlink) owned by root or by us, so nobody else can swap
// the socket under it.
Status PrepareDirectory(const std::string& dir, std::optional<gid_t> group) {
  struct stat st;
  if (lstat(dir.c_str(), &st) != 0) {
    if (errno != ENOENT) return Status::FromErrno(errno, dir);
    if (mkdir(dir.c_str(), 0750) != 0 && errno != EEXIST) {
      return Status::FromErrno(errno, "creating " + dir);
    }
    // 0750 whatever the umask (the daemon's is 0077).
    if (chmod(dir.c_str(), 0750) != 0) {
      return Status::FromErrno(errno, "chmod " + dir);
    }
    if (group && chown(dir.c_str(), static_cast<uid_t>(-1), *group) != 0) {
      return Status::FromErrno(errno, "chgrp " + dir);
    }
    if (lstat(dir.c_str(), &st) != 0) return Status::FromErrno(errno, dir);
  }
  if (!S_ISDIR(st.st_mode)) {
    return Status::Unsafe(dir + " is not a directory (a symlink?)");
  }
  if (st.st_uid != 0 && st.st_uid != geteuid()) {
    return Status::Unsafe(dir + " is owned by uid " +
                          std::to_string(st.st_uid) +
                          ", not by root or this process");
  }
  if ((st.st_mode & S_IWOTH) != 0 && (st.st_mode & S_ISVTX) == 0) {
    return Status::Unsafe(dir + " is writable by everyone");
  }
  return Status::Ok();
}

// A socket left at `path`: removed when nobody answers on it (a killed
// daemon's); kBusy when another process does; anything else is not ours to
// remove.
Status RemoveStaleSocket(const std::string& path, const sockaddr_un& addr) {
  struct stat st;
  if (lstat(path.c_str(), &st) != 0) {
    return errno == ENOENT ? Status::Ok() : Status::FromErrno(errno, path);
  }
  if (!S_ISSOCK(st.st_mode)) {
    return Status::Unsafe(path +
                          " exists and is not a socket; not replacing it");
  }
  int probe = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (probe < 0) return Status::FromErrno(errno, "socket");
  const int rc =
      connect(probe, reinterpret_cast<const sockaddr*>(&addr), sizeof addr);
  const int err = errno;
  close(probe);
  if (rc == 0) {
    return Status::Busy("another process (a running retentiond?) answers on " +
                        path);
  }
  if (err != ECONNREFUSED) return Status::FromErrno(err, "probing " + path);
  spdlog::info("removing stale control socket {}", path);
  if (unlink(path.c_str()) != 0 && errno != ENOENT) {
    return Status::FromErrno(errno, "removing stale " + path);
  }
  return Status::Ok();
}

// The listening socket systemd passed for `path`, or -1.
int ActivatedSocket(const std::string& path) {
  const int n = sd_listen_fds(1);  // unsets LISTEN_FDS: children never see it
  for (int fd = SD_LISTEN_FDS_START; fd < SD_LISTEN_FDS_START + n; ++fd) {
    if (sd_is_socket_unix(fd, SOCK_STREAM, 1, path.c_str(), 0) > 0) return fd;
  }
  if (n > 0) {
    spdlog::warn(
        "systemd passed {} socket(s), none listening on {}; binding it", n,
        path);
  }
  return -1;
}

}  // namespace

Status ControlServer::Listen(const ControlSocketOptions& options) {
  options_ = options;
  auto addr = SocketAddress(options.path);
  if (!addr.ok()) return addr.status();
  if (int fd = ActivatedSocket(options.path); fd >= 0) {
    const int flags = fcntl(fd, F_GETFL);
    if (flags < 0 || fcntl(fd, F_SETFL, flags | O_NONBLOCK) != 0 ||
        fcntl(fd, F_SETFD, FD_CLOEXEC) != 0) {
      return Status::FromErrno(errno, "socket from systemd");
    }
    listen_fd_ = fd;
    activated_ = true;
    return Status::Ok();
  }
  const std::string dir = options.path.substr(0, options.path.rfind('/'));
  RETENTION_RETURN_IF_ERROR(
      PrepareDirectory(dir.empty() ? "/" : dir, options.group));
  RETENTION_RETURN_IF_ERROR(RemoveStaleSocket(options.path, *addr));
  int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
  if (fd < 0) return Status::FromErrno(errno, "socket");
  // Born 0660: no moment where others could connect. The umask is
  // process-wide; this runs before any other thread exists.
  const mode_t old_mask = umask(0117);
  const int rc =
      bind(fd, reinterpret_cast<const sockaddr*>(&*addr), sizeof *addr);
  const int err = errno;
  umask(old_mask);
  if (rc != 0) {
    close(fd);
    return Status::FromErrno(err, "binding " + options.path);
  }
  struct stat st;
  if ((options.group && chown(options.path.c_str(), static_cast<uid_t>(-1),
                              *options.group) != 0) ||
      chmod(options.path.c_str(), 0660) != 0 || listen(fd, 64) != 0 ||
      lstat(options.path.c_str(), &st) != 0) {
    const int e = errno;
    close(fd);
    unlink(options.path.c_str());
    return Status::FromErrno(e, "setting up " + options.path);
  }
  bound_inode_ = st.st_ino;
  listen_fd_ = fd;
  return Status::Ok();
}

}  // namespace retention
