#include "core/audit.h"

#include "base/exit_codes.h"
#include "config/config_value.h"
#include "core/holds.h"
#include "core/metrics.h"

namespace retention {
namespace {

// A removal a promise covers: an empty directory's removal is tidying.
bool IsPromised(const Action& a) {
  return IsRemoval(a.verb) && a.expected.type != FileType::kDirectory;
}

uint64_t CountPromised(const Plan& plan) {
  uint64_t n = 0;
  for (const Action& a : plan.actions) {
    if (IsPromised(a)) n += a.count;
  }
  return n;
}

std::string Items(uint64_t n, const std::string& unit) {
  const std::string word = unit.empty() ? "item" : unit;
  return std::to_string(n) + " " + word + (n == 1 ? "" : "s");
}

// An age to read at a glance: whole hours past a day, whole minutes past
// an hour.
std::string RoughAge(Duration age) {
  using std::chrono::floor;
  if (age >= std::chrono::hours(24)) {
    return FormatDuration(floor<std::chrono::hours>(age));
  }
  if (age >= std::chrono::hours(1)) {
    return FormatDuration(floor<std::chrono::minutes>(age));
  }
  return FormatDuration(floor<std::chrono::seconds>(age));
}

std::string FindingLine(const AuditFinding& f, WallTime now) {
  if (!f.checked()) return "? " + f.policy + ": not checked: " + f.error + "\n";
  std::string line = (f.ok() ? "✓ " : "✗ ") + f.policy + ": ";
  if (f.overdue == 0) {
    line += "nothing past its deadline (" + Items(f.kept, f.unit) + " kept)";
  } else {
    line += Items(f.overdue, f.unit) + " past the deadline";
    if (f.bytes > 0) line += " (" + FormatSize(f.bytes) + ")";
    if (f.oldest) line += ", oldest " + RoughAge(now - *f.oldest) + " old";
  }
  if (f.held > 0) line += "; " + std::to_string(f.held) + " more held";
  return line + "\n";
}

}  // namespace

AuditFinding AuditPlan(Plan plan, const std::vector<Hold>& holds) {
  AuditFinding f;
  f.policy = plan.policy;
  const uint64_t before = CountPromised(plan);
  ApplyHolds(holds, &plan);
  for (const Action& a : plan.actions) {
    if (!IsPromised(a)) continue;
    f.overdue += a.count;
    f.bytes += a.bytes;
    if (a.expected.mtime != WallTime{} &&
        (!f.oldest || a.expected.mtime < *f.oldest)) {
      f.oldest = a.expected.mtime;
    }
  }
  f.held = before - f.overdue;
  if (plan.kept) f.kept = plan.kept->count - f.held;
  return f;
}

std::string FormatAuditText(const std::vector<AuditFinding>& findings,
                            WallTime now) {
  std::string out;
  for (const AuditFinding& f : findings) {
    out += FindingLine(f, now);
    for (const std::string& e : f.extra) out += "    " + e + "\n";
  }
  return out;
}

int AuditExitCode(const std::vector<AuditFinding>& findings) {
  bool unchecked = false;
  for (const AuditFinding& f : findings) {
    if (f.checked() && !f.ok()) return kAuditBroken;
    unchecked = unchecked || !f.checked();
  }
  return unchecked ? kAuditUnchecked : kExitOk;
}

std::string FormatAuditPrometheus(const std::vector<AuditFinding>& findings) {
  std::string ok =
      "# HELP retention_audit_ok 1 when the policy's promise holds now\n"
      "# TYPE retention_audit_ok gauge\n";
  std::string overdue =
      "# HELP retention_audit_overdue items past their deadline still "
      "there\n# TYPE retention_audit_overdue gauge\n";
  for (const AuditFinding& f : findings) {
    const std::string labels = "{policy=\"" + PrometheusLabelValue(f.policy) +
                               "\",kind=\"" + PrometheusLabelValue(f.kind) +
                               "\"} ";
    ok += "retention_audit_ok" + labels + (f.ok() ? "1" : "0") + "\n";
    if (f.checked()) {
      overdue += "retention_audit_overdue" + labels +
                 std::to_string(f.overdue + f.extra.size()) + "\n";
    }
  }
  return ok + overdue;
}

}  // namespace retention
