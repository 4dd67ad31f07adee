// RemoveQuarantinedTree: the last step of an account purge — delete, handle
// by handle, the tree an [accounts] purge moved into its quarantine
// directory. Every safe-deletion rule of DESIGN.md applies: directories
// are opened beneath their parent's handle and checked against the
// identity they were listed with, symlinks are removed themselves and
// never followed, a mount point is never entered, and only regular files,
// symlinks and (then empty) directories are removed; devices, FIFOs,
// sockets and mount points are left, and so are the directories holding
// them. The tree is snapshotted with WalkTree and emptied deepest first
// (PostOrder) through a DirCursor, so it is iterative and holds at most a
// bounded number of directory handles however deep the tree is.
//
// Threading: one thread; the Dir belongs to it.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "base/status.h"
#include "os/filesystem.h"

namespace retention {

struct TreeRemoval {
  uint64_t files = 0;  // regular files and symlinks removed
  uint64_t dirs = 0;   // directories removed, the tree's top included
  uint64_t bytes = 0;  // apparent bytes of the removed regular files
  // Entries that must not be removed (relative to the tree's top), or the
  // errors that stopped the removal of one: the tree is then not gone.
  std::vector<std::string> left;
};

// Removes `name` in `quarantine` and everything beneath it; `name` being
// gone already is success with nothing removed. A tree that could not be
// removed completely returns what was removed with `left` not empty; only
// an error that leaves the tree unreadable fails.
StatusOr<TreeRemoval> RemoveQuarantinedTree(Filesystem& fs, Dir& quarantine,
                                            const std::string& name);

}  // namespace retention
