// RunCommand: runs a program from an argv (never a shell string) with a
// timeout; used by reopen commands and occupancy hooks (command_posix.cc).
//
// Threading: safe from any thread; blocks the caller until the command ends.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "base/clock.h"
#include "base/status.h"

namespace retention {

// Runs args[0] (looked up in PATH) with args, stdin and stdout on
// /dev/null, the daemon's environment plus `env` ("NAME=value" each), in its
// own process group, and waits up to `timeout`. OK on exit status 0. Fails
// kIoError on another exit status or a signal (with the first stderr line),
// kAborted on timeout (the group is killed), kNotFound when the program does
// not exist, kInvalidArgument when args is empty.
Status RunCommand(const std::vector<std::string>& args,
                  const std::vector<std::string>& env, Duration timeout);

// RunCommand with `input` on the command's stdin instead of /dev/null.
Status RunCommandWithInput(const std::vector<std::string>& args,
                           const std::vector<std::string>& env,
                           std::string_view input, Duration timeout);

}  // namespace retention
