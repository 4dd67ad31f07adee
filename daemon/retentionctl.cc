// retentionctl: parses the command line and runs one command from the
// table in ctl_commands.cc.
#include <boost/program_options.hpp>
#include <iostream>

#include "config.h"
#include "ctl_commands.h"
#include "kind_registry.h"
#include "options.h"

namespace po = boost::program_options;
using namespace retention;

namespace {

std::string Usage(const po::options_description& desc) {
  std::string out =
      "Usage: retentionctl [--config FILE] [--state-dir DIR] [--json] COMMAND "
      "[ARGS]\n\n"
      "Commands:\n";
  for (const CtlCommand& c : CtlCommands()) {
    out += "  " + std::string(c.name) +
           std::string(16 - std::string(c.name).size(), ' ') + c.help + "\n";
  }
  std::ostringstream o;
  o << "\n" << desc;
  return out + o.str();
}

// Reads the configuration unless only --state-dir was given (an auditor
// with a copied state.db has none); the state directory is --state-dir, else
// the one the configuration names. *config stays null when not read.
bool LoadCtlConfig(const std::string& config_path, bool config_given,
                   std::unique_ptr<Config>* config, std::string* state_dir) {
  if (!state_dir->empty() && !config_given) return true;
  auto loaded = std::make_unique<Config>();
  std::vector<ConfigError> errors;
  if (!LoadConfig(config_path, BuiltinRegistry(), loaded.get(), &errors)) {
    for (const ConfigError& e : errors) std::cerr << e.ToString() << "\n";
    std::cerr << "retentionctl: cannot read the configuration; "
                 "give --state-dir to bypass it\n";
    return false;
  }
  if (state_dir->empty()) *state_dir = loaded->daemon().GetString("state_dir");
  *config = std::move(loaded);
  return true;
}

}  // namespace

int main(int argc, char** argv) {
  std::string config_path = kDefaultConfigPath, state_dir, command;
  std::string since = "30d", format = "text", output;
  std::vector<std::string> args;
  bool json = false, help = false, version = false;
  po::options_description desc("Options");
  desc.add_options()("config,c", po::value(&config_path)->value_name("FILE"),
                     "read state_dir from this configuration (default "
                     "/etc/retentiond/retentiond.conf)")(
      "state-dir", po::value(&state_dir)->value_name("DIR"),
      "the state directory itself")("json", po::bool_switch(&json),
                                    "print JSON")(
      "since", po::value(&since)->value_name("DURATION"),
      "report: the period, ending now (default 30d)")(
      "format", po::value(&format)->value_name("FORMAT"),
      "report: text, json or html (default text)")(
      "output,o", po::value(&output)->value_name("FILE"),
      "report: write to FILE instead of standard output")(
      "version", po::bool_switch(&version), "print the version and exit")(
      "help,h", po::bool_switch(&help), "print this help and exit");
  po::options_description hidden;
  hidden.add_options()("command", po::value(&command))(
      "args", po::value(&args)->multitoken());
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
    return kExitUsage;
  }
  if (help) return std::cout << Usage(desc), kExitOk;
  if (version)
    return std::cout << "retentionctl " << RETENTION_VERSION << "\n", kExitOk;
  for (const CtlCommand& c : CtlCommands()) {
    if (command != c.name) continue;
    std::unique_ptr<Config> config;
    const bool config_given = vm.count("config") && !vm["config"].defaulted();
    if (!LoadCtlConfig(config_path, config_given, &config, &state_dir)) {
      return kExitConfig;
    }
    PosixClock clock;
    auto fs = NewPosixFilesystem();
    CtlContext ctx{state_dir, json, args,  config.get(), since,    format,
                   output,    *fs,  clock, std::cout,    std::cerr};
    return c.run(ctx);
  }
  std::cerr << "retentionctl: "
            << (command.empty() ? "no command given"
                                : "unknown command '" + command + "'")
            << "\n"
            << Usage(desc);
  return kExitUsage;
}
