// retentionctl's commands: the table that names each command, says what it
// takes and whether it asks retentiond over the control socket, reads the
// state directory, or either; and RunCtlCommand, which applies the rules:
//
//   - socket-only commands (status, policies, run, reload) need the daemon
//     and exit kExitNotRunning when nothing serves the socket;
//   - state-directory-only commands (ledger, audit, key, receipt) never ask
//     the daemon;
//   - the others (report, verify, metrics, confirm-clock) ask the daemon,
//     unless --state-dir was given (an auditor with a copied state.db), and
//     fall back to the configuration's state directory when the daemon is
//     not running.
//
// Threading: one command at a time per CtlContext.
#pragma once

#include <iosfwd>
#include <string>
#include <vector>

#include "config/config.h"
#include "os/filesystem.h"

namespace retention {

struct CtlContext {
  std::string state_dir = "";    // empty when no configuration could be read
  bool state_dir_given = false;  // --state-dir: never ask the daemon
  std::string socket_path = "";  // the control socket; empty = disabled
  // Why the configuration could not be read (printed before exiting
  // kExitConfig when a command needs the state directory); empty when read.
  std::string config_problem = "";
  bool json = false;
  std::vector<std::string> args = {};  // after the command name
  const Config* config = nullptr;      // nullptr when not read
  std::string since = "30d";           // report: the period, a duration
  std::string format = "text";         // report: text, json or html
  std::string output = "";             // report: a file instead of stdout
  bool dry_run = false;                // run: plan only
  // hold, release-hold: "policy", "path" or "account" and its target (from
  // --policy/--path/--account; kind "?" when several were given), and
  // --reason.
  std::string hold_kind = "";
  std::string hold_target = "";
  std::string reason = "";
  // verify: checkpoints kept off the host, to check the ledger against
  // (--checkpoints FILE, --journal, --journal-dir DIR), and the public
  // key (--key FILE; default state_dir/checkpoint.pub).
  std::string checkpoints = "";
  bool journal = false;
  std::string journal_dir = "";
  std::string key_file = "";
  int top = 0;        // occupancy: the N largest; 0: all
  bool over = false;  // occupancy: only users over quota
  // ledger: wrap each entry to 80 columns (standard output is a terminal);
  // otherwise one entry per line, for scripts.
  bool wrap_ledger = false;
  Filesystem& fs;
  Clock& clock;
  std::ostream& out;
  std::ostream& err;
};

struct CtlCommand {
  const char* name;
  const char* args;  // synopsis of the arguments: "NAME", "[AFTER_SEQ]", ""
  const char* help;
  // Asks the daemon; nullptr when the command never does. Returns
  // kExitNotRunning, printing nothing, when nothing serves the socket.
  int (*remote)(CtlContext& ctx);
  // Reads the state directory; nullptr when the command needs the daemon.
  int (*offline)(CtlContext& ctx);
};

const std::vector<CtlCommand>& CtlCommands();

// The command named `name`, or nullptr.
const CtlCommand* FindCtlCommand(const std::string& name);

// Runs `command` by the rules above and returns retentionctl's exit code.
int RunCtlCommand(const CtlCommand& command, CtlContext& ctx);

}  // namespace retention
