#include "os/quarantine_removal.h"

#include <memory>

#include "os/dir_cursor.h"
#include "os/tree_walk.h"

namespace retention {
namespace {

// Directory handles held at once while walking and removing, the tree
// top's apart: a 100,000-deep chain costs this many, not 100,000.
constexpr size_t kMaxOpen = 64;

bool Removable(const FileInfo& info) {
  return !info.mount_root &&
         (info.type == FileType::kRegular || info.type == FileType::kSymlink);
}

void Count(const FileInfo& info, TreeRemoval* out) {
  ++out->files;
  if (info.type == FileType::kRegular) out->bytes += info.size;
}

// Which entries and subdirectories each directory of `tree` holds.
struct Children {
  std::vector<std::vector<uint32_t>> entries;  // indices into tree.entries
  std::vector<std::vector<uint32_t>> dirs;     // indices into tree.dirs
};

Children IndexChildren(const TreeSnapshot& tree) {
  Children c;
  c.entries.resize(tree.dirs.size());
  c.dirs.resize(tree.dirs.size());
  for (uint32_t i = 0; i < tree.entries.size(); ++i) {
    c.entries[tree.entries[i].dir].push_back(i);
  }
  for (uint32_t d = 1; d < tree.dirs.size(); ++d) {
    c.dirs[tree.dirs[d].parent].push_back(d);
  }
  return c;
}

// Empties directory `d` (at `handle`): its removable entries, then its
// subdirectories already emptied. Returns whether `d` is now empty.
StatusOr<bool> EmptyDir(Filesystem& fs, Dir& handle, const TreeSnapshot& tree,
                        const Children& children, uint32_t d,
                        const std::vector<bool>& empty, TreeRemoval* out) {
  bool all = tree.dirs[d].entered;
  for (uint32_t e : children.entries[d]) {
    const TreeEntry& entry = tree.entries[e];
    if (!Removable(entry.info)) {
      out->left.push_back(RelativePath(tree, d, entry.name) +
                          ": not a regular file, symlink or directory");
      all = false;
      continue;
    }
    RETENTION_RETURN_IF_ERROR(fs.RemoveAt(handle, entry.name, entry.info));
    Count(entry.info, out);
  }
  for (uint32_t c : children.dirs[d]) {
    if (!empty[c]) {
      all = false;
      continue;
    }
    RETENTION_RETURN_IF_ERROR(
        fs.RemoveAt(handle, tree.dirs[c].name, tree.dirs[c].info));
    ++out->dirs;
  }
  return all;
}

// Empties every directory of `tree` beneath `root`, deepest first.
StatusOr<bool> EmptyTree(Filesystem& fs, Dir& root, const TreeSnapshot& tree,
                         TreeRemoval* out) {
  const Children children = IndexChildren(tree);
  std::vector<bool> empty(tree.dirs.size(), false);
  DirCursor cursor(fs, root, tree, kMaxOpen);
  for (uint32_t d : PostOrder(tree)) {
    if (!tree.dirs[d].entered) {
      if (d != 0) {
        out->left.push_back(RelativePath(tree, d) +
                            ": not entered (a mount point, or unreadable)");
      }
      continue;
    }
    auto handle = cursor.MoveTo(d);
    if (!handle.ok()) return handle.status();
    auto emptied = EmptyDir(fs, **handle, tree, children, d, empty, out);
    if (!emptied.ok()) return emptied.status();
    empty[d] = *emptied;
  }
  return static_cast<bool>(empty[0]);
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
  auto root = fs.OpenDir(quarantine, name, &*top);
  if (!root.ok()) return root.status();
  WalkOptions options;
  options.max_open = kMaxOpen;
  auto tree = WalkTree(fs, **root, options);
  if (!tree.ok()) return tree.status();
  auto emptied = EmptyTree(fs, **root, *tree, &out);
  if (!emptied.ok()) return emptied.status();
  root->reset();
  if (!*emptied) return out;
  RETENTION_RETURN_IF_ERROR(fs.RemoveAt(quarantine, name, *top));
  ++out.dirs;
  return out;
}

}  // namespace retention
