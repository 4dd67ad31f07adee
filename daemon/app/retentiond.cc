// retentiond: parses the command line, builds the real seams, and hands
// over to the library (Daemon, MainLoop). Nothing else lives here.
#include <spdlog/spdlog.h>

#include <atomic>
#include <iostream>

#include "app/main_loop.h"
#include "app/options.h"
#include "app/progress_line.h"
#include "app/unit_paths.h"
#include "base/logging.h"
#include "core/daemon.h"
#include "kinds/logs/logrotate_import.h"
#include "report/run_summary.h"

namespace retention {
namespace {

// Set by SIGTERM/SIGINT during --once; lock-free, so async-signal-safe.
std::atomic<bool> once_stop{false};

// What each policy needs beyond its text, checked read-only as the daemon
// checks it at start (the application databases).
std::vector<ConfigError> CheckExternal(const Config& config,
                                       const KindRegistry& registry) {
  std::vector<ConfigError> errors;
  for (const Section* section : config.policies()) {
    const KindSpec* kind = registry.Find(section->kind);
    if (kind != nullptr && kind->check) kind->check(*section, &errors);
  }
  return errors;
}

int CheckOrPrintConfig(const Options& o, const KindRegistry& registry) {
  Config config;
  std::vector<ConfigError> errors;
  bool ok = LoadConfig(o.config, registry, &config, &errors);
  if (ok && o.check_config) {
    errors = CheckExternal(config, registry);
    ok = errors.empty();
  }
  if (!ok) {
    for (const ConfigError& e : errors) std::cerr << e.ToString() << "\n";
    const size_t count = CountConfigErrors(errors);
    std::cerr << count << (count == 1 ? " error" : " errors")
              << "; configuration not valid\n";
    return kExitConfig;
  }
  if (o.print_config) {
    std::cout << PrintConfig(config);
  } else if (o.print_unit_paths) {
    std::cout << FormatUnitPathsDropIn(o.config,
                                       UnitWritablePaths(config, registry),
                                       UnitHomeReadPaths(config, registry));
  } else {
    std::cout << o.config << ": OK (" << config.policies().size()
              << " policies, " << config.files.size() << " files)\n";
  }
  return kExitOk;
}

// --import-logrotate: the drop-ins on stdout, logrotate's syntax errors on
// stderr too (and exit 78), the rest converted anyway.
int ImportLogrotateFiles(const Options& o) {
  const LogrotateConfig config =
      ReadLogrotate(o.import_logrotate, LoadLogrotatePath);
  std::cout << ImportLogrotate(config, FindProgram);
  for (const std::string& e : config.errors) {
    std::cerr << "retentiond: " << e << "\n";
  }
  return config.errors.empty() ? kExitOk : kExitConfig;
}

// How long --once waits for compressions after its runs: a reopened
// archive whose writer never lets go is compressed once its size was
// stable for 30 s, and a 1 GiB archive takes some 10 s to compress.
constexpr Duration kOnceFinishLimit = std::chrono::minutes(5);

std::vector<RunReport> RunOnce(Daemon& daemon, const Options& o) {
  std::vector<std::shared_ptr<Policy>> policies;
  if (!o.policy.empty()) {
    policies.push_back(daemon.Find(o.policy));
  } else {
    for (const auto& [id, every] : daemon.Schedule())
      policies.push_back(daemon.Find(id));
  }
  StopOnTermSignals(&once_stop);
  std::vector<RunReport> reports;
  for (const auto& policy : policies) {
    if (once_stop) break;
    reports.push_back(daemon.Run(*policy, o.dry_run, once_stop));
    if (!o.json) LogRunReport(reports.back());
  }
  // Work a run handed to a policy's own thread (compressions) finishes
  // before the process exits; a writer that never lets go of its rotated
  // file is waited for as the daemon would (its size stable for 30 s).
  for (const auto& policy : policies) {
    const size_t left = policy->Finish(kOnceFinishLimit, once_stop);
    if (left > 0) {
      spdlog::warn("{}: {} compressions not finished; the next run does them",
                   policy->id(), left);
    }
  }
  return reports;
}

int Serve(const Options& o, const KindRegistry& registry) {
  PosixClock clock;
  auto fs = NewPosixFilesystem();
  Daemon daemon(clock, *fs, registry, o.config);
  std::vector<ConfigError> errors;
  // The daemon runs the policies it can; --once fails on any.
  Status st = daemon.Start(&errors, /*start_broken=*/!o.once);
  if (!st.ok()) {
    for (const ConfigError& e : errors) spdlog::critical("{}", e.ToString());
    if (!errors.empty()) {
      spdlog::critical("cannot start: configuration not valid");
      return kExitConfig;
    }
    spdlog::critical("cannot start: {}", st.ToString());
    return kExitFailure;
  }
  SetLogLevel(daemon.config()->daemon().GetString("log_level"));
  // A long run shows its progress when stderr is a terminal.
  ProgressAttachment progress(daemon.progress(), NewTerminalProgress());
  if (o.once) {
    if (!o.policy.empty() && !daemon.Find(o.policy)) {
      spdlog::critical("no policy named '{}'", o.policy);
      return kExitUsage;
    }
    std::vector<RunReport> reports = RunOnce(daemon, o);
    if (!o.dry_run) {
      // A --once run from cron stops like the daemon does: anchored.
      auto written = daemon.WriteCheckpoint();
      if (!written.ok()) {
        spdlog::error("checkpoint: {}", written.status().ToString());
      }
    }
    std::cout << (o.json ? FormatRunsJson(reports) : FormatRunsText(reports));
    return ExitCodeForRuns(reports);
  }
  auto notifier = NewSystemdNotifier();
  Status rec = daemon.Record("start", "retentiond " RETENTION_VERSION);
  if (!rec.ok()) {
    spdlog::critical("cannot write the ledger: {}", rec.ToString());
    return kExitFailure;
  }
  spdlog::info("retentiond {} started with {} ({} policies)", RETENTION_VERSION,
               o.config, daemon.Schedule().size());
  MainLoop loop(daemon, clock, *notifier);
  return loop.Run();
}

}  // namespace
}  // namespace retention

int main(int argc, char** argv) {
  using namespace retention;
  Options o;
  std::string error, help;
  if (!ParseOptions(argc, argv, &o, &error, &help)) {
    std::cerr << "retentiond: " << error << "\n" << help;
    return kExitUsage;
  }
  if (o.help) {
    std::cout << help;
    return kExitOk;
  }
  if (o.version) {
    std::cout << "retentiond " << RETENTION_VERSION << "\n";
    return kExitOk;
  }
  if (!o.import_logrotate.empty()) return ImportLogrotateFiles(o);
  const KindRegistry registry = BuiltinRegistry();
  if (o.check_config || o.print_config || o.print_unit_paths) {
    return CheckOrPrintConfig(o, registry);
  }
  SetupLogging("info");
  UsePrivateUmask();  // as the unit's UMask=0077, also when run without it
  return Serve(o, registry);
}
