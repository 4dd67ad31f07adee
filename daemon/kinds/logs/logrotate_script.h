// ConvertScript: a logrotate script (the lines of a postrotate, prerotate,
// ... up to endscript, which logrotate runs with /bin/sh -c) turned into
// what retentiond runs without a shell, when it can be said exactly:
//   - one simple command (words only; a trailing redirection to /dev/null,
//     `2>&1` and `|| true` dropped, with a note) -> an argv whose program
//     is absolute (looked up with `find`, else run through /usr/bin/env);
//   - `kill -SIG `cat PIDFILE`` or `kill -SIG $(cat PIDFILE)`, alone or
//     guarded by `[ -f PIDFILE ] &&` / `if [ -f PIDFILE ]; then ... fi`
//     -> a signal and a pid file.
// Anything else (variables, pipes, several commands, tests) gets why_not.
// Pure; thread-safe.
#pragma once

#include <functional>
#include <optional>
#include <string>
#include <vector>

namespace retention {

// The absolute path of a program a script names, or nullopt.
using ProgramFinder =
    std::function<std::optional<std::string>(const std::string&)>;

struct ScriptConversion {
  std::vector<std::string> argv;  // one simple command
  std::string signal;             // "USR1" (kill form)
  std::string pid_file;           // (kill form)
  std::string why_not;            // neither form: why
  std::string note;               // what the conversion dropped
};

ScriptConversion ConvertScript(const std::string& script,
                               const ProgramFinder& find);

}  // namespace retention
