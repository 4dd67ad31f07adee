#include "core/state_dir.h"

#include <cstdio>

namespace retention {

namespace {

constexpr uint32_t kPrivateFile = 0600;

Status CheckNotWorldWritable(const std::string& path, const Dir& dir) {
  const uint32_t mode = dir.info().mode;
  if ((mode & 0002) == 0) return Status::Ok();
  char octal[8];
  std::snprintf(octal, sizeof octal, "%04o", mode & 07777);
  return Status::Unsafe("state_dir " + path + " is writable by others (mode " +
                        octal + "); make it 0700 (chmod 700 " + path + ")");
}

}  // namespace

Status EnsureStateDir(Filesystem& fs, const std::string& path) {
  auto dir = fs.OpenRoot(path);
  if (dir.ok()) return CheckNotWorldWritable(path, **dir);
  if (!dir.status().IsNotFound()) {
    return Status::InvalidArgument("state_dir " + path + ": " +
                                   dir.status().ToString());
  }
  const size_t slash = path.find_last_of('/');
  if (slash == std::string::npos || slash + 1 == path.size()) {
    return Status::InvalidArgument("state_dir " + path +
                                   ": not an absolute directory path");
  }
  auto parent = fs.OpenRoot(slash == 0 ? "/" : path.substr(0, slash));
  if (!parent.ok()) {
    return Status::NotFound("state_dir " + path + ": parent directory: " +
                            parent.status().ToString());
  }
  Status st = fs.MakeDirAt(**parent, path.substr(slash + 1), 0700);
  if (!st.ok() && !st.IsBusy()) return st;  // kBusy: created meanwhile
  auto made = fs.OpenRoot(path);
  if (!made.ok()) return made.status();
  return CheckNotWorldWritable(path, **made);
}

Status PrepareStateDb(Filesystem& fs, const std::string& path) {
  auto dir = fs.OpenRoot(path);
  if (!dir.ok()) return dir.status();
  auto created = fs.CreateFileAt(**dir, "state.db", kPrivateFile);
  if (created.ok()) return Status::Ok();  // closed as it goes out of scope
  if (!created.status().IsBusy()) return created.status();
  for (const char* name : {"state.db", "state.db-wal", "state.db-shm"}) {
    auto info = fs.StatAt(**dir, name);
    if (!info.ok() && info.status().IsNotFound()) continue;
    if (!info.ok()) return info.status();
    if (info->type != FileType::kRegular || info->mode == kPrivateFile) {
      continue;  // SQLite refuses what is not a regular file
    }
    RETENTION_RETURN_IF_ERROR(fs.SetModeAt(**dir, name, kPrivateFile));
  }
  return Status::Ok();
}

StatusOr<std::unique_ptr<FileLock>> LockStateDir(Filesystem& fs,
                                                 const std::string& path) {
  auto dir = fs.OpenRoot(path);
  if (!dir.ok()) return dir.status();
  auto lock = fs.LockFileAt(**dir, "lock");
  if (lock.ok() || !lock.status().IsBusy()) return lock;
  return Status::Busy("state_dir " + path +
                      " is in use by another retentiond (a daemon or a --once "
                      "run; its pid is in " +
                      path + "/lock)");
}

}  // namespace retention
