// A snapshot of a directory tree beneath an open root, taken through the
// Filesystem seam with every safe-deletion rule of DESIGN.md: directories
// are entered beneath their parent's handle, each checked against the
// identity it was listed with; symlinks are listed, never followed; a
// directory on another filesystem (a mount point) is listed but not
// entered; the walk is iterative (a DFS stack, no recursion) and holds at
// most a bounded number of open handles (DirCursor), so neither a 100k-deep
// chain nor a 1M-entry directory can exhaust the stack or descriptors.
//
// Memory is one record per entry; a record never stores its full path
// (PathOf builds it on demand), so a deep chain costs O(entries), not
// O(entries x depth).
//
// Threading: a TreeSnapshot is a value; WalkTree uses one thread.
#pragma once

#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "base/status.h"
#include "os/filesystem.h"

namespace retention {

struct TreeDir {
  static constexpr uint32_t kNoParent = UINT32_MAX;
  uint32_t parent = kNoParent;  // kNoParent only for dirs[0], the root
  uint32_t depth = 0;           // the root is 0, its subdirectories 1
  std::string name;             // empty for the root
  FileInfo info;
  // False when the walk did not look inside: a mount point, a directory
  // the `enter` filter refused, or one that failed to open or list.
  bool entered = false;
  // For RelativePath without walking a deep chain: the length of the
  // relative path, and the deepest ancestor-or-self whose path fits the
  // kept prefix of an elided path.
  uint64_t path_bytes = 0;
  uint32_t anchor = 0;
};

struct TreeEntry {
  uint32_t dir = 0;  // index into TreeSnapshot::dirs of its directory
  std::string name;
  FileInfo info;  // lstat: a symlink is kSymlink
};

struct TreeSnapshot {
  std::vector<TreeDir> dirs;          // dirs[0] is the root; parents first
  std::vector<TreeEntry> entries;     // everything that is not a directory
  std::vector<std::string> warnings;  // unreadable, vanished, mounts
};

struct WalkOptions {
  // Whether to enter the subdirectory `name` of `parent` (e.g. not an
  // excluded name). Null: enter every directory on the root's filesystem.
  // A mount point is never entered, and reported only if it was wanted.
  std::function<bool(const TreeDir& parent, const std::string& name)> enter;
  size_t max_open = 64;  // directory handles held at once, the root's apart
};

// Walks everything beneath `root` (whose path names it in warnings).
// Fails only when the root itself cannot be listed; anything below that
// cannot be read is a warning and its directory is left not entered.
StatusOr<TreeSnapshot> WalkTree(Filesystem& fs, Dir& root,
                                const WalkOptions& options = {});

// "a/b/c": the path of dirs[dir] relative to the root ("" for the root).
// Past kMaxPathBytes the middle is elided as "/...(N levels).../", keeping
// about kKeptPrefix bytes of the start (so a hold on a path prefix still
// matches) and the last components; such a string is for people and the
// ledger, never for reaching the file. Costs O(kMaxPathBytes), not
// O(depth).
inline constexpr size_t kMaxPathBytes = 4096;
inline constexpr size_t kKeptPrefix = 2048;
std::string RelativePath(const TreeSnapshot& tree, uint32_t dir);
// RelativePath of the directory joined with `name`.
std::string RelativePath(const TreeSnapshot& tree, uint32_t dir,
                         const std::string& name);

// The directories in post-order: every directory after all of its
// subdirectories, so removing empty directories in this order never meets
// a parent before its children; consecutive ones are near each other in
// the tree, so a DirCursor visits them in O(directories) moves.
std::vector<uint32_t> PostOrder(const TreeSnapshot& tree);

}  // namespace retention
