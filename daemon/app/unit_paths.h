// The directories retentiond writes in, for a systemd drop-in: the unit runs
// with ProtectSystem=strict, so every directory a policy touches must be
// named in ReadWritePaths=, and with ProtectHome=tmpfs, so a directory
// beneath /home, /root or /run/user must be bound back in (BindPaths=, or
// BindReadOnlyPaths= for one only read). `retentiond --print-unit-paths`
// prints it.
//
// Collected generically through the KindRegistry, so kinds added later are
// covered without change here: for every section, every key of type kPath or
// kPathList contributes its directory (KeySpec::path_use says whether that
// is the path itself or the directory holding it, and whether it is read
// only), and any string value whose first word is `sqlite:PATH` (a
// database URL; a relative PATH is relative to the file that set it)
// contributes PATH's directory, where SQLite writes its
// journal and WAL. Globs are allowed only in file names, so directories are
// literal. Pure; thread-safe.
#pragma once

#include <string>
#include <vector>

#include "config/config.h"

namespace retention {

class KindRegistry;

// The directories, absolute, sorted, without duplicates and without any
// directory that lies beneath another one listed (ReadWritePaths= covers
// everything beneath a path).
std::vector<std::string> UnitWritablePaths(const Config& config,
                                           const KindRegistry& registry);

// The directories the daemon only reads (a pid file's, occupancy's root)
// that lie beneath a home directory (/home, /root, /run/user), except those
// beneath a writable one; in the same form. Elsewhere reading needs no
// grant.
std::vector<std::string> UnitHomeReadPaths(const Config& config,
                                           const KindRegistry& registry);

// A drop-in for retentiond.service: a comment naming `config_path`, then
// "[Service]" and one "ReadWritePaths=-DIR" line per directory of `dirs`,
// but "BindPaths=-DIR" for one beneath a home directory, then one
// "BindReadOnlyPaths=-DIR" per directory of `home_reads` ("-": a directory
// missing at start is skipped rather than failing the unit). Paths are
// quoted when they hold blanks or quotes, '%' is escaped, and ':' too in
// Bind*Paths=.
std::string FormatUnitPathsDropIn(
    const std::string& config_path, const std::vector<std::string>& dirs,
    const std::vector<std::string>& home_reads = {});

}  // namespace retention
