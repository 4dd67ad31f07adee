// Audit: is each promise kept right now? `retentionctl audit` builds every
// configured policy, takes a fresh snapshot of the world through it
// (Policy::MakePlan, as a dry run does), applies the holds, and asks the
// plan one question: is there anything a promise says should be gone
// already? Every removal left in the plan is such an item (a file older
// than its limit, an archive past max_age or over the set's budget, rows
// past their cutoff, an account past its grace); an empty directory
// planned for removal is not a promise and is not counted. A kind may add
// violations the plan cannot show (KindSpec::audit: an account purged
// whose data came back). Nothing here reads the daemon's run records.
// Pure, thread-safe.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "base/clock.h"
#include "base/exit_codes.h"
#include "core/policy.h"
#include "core/state_db.h"

namespace retention {

struct AuditFinding {
  std::string policy;  // "files.backups"
  std::string kind;    // "files"
  std::string unit;    // "file", "row" (KindSpec::unit)
  // Empty when the check ran; else why the promise could not be checked.
  std::string error;
  uint64_t overdue = 0;  // items past their deadline still there
  uint64_t bytes = 0;    // their bytes, where the kind knows them
  std::optional<WallTime> oldest;  // the oldest overdue item's time
  uint64_t held = 0;     // items past their deadline a hold keeps
  uint64_t kept = 0;     // items within their limit (Plan::kept)
  // Violations a kind found beyond its plan, one line each.
  std::vector<std::string> extra;

  bool checked() const { return error.empty(); }
  bool ok() const { return checked() && overdue == 0 && extra.empty(); }
};

// Counts what `plan` (holds not yet applied) says should already be gone,
// after applying `holds` to it.
AuditFinding AuditPlan(Plan plan, const std::vector<Hold>& holds);

// "✓ files.backups: 12 files within their limit" or
// "✗ rows.tokens: 3 rows past their cutoff, oldest 2h1m old" — one line
// per finding, then the extra lines indented.
std::string FormatAuditText(const std::vector<AuditFinding>& findings,
                            WallTime now);

// 0 when every finding holds; kAuditBroken when a promise is broken;
// kAuditUnchecked when none is broken but one could not be checked.
inline constexpr int kAuditBroken = kExitFailure;
inline constexpr int kAuditUnchecked = kExitTempFail;
int AuditExitCode(const std::vector<AuditFinding>& findings);

// Prometheus text: retention_audit_ok{policy,kind} (1 kept, 0 broken or
// not checked) and retention_audit_overdue{policy,kind} (items).
std::string FormatAuditPrometheus(const std::vector<AuditFinding>& findings);

}  // namespace retention
