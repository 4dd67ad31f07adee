#include "os/dir_cursor.h"

#include <algorithm>

namespace retention {

DirCursor::DirCursor(Filesystem& fs, Dir& root, const TreeSnapshot& tree,
                     size_t max_open)
    : fs_(fs),
      root_(root),
      tree_(tree),
      max_open_(std::max<size_t>(1, max_open)) {}

size_t DirCursor::open_handles() const { return path_.size() - first_open_; }

StatusOr<Dir*> DirCursor::MoveTo(uint32_t dir) {
  // From the target up to the deepest directory it shares with the path.
  std::vector<uint32_t> down;
  uint32_t d = dir;
  while (d != 0) {
    const TreeDir& node = tree_.dirs[d];
    if (node.depth <= path_.size() && path_[node.depth - 1].dir == d) break;
    down.push_back(d);
    d = node.parent;
  }
  Truncate(d == 0 ? 0 : tree_.dirs[d].depth);
  for (auto it = down.rbegin(); it != down.rend(); ++it) {
    Status st = Descend(*it);
    if (!st.ok()) {
      Truncate(0);
      return st;
    }
  }
  if (path_.empty()) return &root_;
  if (first_open_ >= path_.size()) {  // moved up to a closed ancestor
    Status st = ReopenPath();
    if (!st.ok()) {
      Truncate(0);
      return st;
    }
  }
  return path_.back().handle.get();
}

void DirCursor::Truncate(size_t depth) {
  path_.resize(std::min(depth, path_.size()));
  first_open_ = std::min(first_open_, path_.size());
}

Status DirCursor::Descend(uint32_t dir) {
  if (!path_.empty() && first_open_ >= path_.size()) {
    RETENTION_RETURN_IF_ERROR(ReopenPath());
  }
  Dir& parent = path_.empty() ? root_ : *path_.back().handle;
  const TreeDir& node = tree_.dirs[dir];
  auto handle = fs_.OpenDir(parent, node.name, &node.info);
  if (!handle.ok()) return handle.status();
  path_.push_back({dir, std::move(*handle)});
  CloseBeyondLimit();
  return Status::Ok();
}

// Every handle of the path is closed: open them again from the root,
// keeping the deepest max_open_.
Status DirCursor::ReopenPath() {
  first_open_ = 0;
  for (size_t i = 0; i < path_.size(); ++i) {
    Dir& parent = i == 0 ? root_ : *path_[i - 1].handle;
    const TreeDir& node = tree_.dirs[path_[i].dir];
    auto handle = fs_.OpenDir(parent, node.name, &node.info);
    if (!handle.ok()) return handle.status();
    path_[i].handle = std::move(*handle);
    // Keep the parent of the next step open: close only strictly above it.
    while (i + 1 - first_open_ > max_open_ && first_open_ < i) {
      path_[first_open_++].handle.reset();
    }
  }
  return Status::Ok();
}

void DirCursor::CloseBeyondLimit() {
  while (path_.size() - first_open_ > max_open_) {
    path_[first_open_++].handle.reset();
  }
}

}  // namespace retention
