#include "app/options.h"

#include <boost/program_options.hpp>
#include <sstream>

namespace po = boost::program_options;

namespace retention {
namespace {

po::options_description Describe(Options* o) {
  po::options_description d("Options");
  d.add_options()(
      "config,c", po::value(&o->config)->value_name("FILE"),
      "configuration file (default /etc/retentiond/retentiond.conf); "
      "FILE.d/*.conf drop-ins are read after it")(
      "check-config", po::bool_switch(&o->check_config),
      "validate the configuration and exit (0 valid, 78 invalid)")(
      "print-config", po::bool_switch(&o->print_config),
      "print the effective configuration with the FILE:LINE of each value")(
      "print-unit-paths", po::bool_switch(&o->print_unit_paths),
      "print a systemd drop-in granting ReadWritePaths= to every directory "
      "the configuration makes retentiond write in")(
      "import-logrotate",
      po::value(&o->import_logrotate)->multitoken()->value_name("FILE..."),
      "print retentiond drop-ins equivalent to these logrotate files "
      "(includes followed), with a comment for each directive without "
      "equivalent, and exit")(
      "once", po::bool_switch(&o->once),
      "run every policy once in the foreground, print a summary, exit")(
      "policy", po::value(&o->policy)->value_name("NAME"),
      "with --once: run only this policy (NAME or KIND.NAME)")(
      "dry-run,n", po::bool_switch(&o->dry_run),
      "with --once: print what would be done, do nothing")(
      "json", po::bool_switch(&o->json),
      "with --once: print the summary as JSON")(
      "version", po::bool_switch(&o->version), "print the version and exit")(
      "help,h", po::bool_switch(&o->help), "print this help and exit");
  return d;
}

}  // namespace

bool ParseOptions(int argc, const char* const* argv, Options* options,
                  std::string* error, std::string* help) {
  po::options_description desc = Describe(options);
  std::ostringstream out;
  out << "Usage: retentiond [--config FILE | FILE] [--check-config | "
         "--print-config |\n"
         "                  --print-unit-paths | --import-logrotate FILE... |\n"
         "                  --once [--policy NAME] [--dry-run] [--json]]\n\n"
      << desc;
  *help = out.str();
  try {
    po::variables_map vm;
    po::positional_options_description positional;
    positional.add("config", 1);
    po::store(po::command_line_parser(argc, argv)
                  .options(desc)
                  .positional(positional)
                  .run(),
              vm);
    po::notify(vm);
  } catch (const po::error& e) {  // the library's edge: no exception escapes
    *error = e.what();
    return false;
  }
  if (!options->once &&
      (!options->policy.empty() || options->dry_run || options->json)) {
    *error = "--policy, --dry-run and --json go with --once";
    return false;
  }
  if (options->check_config + options->print_config +
          options->print_unit_paths + options->once +
          !options->import_logrotate.empty() >
      1) {
    *error =
        "--check-config, --print-config, --print-unit-paths, "
        "--import-logrotate and --once exclude each other";
    return false;
  }
  return true;
}

}  // namespace retention
