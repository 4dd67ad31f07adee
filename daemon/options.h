// retentiond's command line, parsed with Boost.Program_options. Pure: no
// side effects beyond filling Options. Exit codes follow sysexits(3).
#pragma once

#include <string>
#include <vector>

namespace retention {

inline constexpr int kExitOk = 0;
inline constexpr int kExitFailure = 1;
// retentionctl: a command that needs the daemon found nothing serving its
// control socket (like systemctl's "inactive").
inline constexpr int kExitNotRunning = 3;
inline constexpr int kExitUsage = 64;     // EX_USAGE
inline constexpr int kExitTempFail = 75;  // EX_TEMPFAIL: a brake held a run
// EX_NOPERM: retentionctl may not connect, or the daemon refused the call.
inline constexpr int kExitNoPermission = 77;
inline constexpr int kExitConfig = 78;  // EX_CONFIG

inline constexpr char kDefaultConfigPath[] = "/etc/retentiond/retentiond.conf";
// retentionctl's socket when neither --socket nor a readable configuration
// names one; the same as [daemon] control_socket's default.
inline constexpr char kDefaultControlSocket[] = "/run/retentiond/control.sock";

struct Options {
  std::string config = kDefaultConfigPath;
  bool check_config = false;
  bool print_config = false;
  bool print_unit_paths = false;
  bool once = false;
  std::string policy;  // with --once: only this one
  bool dry_run = false;
  bool json = false;
  bool version = false;
  bool help = false;
};

// Parses argv. Returns false with a message in *error for unknown options,
// missing values, and combinations that make no sense (--policy, --dry-run
// or --json without --once; more than one of --check-config, --print-config,
// --print-unit-paths and --once). *help receives the option descriptions.
bool ParseOptions(int argc, const char* const* argv, Options* options,
                  std::string* error, std::string* help);

}  // namespace retention
