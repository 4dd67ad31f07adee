// The kernel's table of file locks, /proc/locks, read as the set of inode
// numbers it names: which files some process may hold an flock(2), POSIX,
// OFD lock or lease on (and which ones a waiter is blocked on). It lets the
// POSIX Filesystem answer LockedInodes with one read instead of a lock
// probe per file. Pure; thread-safe.
//
// A line (proc(5)) is "ID: [-> ]TYPE MODE ACCESS PID MAJ:MIN:INODE START
// END", such as "2: FLOCK  ADVISORY  WRITE 2001 08:0f:11463 0 EOF": the
// device's major and minor in hex, the inode in decimal; a lock on no inode
// shows "<none>:0" there. Only the inode is kept: the device is the
// superblock's, which need not be the st_dev that statx reports (Btrfs
// gives each subvolume its own), and a set that names a few inodes of other
// filesystems too only costs a probe each.
#pragma once

#include <cstdint>
#include <string_view>
#include <vector>

#include "base/status.h"

namespace retention {

// The distinct inode numbers `text` (the whole of /proc/locks) names,
// ascending. Fails kCorruption on a line without exactly one MAJ:MIN:INODE
// field (nor "<none>:0"): a format this parser does not know is never read
// as "no locks".
StatusOr<std::vector<uint64_t>> ParseProcLocks(std::string_view text);

}  // namespace retention
