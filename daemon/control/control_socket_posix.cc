// ControlServer::Listen: binding the control socket safely, or adopting the
// one systemd passed.
#include <endian.h>
#include <fcntl.h>
#include <linux/posix_acl.h>
#include <linux/posix_acl_xattr.h>
#include <spdlog/spdlog.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <sys/xattr.h>
#include <systemd/sd-daemon.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <vector>

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

// Gives `group` the permissions `perm` (ACL_READ | ...) on `path`, beside
// its mode bits, with a POSIX access ACL written in the kernel's own xattr
// format (linux/posix_acl_xattr.h), so no libacl is needed. Entries sorted
// by tag as the kernel requires; the mask lets the named group through.
Status GrantGroup(const std::string& path, gid_t group, uint16_t perm) {
  struct stat st;
  if (lstat(path.c_str(), &st) != 0) return Status::FromErrno(errno, path);
  const uint16_t owner = (st.st_mode >> 6) & 7;
  const uint16_t owning_group = (st.st_mode >> 3) & 7;
  const uint32_t none = static_cast<uint32_t>(ACL_UNDEFINED_ID);
  const struct {
    uint16_t tag, perm;
    uint32_t id;
  } entries[] = {{ACL_USER_OBJ, owner, none},
                 {ACL_GROUP_OBJ, owning_group, none},
                 {ACL_GROUP, perm, group},
                 {ACL_MASK, static_cast<uint16_t>(owning_group | perm), none},
                 {ACL_OTHER, static_cast<uint16_t>(st.st_mode & 7), none}};
  std::vector<char> acl(sizeof(posix_acl_xattr_header));
  const posix_acl_xattr_header header = {htole32(POSIX_ACL_XATTR_VERSION)};
  std::memcpy(acl.data(), &header, sizeof header);
  for (const auto& e : entries) {
    const posix_acl_xattr_entry x = {htole16(e.tag), htole16(e.perm),
                                     htole32(e.id)};
    const char* bytes = reinterpret_cast<const char*>(&x);
    acl.insert(acl.end(), bytes, bytes + sizeof x);
  }
  if (lsetxattr(path.c_str(), "system.posix_acl_access", acl.data(), acl.size(),
                0) != 0) {
    return Status::FromErrno(errno, "granting admin_group access to " + path);
  }
  return Status::Ok();
}

// Without the ACL, admins outside socket_group cannot connect; everything
// else works, so the daemon starts and says how to fix it.
void WarnUnlessOk(const Status& st) {
  if (st.ok()) return;
  spdlog::warn(
      "{}; members of admin_group who are not in socket_group cannot "
      "connect (add them to socket_group)",
      st.ToString());
}

// admin_group, when it is not the group the socket already belongs to.
std::optional<gid_t> ExtraAdminGroup(const ControlSocketOptions& options,
                                     std::optional<gid_t> socket_group) {
  if (!options.admin_group || options.admin_group == socket_group) {
    return std::nullopt;
  }
  return options.admin_group;
}

// The directory: created 0750 if missing (group `group`, and `admins`
// through an ACL); if present it must be a real directory (not a symlink)
// owned by root or by us, so nobody else can swap the socket under it.
Status PrepareDirectory(const std::string& dir, std::optional<gid_t> group,
                        std::optional<gid_t> admins) {
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
    if (admins) WarnUnlessOk(GrantGroup(dir, *admins, ACL_READ | ACL_EXECUTE));
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
  // Without socket_group, an admin_group alone still reaches the socket.
  const std::optional<gid_t> group =
      options.group ? options.group : options.admin_group;
  const std::optional<gid_t> admins = ExtraAdminGroup(options, group);
  const std::string dir = options.path.substr(0, options.path.rfind('/'));
  RETENTION_RETURN_IF_ERROR(
      PrepareDirectory(dir.empty() ? "/" : dir, group, admins));
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
  if ((group &&
       chown(options.path.c_str(), static_cast<uid_t>(-1), *group) != 0) ||
      chmod(options.path.c_str(), 0660) != 0 || listen(fd, 64) != 0 ||
      lstat(options.path.c_str(), &st) != 0) {
    const int e = errno;
    close(fd);
    unlink(options.path.c_str());
    return Status::FromErrno(e, "setting up " + options.path);
  }
  if (admins) {
    WarnUnlessOk(GrantGroup(options.path, *admins, ACL_READ | ACL_WRITE));
  }
  bound_inode_ = st.st_ino;
  listen_fd_ = fd;
  return Status::Ok();
}

}  // namespace retention
