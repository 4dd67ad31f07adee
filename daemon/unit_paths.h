// The directories retentiond writes in, for a systemd drop-in: the unit runs
// with ProtectSystem=strict, so every directory a policy touches must be
// named in ReadWritePaths=. `retentiond --print-unit-paths` prints it.
//
// Collected generically through the KindRegistry, so kinds added later are
// covered without change here: for every section, every key of type kPath or
// kPathList contributes its directory (KeySpec::path_use says whether that
// is the path itself or the directory holding it; kReadsOnly contributes
// nothing), and any string value whose first word is `sqlite:PATH` (a
// database URL; a relative PATH is relative to the file that set it)
// contributes PATH's directory, where SQLite writes its
// journal and WAL. Globs are allowed only in file names, so directories are
// literal. Pure; thread-safe.
#pragma once

#include <string>
#include <vector>

#include "config.h"

namespace retention {

class KindRegistry;

// The directories, absolute, sorted, without duplicates and without any
// directory that lies beneath another one listed (ReadWritePaths= covers
// everything beneath a path).
std::vector<std::string> UnitWritablePaths(const Config& config,
                                           const KindRegistry& registry);

// A drop-in for retentiond.service: a comment naming `config_path`, then
// "[Service]" and one "ReadWritePaths=-DIR" line per directory ("-": a
// directory missing at start is skipped rather than failing the unit).
// Paths are quoted when they hold blanks or quotes, '%' is escaped.
std::string FormatUnitPathsDropIn(const std::string& config_path,
                                  const std::vector<std::string>& dirs);

}  // namespace retention
