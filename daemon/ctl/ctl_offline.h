// retentionctl's commands that read the state directory directly: what an
// auditor with a copied state.db runs (--state-dir), and what the commands
// fall back to when retentiond is not running. `ledger` exists only here.
// Each returns an exit code and prints to ctx.out / ctx.err.
//
// Threading: one command at a time per CtlContext.
#pragma once

#include <memory>
#include <string>

#include "ctl/ctl_commands.h"

namespace retention {

class StateDb;

// Opens the state database of ctx.state_dir; never creates one. nullptr,
// after printing why, when there is none or it cannot be opened.
std::unique_ptr<StateDb> OpenExistingStateDb(CtlContext& ctx);

// Checks the ledger's hash chain and, with --checkpoints/--journal, the
// signed checkpoints kept off the host (ctl_checkpoints.cc). 1 when either
// fails.
int VerifyStateDir(CtlContext& ctx);
// Prints state_dir/checkpoint.pub.
int PublicKeyFromStateDir(CtlContext& ctx);
// Prints the ledger entries after ctx.args[0] (default all).
int LedgerFromStateDir(CtlContext& ctx);
// Confirms the engaged clock brake: writes state_dir/confirm-clock naming
// it, for the next run to pick up. With no clock brake engaged, says so on
// ctx.err, writes nothing (and removes a stale confirmation) and returns
// kExitFailure.
int ConfirmClockInStateDir(CtlContext& ctx);
// Builds the report from state.db and the configuration, if any.
// Precondition: CheckReportOptions(ctx) returned kExitOk.
int ReportFromStateDir(CtlContext& ctx);
// report --merge: merges the JSON reports named by ctx.args into one (text,
// or JSON with --json / --format json) written as WriteReport does. 64 on a
// usage error, 1 naming the file when one cannot be read or merged.
int MergeReportFiles(CtlContext& ctx);
// Prometheus text from state.db.
int MetricsFromStateDir(CtlContext& ctx);
// The newest occupancy measurement (retentionctl occupancy).
int OccupancyFromStateDir(CtlContext& ctx);

// kExitOk when --since and --format are valid, else prints why and returns
// kExitUsage.
int CheckReportOptions(const CtlContext& ctx);
// Writes a finished report to ctx.output, or ctx.out when none is given.
int WriteReport(CtlContext& ctx, const std::string& text);

}  // namespace retention
