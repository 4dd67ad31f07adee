#include "os/tree_walk.h"

#include <algorithm>

#include "os/dir_cursor.h"

namespace retention {
namespace {

std::string Join(const std::string& dir, const std::string& name) {
  return dir.empty() ? name : dir + "/" + name;
}

// The names of dirs[from] and its ancestors below dirs[stop] (or the
// root), root side first.
std::vector<const std::string*> NamesUpTo(const TreeSnapshot& tree,
                                          uint32_t from, uint32_t stop) {
  std::vector<const std::string*> names;
  for (uint32_t d = from; d != stop && d != 0; d = tree.dirs[d].parent) {
    names.push_back(&tree.dirs[d].name);
  }
  std::reverse(names.begin(), names.end());
  return names;
}

std::string JoinNames(const std::vector<const std::string*>& names) {
  std::string out;
  for (const std::string* n : names) {
    if (!out.empty()) out += '/';
    out += *n;
  }
  return out;
}

TreeDir Child(const TreeSnapshot& tree, uint32_t parent, std::string name,
              const FileInfo& info) {
  const TreeDir& p = tree.dirs[parent];
  TreeDir c;
  c.parent = parent;
  c.depth = p.depth + 1;
  c.path_bytes = p.path_bytes + (p.depth > 0 ? 1 : 0) + name.size();
  c.name = std::move(name);
  c.info = info;
  return c;
}

}  // namespace

StatusOr<TreeSnapshot> WalkTree(Filesystem& fs, Dir& root,
                                const WalkOptions& options) {
  TreeSnapshot tree;
  TreeDir top;
  top.info = root.info();
  tree.dirs.push_back(top);
  DirCursor cursor(fs, root, tree, options.max_open);
  std::vector<uint32_t> stack = {0};
  while (!stack.empty()) {
    const uint32_t d = stack.back();
    stack.pop_back();
    // For messages only: building it costs up to kMaxPathBytes.
    auto where = [&] {
      return d == 0 ? root.path() : root.path() + "/" + RelativePath(tree, d);
    };
    auto handle = cursor.MoveTo(d);
    if (!handle.ok()) {
      if (d == 0) return handle.status();
      if (!handle.status().IsNotFound()) {
        tree.warnings.push_back(where() + ": " + handle.status().ToString());
      }
      continue;
    }
    auto names = fs.List(**handle);
    if (!names.ok()) {
      if (d == 0) return names.status();
      tree.warnings.push_back(where() + ": " + names.status().ToString());
      continue;
    }
    tree.dirs[d].entered = true;
    std::sort(names->begin(), names->end());
    std::vector<uint32_t> subdirs;
    std::vector<StatusOr<FileInfo>> infos = fs.StatEach(**handle, *names);
    for (size_t i = 0; i < names->size(); ++i) {
      std::string& name = (*names)[i];
      const StatusOr<FileInfo>& info = infos[i];
      if (!info.ok()) {
        if (!info.status().IsNotFound()) {  // vanished: nothing to record
          tree.warnings.push_back(where() + "/" + name + ": " +
                                  info.status().ToString());
        }
        continue;
      }
      if (info->type != FileType::kDirectory) {
        tree.entries.push_back({d, std::move(name), *info});
        continue;
      }
      const bool wanted = !options.enter || options.enter(tree.dirs[d], name);
      const bool other_fs =
          info->mount_root || info->dev != tree.dirs[0].info.dev;
      if (wanted && other_fs) {
        tree.warnings.push_back(where() + "/" + name +
                                ": a mount point; not entered");
      }
      const bool enter = wanted && !other_fs;
      TreeDir child = Child(tree, d, std::move(name), *info);
      const uint32_t index = static_cast<uint32_t>(tree.dirs.size());
      child.anchor =
          child.path_bytes <= kKeptPrefix ? index : tree.dirs[d].anchor;
      tree.dirs.push_back(std::move(child));
      if (enter) subdirs.push_back(index);
    }
    // Reversed, so the stack hands them out in name order.
    stack.insert(stack.end(), subdirs.rbegin(), subdirs.rend());
  }
  return tree;
}

std::string RelativePath(const TreeSnapshot& tree, uint32_t dir) {
  const TreeDir& d = tree.dirs[dir];
  if (d.path_bytes <= kMaxPathBytes) return JoinNames(NamesUpTo(tree, dir, 0));
  // The last components, up to a quarter of the limit.
  std::vector<const std::string*> tail;
  size_t tail_bytes = 0;
  uint32_t at = dir;
  while (at != d.anchor && at != 0 &&
         tail_bytes + tree.dirs[at].name.size() < kMaxPathBytes / 4) {
    tail_bytes += tree.dirs[at].name.size() + 1;
    tail.push_back(&tree.dirs[at].name);
    at = tree.dirs[at].parent;
  }
  std::reverse(tail.begin(), tail.end());
  const uint32_t skipped =
      d.depth - tree.dirs[d.anchor].depth - static_cast<uint32_t>(tail.size());
  std::string out = JoinNames(NamesUpTo(tree, d.anchor, 0));
  out += "/...(" + std::to_string(skipped) + " levels)...";
  for (const std::string* n : tail) out += "/" + *n;
  return out;
}

std::string RelativePath(const TreeSnapshot& tree, uint32_t dir,
                         const std::string& name) {
  return Join(RelativePath(tree, dir), name);
}

// Subdirectories are appended after the directory that lists them, so a
// child's index is above its parent's: descending indices put every
// directory after its subdirectories. The walk appended them in depth-first
// order of their parents, so descending order is a mirrored post-order and
// consecutive directories are tree neighbours.
std::vector<uint32_t> PostOrder(const TreeSnapshot& tree) {
  std::vector<uint32_t> order(tree.dirs.size());
  for (size_t i = 0; i < order.size(); ++i) {
    order[i] = static_cast<uint32_t>(order.size() - 1 - i);
  }
  return order;
}

}  // namespace retention
