// retentionctl's commands that ask retentiond over the control socket
// (io.retentiond.Manager). Each prints the reply — as text, or with --json
// the reply's parameters — and returns the exit code: kExitOk; kExitFailure
// for an error reply or a failed call; kExitNoPermission when the socket or
// the daemon refuses this user; kExitNotRunning, with nothing printed, when
// nothing serves the socket, so the caller can fall back or say so.
//
// Threading: one command at a time per CtlContext; each call blocks on its
// own connection until the daemon replies.
#pragma once

#include "ctl/ctl_commands.h"

namespace retention {

int StatusFromDaemon(CtlContext& ctx);
int PoliciesFromDaemon(CtlContext& ctx);
// ctx.args: exactly one policy name. Exit codes as `retentiond --once`:
// kExitTempFail when a brake held the run, kExitFailure when it failed.
int RunFromDaemon(CtlContext& ctx);
// kExitFailure, each configuration error printed, when the daemon refused
// the new configuration.
int ReloadFromDaemon(CtlContext& ctx);
// Precondition: CheckReportOptions(ctx) returned kExitOk.
int ReportFromDaemon(CtlContext& ctx);
int VerifyFromDaemon(CtlContext& ctx);
int MetricsFromDaemon(CtlContext& ctx);
int OccupancyFromDaemon(CtlContext& ctx);
int ConfirmClockFromDaemon(CtlContext& ctx);
// Release NAME: clears a policy's mass-deletion brake.
int ReleaseFromDaemon(CtlContext& ctx);
// hold / release-hold (--policy|--path|--account, --reason) and holds.
int HoldFromDaemon(CtlContext& ctx);
int ReleaseHoldFromDaemon(CtlContext& ctx);
int HoldsFromDaemon(CtlContext& ctx);

// "retentionctl: retentiond is not running (no socket at PATH)".
void PrintNotRunning(CtlContext& ctx);

}  // namespace retention
