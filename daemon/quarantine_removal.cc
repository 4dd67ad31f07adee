#include "quarantine_removal.h"

#include <memory>
#include <set>

namespace retention {
namespace {

// One directory on the path being removed.
struct Frame {
  std::unique_ptr<Dir> dir;
  std::string name;  // in its parent
  FileInfo info;
  std::set<std::string> kept;  // subdirectories that could not be removed
};

bool Removable(const FileInfo& info) {
  return !info.mount_root &&
         (info.type == FileType::kRegular || info.type == FileType::kSymlink);
}

void Count(const FileInfo& info, TreeRemoval* out) {
  ++out->files;
  if (info.type == FileType::kRegular) out->bytes += info.size;
}

// Removes what can go directly in `top`; returns the name of the first
// subdirectory to descend into, or "" when none is left.
StatusOr<std::string> ClearOne(Filesystem& fs, Frame& top, TreeRemoval* out) {
  auto names = fs.List(*top.dir);
  if (!names.ok()) return names.status();
  for (const std::string& n : *names) {
    if (top.kept.count(n)) continue;
    auto info = fs.StatAt(*top.dir, n);
    if (!info.ok()) {
      if (info.status().IsNotFound()) continue;
      return info.status();
    }
    if (info->type == FileType::kDirectory && !info->mount_root) return n;
    if (!Removable(*info)) {
      out->left.push_back(top.dir->path() + "/" + n +
                          ": not a regular file, symlink or directory");
      top.kept.insert(n);
      continue;
    }
    Status st = fs.RemoveAt(*top.dir, n, *info);
    if (!st.ok()) return st;
    Count(*info, out);
  }
  return std::string();
}

}  // namespace

StatusOr<TreeRemoval> RemoveQuarantinedTree(Filesystem& fs, Dir& quarantine,
                                            const std::string& name) {
  TreeRemoval out;
  auto top = fs.StatAt(quarantine, name);
  if (!top.ok()) {
    if (top.status().IsNotFound()) return out;
    return top.status();
  }
  if (top->type != FileType::kDirectory || top->mount_root) {
    if (!Removable(*top)) {
      out.left.push_back(name + ": not a regular file, symlink or directory");
      return out;
    }
    RETENTION_RETURN_IF_ERROR(fs.RemoveAt(quarantine, name, *top));
    Count(*top, &out);
    return out;
  }
  std::vector<Frame> path;
  auto opened = fs.OpenDir(quarantine, name, &*top);
  if (!opened.ok()) return opened.status();
  path.push_back(Frame{std::move(*opened), name, *top, {}});
  while (!path.empty()) {
    Frame& f = path.back();
    auto next = ClearOne(fs, f, &out);
    if (!next.ok()) return next.status();
    if (!next->empty()) {
      auto info = fs.StatAt(*f.dir, *next);
      if (!info.ok()) return info.status();
      auto child = fs.OpenDir(*f.dir, *next, &*info);
      if (!child.ok()) return child.status();
      path.push_back(Frame{std::move(*child), *next, *info, {}});
      continue;
    }
    Frame done = std::move(path.back());
    path.pop_back();
    Dir& parent = path.empty() ? quarantine : *path.back().dir;
    done.dir.reset();
    if (!done.kept.empty()) {
      if (!path.empty()) path.back().kept.insert(done.name);
      continue;
    }
    RETENTION_RETURN_IF_ERROR(fs.RemoveAt(parent, done.name, done.info));
    ++out.dirs;
  }
  return out;
}

}  // namespace retention
