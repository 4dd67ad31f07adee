// retentionctl: parses the command line, finds the configuration, the state
// directory and the control socket, and runs one command from the table in
// ctl_commands.cc.
#include <boost/program_options.hpp>
#include <filesystem>
#include <iostream>
#include <sstream>

#include "base/exit_codes.h"
#include "config/config.h"
#include "config/kind_registry.h"
#include "ctl/ctl_client.h"
#include "ctl/ctl_commands.h"
#include "ctl/ctl_offline.h"

namespace po = boost::program_options;
using namespace retention;

namespace {

std::string Usage(const po::options_description& desc) {
  std::string out =
      "Usage: retentionctl [--config FILE] [--state-dir DIR] [--socket PATH] "
      "[--json] COMMAND [ARGS]\n\n"
      "Commands (status, policies, run and reload need the daemon; ledger\n"
      "reads the state directory; the others ask the daemon, or read the\n"
      "state directory with --state-dir or when the daemon is not running):\n";
  for (const CtlCommand& c : CtlCommands()) {
    std::string name = std::string(c.name) + " " + c.args;
    out += "  " + name +
           std::string(name.size() < 22 ? 22 - name.size() : 1, ' ') + c.help +
           "\n";
  }
  std::ostringstream o;
  o << "\n"
    << desc
    << "\nExit status: 0 ok, 1 failure or error reply, 3 retentiond not "
       "running,\n64 usage, 75 a brake held the run, 77 permission denied, "
       "78 unreadable\nconfiguration.\n";
  return out + o.str();
}

// Reads the configuration unless only --state-dir was given (an auditor
// with a copied state.db has none), and fills the state directory and the
// socket from it. A configuration whose policies are broken still names
// both: `reload` must reach the daemon to print its FILE:LINE errors (the
// daemon keeps its running configuration), and the offline commands need no
// policy. An unreadable configuration the user did not name (the default,
// often unreadable to non-root operators) is not fatal here: the socket
// commands use the default socket, and a command that needs the state
// directory prints ctx->config_problem. Nor is one named with --config
// for `reload` (`asks_daemon_only`): reload must reach the daemon, which
// reads the files itself and reports their errors; it gets a warning and
// the socket given with --socket, else the default. Returns false, after
// printing why, when a configuration named with --config has no usable
// [daemon] for any other command.
bool LoadCtlConfig(const std::string& config_path, bool config_given,
                   bool asks_daemon_only, std::unique_ptr<Config>* config,
                   CtlContext* ctx) {
  if (ctx->state_dir_given && !config_given) return true;
  auto loaded = std::make_unique<Config>();
  std::vector<ConfigError> errors;
  const Section* daemon = nullptr;
  Section daemon_only;
  if (LoadConfig(config_path, BuiltinRegistry(), loaded.get(), &errors)) {
    daemon = &loaded->daemon();
  } else if (LoadDaemonSection(config_path, BuiltinRegistry(), &daemon_only,
                               &errors)) {
    daemon = &daemon_only;
    loaded.reset();
  } else {
    for (const ConfigError& e : errors) {
      ctx->config_problem += e.ToString() + "\n";
    }
    if (asks_daemon_only) {
      if (config_given) {
        std::cerr << ctx->config_problem
                  << "retentionctl: cannot read the configuration; asking "
                     "the daemon on "
                  << ctx->socket_path << " (--socket PATH to choose)\n";
      }
      return true;
    }
    ctx->config_problem +=
        "retentionctl: cannot read the configuration; "
        "give --state-dir to bypass it\n";
    if (config_given) std::cerr << ctx->config_problem;
    return !config_given;
  }
  if (ctx->state_dir.empty()) ctx->state_dir = daemon->GetString("state_dir");
  ctx->socket_path = daemon->GetString("control_socket");
  *config = std::move(loaded);
  ctx->config = config->get();
  return true;
}

// --state-dir as given, relative to the working directory made absolute
// (the filesystem seam opens absolute roots only). absolute() fails only
// when the working directory is gone; the path is then kept as given and
// its use reports the error.
std::string AbsoluteDir(const std::string& dir) {
  if (dir.empty()) return dir;
  std::error_code ec;
  std::filesystem::path p = std::filesystem::absolute(dir, ec);
  if (ec) return dir;
  std::string out = p.lexically_normal().string();
  if (out.size() > 1 && out.back() == '/') out.pop_back();
  return out;
}

// The command line as given.
struct Flags {
  std::string config = kDefaultConfigPath, state_dir, socket, command;
  std::string since = "30d", format = "text", output;
  std::string policy, path, account, reason;
  std::string checkpoints, journal_dir, key;
  std::vector<std::string> args;
  bool json = false, dry_run = false, help = false, version = false;
  bool journal = false;
  bool merge = false;
  int top = 0;
  bool over = false;
  bool config_given = false, socket_given = false;
};

po::options_description Describe(Flags* f) {
  po::options_description desc("Options");
  desc.add_options()("config,c", po::value(&f->config)->value_name("FILE"),
                     "the configuration naming state_dir and control_socket "
                     "(default /etc/retentiond/retentiond.conf)")(
      "state-dir", po::value(&f->state_dir)->value_name("DIR"),
      "read this state directory, never the daemon")(
      "socket", po::value(&f->socket)->value_name("PATH"),
      "the control socket (default: control_socket of the configuration, "
      "else /run/retentiond/control.sock)")("json", po::bool_switch(&f->json),
                                            "print JSON")(
      "dry-run,n", po::bool_switch(&f->dry_run),
      "run: plan and print, delete nothing")(
      "since", po::value(&f->since)->value_name("DURATION"),
      "report: the period, ending now (default 30d)")(
      "format", po::value(&f->format)->value_name("FORMAT"),
      "report: text, json or html (default text)")(
      "output,o", po::value(&f->output)->value_name("FILE"),
      "report: write to FILE instead of standard output")(
      "merge", po::bool_switch(&f->merge),
      "report --merge FILE...: one report from several hosts' JSON reports")(
      "policy", po::value(&f->policy)->value_name("NAME"),
      "hold, release-hold: the policy held")(
      "path", po::value(&f->path)->value_name("PATH"),
      "hold, release-hold: the path held (and everything below it)")(
      "account", po::value(&f->account)->value_name("ID"),
      "hold, release-hold: the account held")(
      "reason", po::value(&f->reason)->value_name("TEXT"),
      "hold: why (recorded in the ledger)")(
      "checkpoints", po::value(&f->checkpoints)->value_name("FILE"),
      "verify: also against the checkpoints in FILE (one JSON per line)")(
      "journal", po::bool_switch(&f->journal),
      "verify: also against the checkpoints in the systemd journal")(
      "journal-dir", po::value(&f->journal_dir)->value_name("DIR"),
      "verify: read the journal files in DIR (implies --journal)")(
      "key", po::value(&f->key)->value_name("FILE"),
      "verify: the public key (default state_dir/checkpoint.pub)")(
      "top", po::value(&f->top)->value_name("N"),
      "occupancy: only the N largest users")(
      "over", po::bool_switch(&f->over), "occupancy: only users over quota")(
      "version", po::bool_switch(&f->version), "print the version and exit")(
      "help,h", po::bool_switch(&f->help), "print this help and exit");
  return desc;
}

// Fills *f from argv. False, after printing why, on a usage error.
bool ParseFlags(int argc, char** argv, const po::options_description& desc,
                Flags* f) {
  po::options_description hidden;
  hidden.add_options()("command", po::value(&f->command))(
      "args", po::value(&f->args)->multitoken());
  po::options_description all;
  all.add(desc).add(hidden);
  po::positional_options_description positional;
  positional.add("command", 1).add("args", -1);
  po::variables_map vm;
  try {
    po::store(po::command_line_parser(argc, argv)
                  .options(all)
                  .positional(positional)
                  .run(),
              vm);
    po::notify(vm);
  } catch (const po::error& e) {  // the library's edge: no exception escapes
    std::cerr << "retentionctl: " << e.what() << "\n" << Usage(desc);
    return false;
  }
  f->config_given = vm.count("config") && !vm["config"].defaulted();
  f->socket_given = vm.count("socket") > 0;
  return true;
}

}  // namespace

int main(int argc, char** argv) {
  Flags f;
  const po::options_description desc = Describe(&f);
  if (!ParseFlags(argc, argv, desc, &f)) return kExitUsage;
  if (f.help) return std::cout << Usage(desc), kExitOk;
  if (f.version)
    return std::cout << "retentionctl " << RETENTION_VERSION << "\n", kExitOk;
  const CtlCommand* c = FindCtlCommand(f.command);
  if (c == nullptr) {
    std::cerr << "retentionctl: "
              << (f.command.empty() ? "no command given"
                                    : "unknown command '" + f.command + "'")
              << "\n"
              << Usage(desc);
    return kExitUsage;
  }
  PosixClock clock;
  auto fs = NewPosixFilesystem();
  CtlContext ctx{.state_dir = AbsoluteDir(f.state_dir),
                 .state_dir_given = !f.state_dir.empty(),
                 .socket_path = kDefaultControlSocket,
                 .json = f.json,
                 .args = f.args,
                 .config = nullptr,
                 .since = f.since,
                 .format = f.format,
                 .output = f.output,
                 .dry_run = f.dry_run,
                 .top = f.top,
                 .over = f.over,
                 .fs = *fs,
                 .clock = clock,
                 .out = std::cout,
                 .err = std::cerr};
  ctx.reason = f.reason;
  ctx.checkpoints = AbsoluteDir(f.checkpoints);
  ctx.journal = f.journal || !f.journal_dir.empty();
  ctx.journal_dir = AbsoluteDir(f.journal_dir);
  ctx.key_file = AbsoluteDir(f.key);
  ctx.wrap_ledger = StdoutIsTerminal();
  for (const auto& [kind, target] :
       {std::pair{"policy", &f.policy}, std::pair{"path", &f.path},
        std::pair{"account", &f.account}}) {
    if (target->empty()) continue;
    ctx.hold_kind = ctx.hold_kind.empty() ? kind : "?";
    ctx.hold_target = *target;
  }
  if (f.merge) {
    if (std::string(c->name) != "report") {
      std::cerr << "retentionctl: --merge goes with report only\n";
      return kExitUsage;
    }
    return MergeReportFiles(ctx);  // needs no configuration
  }
  std::unique_ptr<Config> config;
  if (f.socket_given) ctx.socket_path = f.socket;
  const bool is_reload = std::string(c->name) == "reload";
  if (!LoadCtlConfig(f.config, f.config_given, is_reload, &config, &ctx)) {
    return kExitConfig;
  }
  if (f.socket_given) ctx.socket_path = f.socket;
  return RunCtlCommand(*c, ctx);
}
