// Building blocks of the log rotation; see rotation_io_posix.h.
#include "kinds/logs/rotation_io_posix.h"

#include <fcntl.h>
#include <linux/fiemap.h>
#include <linux/fs.h>
#include <sys/ioctl.h>
#include <sys/random.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <cstring>
#include <vector>

#include "os/fs_rules.h"

namespace retention::posix {
namespace {

Status CheckRotationName(const std::string& name) {
  RETENTION_RETURN_IF_ERROR(CheckName(name));
  if (name.find('\n') != std::string::npos) {
    return Status::InvalidArgument("log name holds a newline: " + name);
  }
  return Status::Ok();
}

}  // namespace

Status WriteAll(int fd, std::string_view data, const std::string& path) {
  while (!data.empty()) {
    ssize_t n = write(fd, data.data(), data.size());
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) return Status::FromErrno(errno, "write " + path);
    data.remove_prefix(static_cast<size_t>(n));
  }
  return Status::Ok();
}

StatusOr<size_t> ReadAt(int fd, char* buf, size_t len, uint64_t offset) {
  size_t done = 0;
  while (done < len) {
    ssize_t n = pread(fd, buf + done, len - done, offset + done);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) return Status::FromErrno(errno, "pread");
    if (n == 0) break;
    done += static_cast<size_t>(n);
  }
  return done;
}

StatusOr<RotationTarget> MakeTarget(Dir& live_dir, const std::string& live_name,
                                    Dir& archive_dir,
                                    const std::string& archive_name) {
  RETENTION_RETURN_IF_ERROR(CheckRotationName(live_name));
  RETENTION_RETURN_IF_ERROR(CheckRotationName(archive_name));
  if (live_dir.info().dev != archive_dir.info().dev) {
    return Status::InvalidArgument(
        archive_dir.path() + ": not on the filesystem of " + live_dir.path());
  }
  RotationTarget t;
  t.live_dir = DirFd(live_dir);
  t.archive_dir = DirFd(archive_dir);
  t.live_name = live_name;
  t.archive_name = archive_name;
  t.live_path = JoinPath(live_dir.path(), live_name);
  t.archive_path = JoinPath(archive_dir.path(), archive_name);
  t.archive_dir_info = archive_dir.info();
  return t;
}

StatusOr<UniqueFd> OpenLive(const RotationTarget& t, FileInfo* info) {
  // Type first: opening a device read-write can have side effects.
  StatusOr<FileInfo> before = StatxAt(t.live_dir, t.live_name, t.live_path);
  if (!before.ok()) return before.status();
  if (before->type != FileType::kRegular) {
    return Status::Unsafe(t.live_path + ": not a regular file");
  }
  UniqueFd fd(openat(t.live_dir, t.live_name.c_str(),
                     O_RDWR | O_NOFOLLOW | O_NONBLOCK | O_NOCTTY | O_CLOEXEC));
  if (fd.get() < 0) return Status::FromErrno(errno, "open " + t.live_path);
  StatusOr<FileInfo> now = StatxAt(fd.get(), "", t.live_path);
  if (!now.ok()) return now.status();
  if (now->type != FileType::kRegular) {
    return Status::Unsafe(t.live_path + ": not a regular file");
  }
  *info = *now;
  return fd;
}

Status CheckIdentity(const FileInfo& now, const FileInfo& expected,
                     const std::string& path) {
  if (!now.SameIdentity(expected)) {
    return Status::Unsafe(path + ": replaced since it was examined");
  }
  return Status::Ok();
}

Status CheckNothingPending(const RotationTarget& t) {
  StatusOr<bool> intent =
      NameExists(t.live_dir, IntentName(t.live_name), t.live_path);
  if (!intent.ok()) return intent.status();
  if (*intent) {
    return Status::FailedPrecondition(
        t.live_path + ": an interrupted rotation is pending recovery");
  }
  // The temp's name is new for each rotation (NewIntent), so whatever
  // sits at any other temp name cannot stop this one.
  StatusOr<bool> exists =
      NameExists(t.archive_dir, t.archive_name, t.archive_path);
  if (!exists.ok()) return exists.status();
  if (*exists) return Status::Busy(t.archive_path + ": exists already");
  return Status::Ok();
}

namespace {

// kTempTokenSize random lowercase letters. getrandom(2) of so few bytes
// fails only where it does not exist (Linux before 3.17); the clock then
// still gives a token no earlier rotation used, if a guessable one.
std::string RandomToken() {
  unsigned char bytes[kTempTokenSize] = {};
  if (getrandom(bytes, sizeof bytes, 0) != static_cast<ssize_t>(sizeof bytes)) {
    uint64_t x = static_cast<uint64_t>(
        std::chrono::steady_clock::now().time_since_epoch().count());
    for (unsigned char& b : bytes) {
      x = x * 6364136223846793005u + 1442695040888963407u;
      b = static_cast<unsigned char>(x >> 56);
    }
  }
  std::string token;
  for (unsigned char b : bytes) token += static_cast<char>('a' + b % 26);
  return token;
}

}  // namespace

RotationIntent NewIntent(const RotationTarget& t, RotationIntent::Method m,
                         const FileInfo& live) {
  RotationIntent in;
  in.method = m;
  in.archive = t.archive_name;
  in.temp = ArchiveTempName(t.archive_name, RandomToken());
  in.archive_dir_dev = t.archive_dir_info.dev;
  in.archive_dir_ino = t.archive_dir_info.ino;
  in.live_dev = live.dev;
  in.live_ino = live.ino;
  return in;
}

StatusOr<UniqueFd> CreateIntent(const RotationTarget& t,
                                const RotationIntent& intent) {
  const std::string name = IntentName(t.live_name);
  const std::string path = t.live_path + " intent";
  UniqueFd fd(openat(t.live_dir, name.c_str(),
                     O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC,
                     0600));
  if (fd.get() < 0) {
    if (errno == EEXIST) {
      return Status::FailedPrecondition(
          t.live_path + ": an interrupted rotation is pending recovery");
    }
    return Status::FromErrno(errno, "create " + path);
  }
  Status st = WriteAll(fd.get(), FormatIntent(intent), path);
  if (!st.ok()) {
    // Incomplete and never relied on: removing it is all the cleanup.
    unlinkat(t.live_dir, name.c_str(), 0);
    return st;
  }
  return fd;
}

Status WriteIntent(const RotationTarget& t, const RotationIntent& intent) {
  StatusOr<UniqueFd> fd = CreateIntent(t, intent);
  if (!fd.ok()) return fd.status();
  Status st = SyncTogether({{fd->get(), t.live_path + " intent"},
                            {t.live_dir, t.live_path + " directory"}});
  if (!st.ok()) unlinkat(t.live_dir, IntentName(t.live_name).c_str(), 0);
  return st;
}

StatusOr<std::optional<RotationIntent>> ReadIntent(int live_dir,
                                                   const std::string& live_name,
                                                   const std::string& path) {
  const std::string name = IntentName(live_name);
  UniqueFd fd(openat(live_dir, name.c_str(),
                     O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC));
  if (fd.get() < 0) {
    if (errno == ENOENT) return std::optional<RotationIntent>();
    return Status::FromErrno(errno, "open " + path + " intent");
  }
  // Only an intent this process's user wrote is followed: one planted by
  // whoever else may write the log directory (the application, say) could
  // otherwise have files created or collapsed in its name.
  struct stat st;
  if (fstat(fd.get(), &st) != 0) return Status::FromErrno(errno, "stat");
  if (!S_ISREG(st.st_mode) || st.st_uid != geteuid() || st.st_nlink != 1) {
    return Status::Unsafe(path + ": rotation intent not written by us");
  }
  std::string text(64 * 1024, '\0');
  StatusOr<size_t> n = ReadAt(fd.get(), text.data(), text.size(), 0);
  if (!n.ok()) return n.status();
  text.resize(*n);
  StatusOr<RotationIntent> intent = ParseIntent(text);
  if (!intent.ok()) return intent.status();
  return std::optional<RotationIntent>(*intent);
}

Status RemoveIntent(int live_dir, const std::string& live_name) {
  const std::string name = IntentName(live_name);
  if (unlinkat(live_dir, name.c_str(), 0) != 0 && errno != ENOENT) {
    return Status::FromErrno(errno, "unlink " + name);
  }
  return SyncFd(live_dir, "directory of " + live_name);
}

StatusOr<bool> RemovePlantedIntent(int live_dir, const std::string& live_name,
                                   const std::string& path) {
  const std::string name = IntentName(live_name);
  struct stat st;
  if (fstatat(live_dir, name.c_str(), &st, AT_SYMLINK_NOFOLLOW) != 0) {
    if (errno == ENOENT) return false;
    return Status::FromErrno(errno, "stat " + path + " intent");
  }
  // Ours are regular files of this process's user; root's could be an
  // earlier daemon's (run as root), so only the operator may judge those.
  if (S_ISREG(st.st_mode) && (st.st_uid == geteuid() || st.st_uid == 0)) {
    return false;
  }
  // Only the name goes (a symlink is not followed; a directory only when
  // empty): whoever planted it loses nothing but the name.
  const int flags = S_ISDIR(st.st_mode) ? AT_REMOVEDIR : 0;
  if (unlinkat(live_dir, name.c_str(), flags) != 0 && errno != ENOENT) {
    return Status::FromErrno(errno, "unlink planted " + path + " intent");
  }
  RETENTION_RETURN_IF_ERROR(SyncFd(live_dir, "directory of " + live_name));
  return true;
}

StatusOr<UniqueFd> CreateArchiveTemp(const RotationTarget& t,
                                     const std::string& name,
                                     const FileInfo& like) {
  const std::string path =
      t.archive_path.substr(0, t.archive_path.size() - t.archive_name.size()) +
      name;
  UniqueFd fd(openat(t.archive_dir, name.c_str(),
                     O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC,
                     0600));
  if (fd.get() < 0) return Status::FromErrno(errno, "create " + path);
  // Without privilege the archive stays the caller's: still readable by its
  // reader, so a refused chown is no reason to keep the log unrotated.
  if (fchown(fd.get(), like.uid, like.gid) != 0 && errno != EPERM) {
    Status st = Status::FromErrno(errno, "chown " + path);
    unlinkat(t.archive_dir, name.c_str(), 0);
    return st;
  }
  if (fchmod(fd.get(), like.mode) != 0) {
    Status st = Status::FromErrno(errno, "chmod " + path);
    unlinkat(t.archive_dir, name.c_str(), 0);
    return st;
  }
  return fd;
}

Status RemoveIfSame(int dir, const std::string& name, int fd,
                    const std::string& path) {
  StatusOr<FileInfo> mine = StatxAt(fd, "", path);
  if (!mine.ok()) return mine.status();
  StatusOr<FileInfo> now = StatxAt(dir, name, path);
  if (!now.ok()) {
    return now.status().IsNotFound() ? Status::Ok() : now.status();
  }
  if (!now->SameIdentity(*mine)) return Status::Ok();  // not ours to remove
  if (unlinkat(dir, name.c_str(), 0) != 0 && errno != ENOENT) {
    return Status::FromErrno(errno, "unlink " + path);
  }
  return Status::Ok();
}

Status PublishArchive(const RotationTarget& t, const std::string& tmp_name,
                      int tmp, bool* published) {
  // The raw syscall, because older glibc lacks the renameat2 wrapper.
  if (syscall(SYS_renameat2, t.archive_dir, tmp_name.c_str(), t.archive_dir,
              t.archive_name.c_str(), RENAME_NOREPLACE) != 0) {
    Status st = Status::FromErrno(errno, "rename to " + t.archive_path);
    // The temp is useless now; failing to remove it leaves it to recovery.
    RemoveIfSame(t.archive_dir, tmp_name, tmp, t.archive_path);
    return st;
  }
  *published = true;
  StatusOr<FileInfo> mine = StatxAt(tmp, "", t.archive_path);
  if (!mine.ok()) return mine.status();
  StatusOr<FileInfo> now =
      StatxAt(t.archive_dir, t.archive_name, t.archive_path);
  if (!now.ok()) return now.status();
  if (!now->SameIdentity(*mine)) {
    return Status::Unsafe(t.archive_path + ": replaced as it was published");
  }
  return SyncFd(t.archive_dir, t.archive_path + " directory");
}

Status CreateLiveFile(int dir, const std::string& name, uint32_t mode,
                      uint32_t uid, uint32_t gid, const std::string& path,
                      bool sync, UniqueFd* created) {
  UniqueFd fd(openat(dir, name.c_str(),
                     O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC,
                     0600));
  if (fd.get() < 0) return Status::FromErrno(errno, "create " + path);
  // chown first: it would clear set-id bits that chmod had set. Only a
  // change of owner needs privilege.
  bool chown_needed = uid != geteuid() || gid != getegid();
  if ((chown_needed && fchown(fd.get(), uid, gid) != 0) ||
      fchmod(fd.get(), mode) != 0) {
    Status st = Status::FromErrno(errno, "chown/chmod " + path);
    unlinkat(dir, name.c_str(), 0);
    return st;
  }
  if (sync) {
    RETENTION_RETURN_IF_ERROR(SyncFd(fd.get(), path));
    RETENTION_RETURN_IF_ERROR(SyncFd(dir, path + " directory"));
  }
  if (created != nullptr) *created = std::move(fd);
  return Status::Ok();
}

Status SyncFd(int fd, const std::string& path) {
  if (fsync(fd) != 0) return Status::FromErrno(errno, "fsync " + path);
  return Status::Ok();
}

Status SyncTogether(const std::vector<ToSync>& files) {
  // Fails on directories (EINVAL), which hold no data to write back.
  for (const ToSync& f : files) {
    if (f.fd >= 0) sync_file_range(f.fd, 0, 0, SYNC_FILE_RANGE_WRITE);
  }
  for (const ToSync& f : files) {
    if (f.fd >= 0) RETENTION_RETURN_IF_ERROR(SyncFd(f.fd, f.path));
  }
  return Status::Ok();
}

StatusOr<bool> NameExists(int dir, const std::string& name,
                          const std::string& path) {
  StatusOr<FileInfo> info = StatxAt(dir, name, path);
  if (info.ok()) return true;
  if (info.status().IsNotFound()) return false;
  return info.status();
}

}  // namespace retention::posix
