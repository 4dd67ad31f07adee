// The state directory: where state.db and the confirm-clock file live.
#pragma once

#include <string>

#include "filesystem.h"

namespace retention {

// Opens `path`; creates it with mode 0700 if it is missing and its parent
// exists. Fails when it is not a directory, is a symlink, or cannot be
// created, with the path in the message.
Status EnsureStateDir(Filesystem& fs, const std::string& path);

// Takes the exclusive lock `path/lock` for the life of the returned handle.
// kBusy, with a message an operator can act on, while another retentiond
// (a daemon or a --once run) holds it.
StatusOr<std::unique_ptr<FileLock>> LockStateDir(Filesystem& fs,
                                                 const std::string& path);

}  // namespace retention
