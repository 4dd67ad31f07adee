// ParseSignalName (logs_rule.h): the POSIX signal numbers by name.
#include <signal.h>

#include <cctype>

#include "kinds/logs/logs_rule.h"

namespace retention {
namespace {

struct SignalName {
  const char* name;
  int number;
};

// The signals a writer may be asked to reopen its logs with. KILL and STOP
// are refused separately: no process can handle them.
constexpr SignalName kSignals[] = {
    {"HUP", SIGHUP},       {"INT", SIGINT},   {"QUIT", SIGQUIT},
    {"USR1", SIGUSR1},     {"USR2", SIGUSR2}, {"ALRM", SIGALRM},
    {"TERM", SIGTERM},     {"CONT", SIGCONT}, {"WINCH", SIGWINCH},
    {"URG", SIGURG},       {"IO", SIGIO},     {"PWR", SIGPWR},
    {"TTIN", SIGTTIN},     {"TTOU", SIGTTOU}, {"TSTP", SIGTSTP},
    {"PIPE", SIGPIPE},     {"CHLD", SIGCHLD}, {"PROF", SIGPROF},
    {"VTALRM", SIGVTALRM}, {"XCPU", SIGXCPU}, {"XFSZ", SIGXFSZ},
    {"SYS", SIGSYS},       {"TRAP", SIGTRAP}, {"ABRT", SIGABRT},
};

}  // namespace

StatusOr<int> ParseSignalName(std::string_view name) {
  std::string upper;
  for (char c : name) {
    upper += static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  }
  if (upper.rfind("SIG", 0) == 0) upper.erase(0, 3);
  if (upper == "KILL" || upper == "STOP") {
    return Status::InvalidArgument(
        "SIG" + upper +
        " cannot be handled by a writer; use the signal it "
        "reopens its logs on (often USR1 or HUP)");
  }
  for (const SignalName& s : kSignals) {
    if (upper == s.name) return s.number;
  }
  return Status::InvalidArgument("unknown signal '" + std::string(name) +
                                 "'; expected a name such as USR1, HUP or "
                                 "SIGUSR2");
}

}  // namespace retention
