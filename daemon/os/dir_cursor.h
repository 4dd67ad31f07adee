// DirCursor: moves between the directories of a TreeSnapshot beneath an
// open root, holding the handles of the path to the one it is at. Moving
// closes the handles no longer on the path and opens the missing
// components beneath the deepest handle still open, each checked against
// the identity the snapshot recorded (a directory swapped for a symlink or
// for another directory since it was listed fails kUnsafe; one that
// vanished fails kNotFound). At most `max_open` handles are held: on a
// deeper path the ones nearest the root are closed, and going back up to
// them reopens the path from the root. Moving to a neighbour of the
// current directory (a child, a parent, a sibling) costs O(1) opens, so a
// walk in depth-first order or post-order costs O(directories) opens.
//
// Threading: one thread at a time; the snapshot and root must outlive it.
#pragma once

#include <memory>
#include <vector>

#include "base/status.h"
#include "os/filesystem.h"
#include "os/tree_walk.h"

namespace retention {

class DirCursor {
 public:
  DirCursor(Filesystem& fs, Dir& root, const TreeSnapshot& tree,
            size_t max_open = 64);

  // The handle of tree.dirs[dir], valid until the next MoveTo. On failure
  // the cursor is back at the root.
  StatusOr<Dir*> MoveTo(uint32_t dir);

  // Handles currently open (for tests of the bound).
  size_t open_handles() const;

 private:
  struct Step {
    uint32_t dir;
    std::unique_ptr<Dir> handle;  // null when closed to respect max_open
  };
  // Keeps the first `depth` steps of the path.
  void Truncate(size_t depth);
  // Opens the child `dir` of the current directory and steps into it.
  Status Descend(uint32_t dir);
  // Opens the whole path again from the root (all its handles are closed).
  Status ReopenPath();
  void CloseBeyondLimit();

  Filesystem& fs_;
  Dir& root_;
  const TreeSnapshot& tree_;
  const size_t max_open_;
  std::vector<Step> path_;  // path_[i] is at depth i + 1
  // The open handles are exactly path_[first_open_ ..]: a suffix.
  size_t first_open_ = 0;
};

}  // namespace retention
