#include "os/fs_rules.h"

namespace retention {

Status CheckName(const std::string& name) {
  if (name.empty() || name == "." || name == ".." ||
      name.find('/') != std::string::npos ||
      name.find('\0') != std::string::npos) {
    return Status::InvalidArgument("not a single path component: \"" + name +
                                   "\"");
  }
  return Status::Ok();
}

std::string JoinPath(const std::string& dir, const std::string& name) {
  return dir == "/" ? "/" + name : dir + "/" + name;
}

PathParts SplitPath(const std::string& path) {
  const size_t slash = path.rfind('/');
  if (slash == std::string::npos) return {"", path};
  return {slash == 0 ? "/" : path.substr(0, slash), path.substr(slash + 1)};
}

Status CheckRemovable(const FileInfo& now, const FileInfo& expected,
                      const std::string& path) {
  if (!now.SameIdentity(expected) || now.type != expected.type) {
    return Status::Unsafe(path + ": replaced since it was examined");
  }
  if (now.mount_root) return Status::Unsafe(path + ": is a mount point");
  if (now.type == FileType::kOther) {
    return Status::Unsafe(path + ": device, FIFO or socket");
  }
  return Status::Ok();
}

StatusOr<std::string> CleanRootPath(std::string path) {
  if (path.empty() || path[0] != '/') {
    return Status::InvalidArgument("root is not an absolute path: " + path);
  }
  while (path.size() > 1 && path.back() == '/') path.pop_back();
  std::string last = path.substr(path.rfind('/') + 1);
  if (last == "." || last == "..") {
    return Status::InvalidArgument("root ends in a dot component: " + path);
  }
  return path;
}

}  // namespace retention
