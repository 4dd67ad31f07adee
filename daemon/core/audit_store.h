// The newest audit the daemon ran (audit_run.h), kept in state.db's
// state_meta under "audit", so that the metrics, from the daemon or from
// `retentionctl metrics` on the state directory, carry each promise's
// verdict: retentiond_promise_kept{policy,kind} and the items overdue.
// One short line per policy; replaced by each audit. Thread-safe
// (StateDb's lock).
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "base/clock.h"
#include "base/status.h"
#include "core/audit.h"
#include "core/state_db.h"

namespace retention {

struct AuditVerdict {
  std::string policy;
  std::string kind;
  bool checked = false;
  bool ok = false;
  uint64_t overdue = 0;  // items past their deadline, and violations found
};

struct AuditRecord {
  WallTime time{};
  std::vector<AuditVerdict> policies;
};

// Replaces the stored audit with `findings`, run at `time`.
Status SaveAudit(StateDb& db, WallTime time,
                 const std::vector<AuditFinding>& findings);
// The stored audit; nullopt before the first (or when unreadable: an
// older retentiond's line).
StatusOr<std::optional<AuditRecord>> LoadAudit(StateDb& db);

}  // namespace retention
