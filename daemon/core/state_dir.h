// The state directory: where state.db and the confirm-clock file live.
#pragma once

#include <string>

#include "os/filesystem.h"

namespace retention {

// Opens `path`; creates it with mode 0700 if it is missing and its parent
// exists. Fails when it is not a directory, is a symlink, cannot be
// created, or is writable by others (kUnsafe: anyone could swap state.db),
// with the path in the message.
Status EnsureStateDir(Filesystem& fs, const std::string& path);

// Makes the state database private before SQLite opens it: creates
// `path`/state.db with mode 0600 if missing, and sets an existing one, and
// its -wal and -shm files, to 0600 (the ledger names every path deleted).
// SQLite gives the -wal and -shm files it creates the database's mode.
Status PrepareStateDb(Filesystem& fs, const std::string& path);

// Takes the exclusive lock `path/lock` for the life of the returned handle.
// kBusy, with a message an operator can act on, while another retentiond
// (a daemon or a --once run) holds it.
StatusOr<std::unique_ptr<FileLock>> LockStateDir(Filesystem& fs,
                                                 const std::string& path);

}  // namespace retention
