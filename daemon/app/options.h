// retentiond's command line, parsed with Boost.Program_options. Pure: no
// side effects beyond filling Options. Exit codes follow sysexits(3).
#pragma once

#include <string>
#include <vector>

#include "base/exit_codes.h"

namespace retention {

struct Options {
  std::string config = kDefaultConfigPath;
  bool check_config = false;
  bool print_config = false;
  bool print_unit_paths = false;
  bool once = false;
  std::string policy;  // with --once: only this one
  bool dry_run = false;
  bool json = false;
  // --import-logrotate FILE...: print the drop-ins equivalent to these
  // logrotate files (logrotate_import.h) and exit.
  std::vector<std::string> import_logrotate;
  bool version = false;
  bool help = false;
};

// Parses argv. Returns false with a message in *error for unknown options,
// missing values, and combinations that make no sense (--policy, --dry-run
// or --json without --once; more than one of --check-config, --print-config,
// --print-unit-paths, --import-logrotate and --once). *help receives the option descriptions.
bool ParseOptions(int argc, const char* const* argv, Options* options,
                  std::string* error, std::string* help);

}  // namespace retention
