// retentionctl audit [POLICY]: checks every promise against the world now
// (audit.h), never against the daemon's run records. It never asks the
// daemon: it builds each configured policy from the configuration itself,
// snapshots the roots, log sets and databases read-only through it, and
// reads state.db (when there is one) only for the holds and the accounts
// purged. Run it as the daemon's user or root: it reads what the daemon
// reads.
//
// Threading: one command at a time per CtlContext.
#pragma once

#include "ctl/ctl_commands.h"

namespace retention {

// Prints one line per policy (✓ kept, ✗ broken with its evidence, ? not
// checked), or JSON with --json, or Prometheus text with --format
// prometheus. Exit: 0 every promise holds; 1 (kAuditBroken) one is broken;
// 75 (kAuditUnchecked) none broken but one could not be checked; 64 for
// an unknown POLICY; 78 without a configuration.
int AuditOffline(CtlContext& ctx);

}  // namespace retention
