// ImportLogrotate: `retentiond --import-logrotate FILE...` — the [logs.NAME]
// drop-ins equivalent to logrotate blocks (logrotate_config.h), one policy
// per block, each directive mapped to its retentiond key or, where there is
// none, to a comment saying so and why. The text loads on its own
// (`retentiond --check-config`): a block that cannot become a valid policy
// (no absolute path retentiond can watch) is printed commented out.
//
// Mapping (the rest is commented): hourly/daily/weekly/monthly/yearly/
// minutes -> rotate_every; size -> max_file_size (alone); maxsize ->
// max_file_size (with a period); minsize -> min_size; rotate N -> keep;
// maxage -> max_age; compress/nocompress/compresscmd/compressoptions ->
// compress, compress_level; copytruncate -> method = truncate;
// create/nocreate (logrotate's rename) -> method = reopen with create_*;
// postrotate -> the reopen (signal + pid_file or reopen_command), or
// post_rotate_command with copytruncate; prerotate -> pre_rotate_command;
// sharedscripts -> shared_reopen; notifempty/ifempty -> rotate_empty;
// dateext/nodateext -> naming; olddir -> archive_dir.
//
// Pure apart from `find` (program lookup); thread-safe.
#pragma once

#include <optional>
#include <string>

#include "kinds/logs/logrotate_config.h"
#include "kinds/logs/logrotate_script.h"

namespace retention {

std::string ImportLogrotate(const LogrotateConfig& config,
                            const ProgramFinder& find);

// The program `name` in /usr/local/sbin, /usr/local/bin, /usr/sbin,
// /usr/bin, /sbin or /bin, executable (posix).
std::optional<std::string> FindProgram(const std::string& name);

}  // namespace retention
