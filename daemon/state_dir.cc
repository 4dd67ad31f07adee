#include "state_dir.h"

namespace retention {

Status EnsureStateDir(Filesystem& fs, const std::string& path) {
  auto dir = fs.OpenRoot(path);
  if (dir.ok()) return Status::Ok();
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
  return fs.OpenRoot(path).status();
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
