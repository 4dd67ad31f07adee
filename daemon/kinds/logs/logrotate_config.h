// LogrotateConfig: logrotate(8) configuration files read as logrotate reads
// them (its config.c), for `retentiond --import-logrotate`. Each log block
// (`PATTERN... { directives }`) becomes a LogrotateBlock holding the
// directives in effect for it: the global ones set before it (in any file,
// includes followed), then its own, in order, so the last one wins.
//
// Rules kept from logrotate: a directive is a word of letters at the start
// of a line, its value the rest of the line after blanks and an optional
// '='; '#' starts a comment only where a directive or pattern could start;
// patterns start with '/', '"', '\'' or '~', may span lines up to '{', and
// are split at blanks with "..." and '...' quoting; postrotate, prerotate,
// firstaction, lastaction and preremove take the lines up to one whose
// first word is endscript; `include PATH` reads a file, or a directory's
// files in name order without the taboo extensions (.dpkg-old, ~, ...).
// What logrotate only warns about (an unknown directive) is kept for the
// converter to comment on; what makes it refuse a block is an error.
//
// Pure apart from the loader it is given; thread-safe.
#pragma once

#include <functional>
#include <string>
#include <vector>

#include "base/status.h"

namespace retention {

struct LogrotateDirective {
  std::string key;    // "rotate", "postrotate"
  std::string value;  // the rest of the line, trimmed; a script's lines
  std::string where;  // "FILE:LINE"
};

struct LogrotateBlock {
  std::string file;  // the file it is in
  std::string where;
  std::vector<std::string> patterns;  // quotes removed
  std::vector<LogrotateDirective> directives;
};

struct LogrotateSource {
  std::string path;
  std::string text;
};

// The files at `path`: the file itself, or a directory's regular files in
// name order (taboo names left out by the caller's rules). Fails kNotFound
// and the like, naming the path.
using LogrotateLoader =
    std::function<StatusOr<std::vector<LogrotateSource>>(const std::string&)>;

struct LogrotateConfig {
  std::vector<LogrotateBlock> blocks;
  std::vector<std::string> errors;  // "FILE:LINE: message"
};

// Reads `paths` in order (each through `load`).
LogrotateConfig ReadLogrotate(const std::vector<std::string>& paths,
                              const LogrotateLoader& load);

// Whether logrotate's include skips a file named `name` (its default taboo
// extensions: ".dpkg-old", ".rpmsave", "~", ...).
bool IsLogrotateTaboo(const std::string& name);

// The real loader: reads files, lists directories (posix).
StatusOr<std::vector<LogrotateSource>> LoadLogrotatePath(
    const std::string& path);

}  // namespace retention
