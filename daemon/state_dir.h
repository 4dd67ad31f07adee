// The state directory: where state.db and the confirm-clock file live.
#pragma once

#include <string>

#include "filesystem.h"

namespace retention {

// Opens `path`; creates it with mode 0700 if it is missing and its parent
// exists. Fails when it is not a directory, is a symlink, or cannot be
// created, with the path in the message.
Status EnsureStateDir(Filesystem& fs, const std::string& path);

}  // namespace retention
