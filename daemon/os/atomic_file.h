// Publishing a file so readers (node_exporter, an auditor's script) see the
// old version or the new one, never a torn mix: write a temp file beside
// the target, fsync it, replace the target with it, fsync the directory.
// Thread-safe as far as the Filesystem is; two writers of one path race.
#pragma once

#include <string>
#include <string_view>

#include "os/filesystem.h"

namespace retention {

// `path` is absolute; its directory must exist. The file gets exactly
// `mode`, whatever the umask. On any failure the target is left as it was
// and the temp file ".NAME.tmp" is removed (best effort); a temp file a
// crash left behind is replaced.
Status WriteFileAtomically(Filesystem& fs, const std::string& path,
                           std::string_view content, uint32_t mode = 0644);

// Reads the whole regular file `path` (absolute; never through a symlink)
// when it holds at most `max` bytes; kInvalidArgument when it is larger.
StatusOr<std::string> ReadWholeFile(Filesystem& fs, const std::string& path,
                                    size_t max);

}  // namespace retention
