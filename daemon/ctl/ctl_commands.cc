#include "ctl/ctl_commands.h"

#include <ostream>

#include "base/exit_codes.h"
#include "ctl/ctl_audit.h"
#include "ctl/ctl_offline.h"
#include "ctl/ctl_receipt.h"
#include "ctl/ctl_remote.h"

namespace retention {
namespace {

int Report(CtlContext& ctx, int (*read)(CtlContext&)) {
  int code = CheckReportOptions(ctx);
  return code == kExitOk ? read(ctx) : code;
}
int ReportRemote(CtlContext& ctx) { return Report(ctx, ReportFromDaemon); }

// Checking against checkpoints reads the ledger itself, never the daemon.
int VerifyRemote(CtlContext& ctx) {
  if (ctx.checkpoints.empty() && !ctx.journal) return VerifyFromDaemon(ctx);
  if (ctx.state_dir.empty()) {
    ctx.err << ctx.config_problem;
    return kExitConfig;
  }
  return VerifyStateDir(ctx);
}
int ReportOffline(CtlContext& ctx) { return Report(ctx, ReportFromStateDir); }

// The state directory's command, once the configuration named one.
int Offline(const CtlCommand& command, CtlContext& ctx) {
  if (ctx.state_dir.empty()) {
    ctx.err << ctx.config_problem;
    return kExitConfig;
  }
  return command.offline(ctx);
}

}  // namespace

const std::vector<CtlCommand>& CtlCommands() {
  static const std::vector<CtlCommand> commands = {
      {"status", "", "the daemon, its clock brake and every policy",
       StatusFromDaemon, nullptr},
      {"policies", "", "the configured policies: schedule, state, last run",
       PoliciesFromDaemon, nullptr},
      {"run", "NAME",
       "run policy NAME now and print the run (--dry-run: plan only)",
       RunFromDaemon, nullptr},
      {"reload", "",
       "make retentiond reread its configuration (exit 1 if invalid)",
       ReloadFromDaemon, nullptr},
      {"report", "",
       "retention report (--since 30d, --format text|json|html, -o FILE)",
       ReportRemote, ReportOffline},
      {"verify", "",
       "check the ledger's hash chain end to end (exit 1 if broken); "
       "--checkpoints FILE, --journal: also against signed checkpoints",
       VerifyRemote, VerifyStateDir},
      {"key", "", "the public key that signs checkpoints (state directory)",
       nullptr, PublicKeyFromStateDir},
      {"metrics", "", "Prometheus metrics", MetricsFromDaemon,
       MetricsFromStateDir},
      {"confirm-clock", "", "release the clock brake after checking the clock",
       ConfirmClockFromDaemon, ConfirmClockInStateDir},
      {"release", "NAME",
       "release policy NAME's mass-deletion brake for its next run",
       ReleaseFromDaemon, nullptr},
      {"hold", "",
       "hold --policy NAME | --path PATH | --account ID --reason TEXT: "
       "exclude from every deletion",
       HoldFromDaemon, nullptr},
      {"release-hold", "",
       "release-hold --policy NAME | --path PATH | --account ID",
       ReleaseHoldFromDaemon, nullptr},
      {"holds", "", "every hold in place", HoldsFromDaemon, nullptr},
      {"occupancy", "[USER]",
       "storage per user from the last measurement (--top N, --over)",
       OccupancyFromDaemon, OccupancyFromStateDir},
      {"audit", "[POLICY]",
       "check every promise against the world now (exit 1 if one is "
       "broken; --json, --format prometheus)",
       nullptr, AuditOffline},
      {"receipt", "ACCOUNT",
       "the signed erasure receipt of a purged account (state directory; "
       "--json: the signed document)",
       nullptr, ReceiptFromStateDir},
      {"ledger", "[AFTER_SEQ]",
       "print ledger entries, all or those after AFTER_SEQ (state directory)",
       nullptr, LedgerFromStateDir},
  };
  return commands;
}

const CtlCommand* FindCtlCommand(const std::string& name) {
  for (const CtlCommand& c : CtlCommands()) {
    if (name == c.name) return &c;
  }
  return nullptr;
}

int RunCtlCommand(const CtlCommand& command, CtlContext& ctx) {
  if (*command.args == '\0' && !ctx.args.empty()) {
    ctx.err << "retentionctl: " << command.name << " takes no arguments\n";
    return kExitUsage;
  }
  if (command.remote == nullptr) return Offline(command, ctx);
  if (command.offline == nullptr) {
    int code = command.remote(ctx);
    if (code == kExitNotRunning) PrintNotRunning(ctx);
    return code;
  }
  if (!ctx.state_dir_given) {
    int code = command.remote(ctx);
    if (code != kExitNotRunning) return code;
  }
  return Offline(command, ctx);
}

}  // namespace retention
