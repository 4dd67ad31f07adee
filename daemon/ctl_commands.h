// retentionctl's commands. Each is a short function over CtlContext; the
// table in ctl_commands.cc maps names to them. In this release the commands
// read the state directory directly (the daemon need not be running), which
// is what an auditor verifying a copied state.db needs too. The report
// uses the configuration, when there is one, for each policy's limit.
#pragma once

#include <iosfwd>
#include <string>
#include <vector>

#include "config.h"
#include "filesystem.h"

namespace retention {

struct CtlContext {
  std::string state_dir;
  bool json = false;
  std::vector<std::string> args;  // after the command name
  const Config* config;           // nullptr when only --state-dir was given
  std::string since;              // report: the period, a duration
  std::string format;             // report: text, json or html
  std::string output;             // report: a file instead of stdout
  Filesystem& fs;
  Clock& clock;
  std::ostream& out;
  std::ostream& err;
};

struct CtlCommand {
  const char* name;
  const char* help;
  int (*run)(CtlContext& ctx);
};

const std::vector<CtlCommand>& CtlCommands();

}  // namespace retention
