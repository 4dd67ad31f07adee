// The audit's reading of a plan: every removal a promise covers left after
// the holds is overdue; held ones, empty directories and rotations are not;
// the exit code tells broken from not checked.
#include "core/audit.h"

#include <catch2/catch.hpp>

namespace retention::audit_test {
namespace {

const WallTime kNow = FromUnixSeconds(1795455270);

Action Removal(const std::string& target, int hours_old, uint64_t bytes,
               Verb verb = Verb::kDelete) {
  Action a;
  a.verb = verb;
  a.target = target;
  a.bytes = bytes;
  a.expected.mtime = kNow - std::chrono::hours(hours_old);
  return a;
}

Plan PlanOf(std::vector<Action> actions) {
  Plan p;
  p.policy = "files.b";
  p.now = kNow;
  p.actions = std::move(actions);
  p.kept = Survivors{.count = 4};
  return p;
}

TEST_CASE("an audit counts the removals a plan still has as overdue") {
  AuditFinding f = AuditPlan(
      PlanOf({Removal("/b/x", 1000, 2048), Removal("/b/y", 800, 1024)}), {});
  f.unit = "file";
  CHECK_FALSE(f.ok());
  CHECK(f.overdue == 2);
  CHECK(f.bytes == 3072);
  CHECK(*f.oldest == kNow - std::chrono::hours(1000));
  CHECK(FormatAuditText({f}, kNow) ==
        "✗ files.b: 2 files past the deadline (3K), oldest 41d16h old\n");
  CHECK(AuditExitCode({f}) == kAuditBroken);
}

TEST_CASE("an audit does not count what a hold keeps, nor tidying") {
  Action dir = Removal("/b/d", 1000, 0);
  dir.expected.type = FileType::kDirectory;
  const Hold hold{"path", "/b/x", "litigation", "uid 0", kNow};
  AuditFinding f = AuditPlan(
      PlanOf({Removal("/b/x", 1000, 10), dir,
              Removal("/b/live.log", 1, 10, Verb::kRotate)}),
      {hold});
  f.unit = "file";
  CHECK(f.ok());
  CHECK(f.held == 1);
  CHECK(f.kept == 4);
  CHECK(FormatAuditText({f}, kNow) ==
        "✓ files.b: nothing past its deadline (4 files kept); 1 more held\n");
  CHECK(AuditExitCode({f}) == 0);
}

TEST_CASE("an audit that could not check says so and exits 75") {
  AuditFinding bad;
  bad.policy = "rows.t";
  bad.error = "database is locked";
  AuditFinding good = AuditPlan(PlanOf({}), {});
  CHECK(AuditExitCode({good, bad}) == kAuditUnchecked);
  CHECK(FormatAuditText({bad}, kNow) ==
        "? rows.t: not checked: database is locked\n");
  AuditFinding extra = good;
  extra.extra = {"account 7 purged: data directory /u/7 is back"};
  CHECK(AuditExitCode({extra, bad}) == kAuditBroken);
}

}  // namespace
}  // namespace retention::audit_test
