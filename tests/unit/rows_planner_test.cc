// The pure parts of the rows kind: planning from a survey, batch pacing,
// busy back-off, and the checks on identifiers, `where` text and URLs.
#include "kinds/rows/rows_planner.h"

#include <catch2/catch.hpp>

namespace retention::rows_planner_test {
namespace {

using std::chrono::hours;
using std::chrono::milliseconds;
const WallTime kNow = FromUnixSeconds(1767225600);

RowsRule Rule(Duration max_age, Duration min_age = Duration::zero()) {
  RowsRule rule;
  rule.target = {"/app.db", "events", "ts", "", TimeFormat::kUnixSeconds};
  rule.max_age = max_age;
  rule.min_age = min_age;
  return rule;
}

TEST_CASE("a rows plan has one delete action counting the expired rows") {
  RowsSurvey survey{3, kNow - hours(5), 7, kNow - hours(1), 0};
  Plan p = PlanRows("rows.events", Rule(hours(2)), survey, kNow);
  REQUIRE(p.actions.size() == 1);
  CHECK(p.actions[0].verb == Verb::kDelete);
  CHECK(p.actions[0].count == 3);
  CHECK(p.actions[0].expected.mtime == kNow - hours(5));
  CHECK(p.actions[0].target ==
        "events: 3 rows with ts before 2025-12-31T22:00:00Z");
  CHECK(p.actions[0].reason == "past max_age 2h; lateness 3h");
  CHECK(p.scope == 10);
  REQUIRE(p.kept);
  CHECK(p.kept->count == 7);
  CHECK(p.kept->oldest == kNow - hours(1));
  CHECK(p.warnings.empty());
}

TEST_CASE("a rows plan with nothing expired has no action") {
  Plan p = PlanRows("rows.events", Rule(hours(2)), {0, {}, 4, kNow, 0}, kNow);
  CHECK(p.actions.empty());
  CHECK(p.kept->count == 4);
}

TEST_CASE("the min_age floor moves the rows cutoff back") {
  CHECK(RowsCutoff(Rule(hours(1), hours(24)), kNow) == kNow - hours(24));
  CHECK(RowsCutoff(Rule(hours(24), hours(1)), kNow) == kNow - hours(24));
  Plan p =
      PlanRows("rows.t", Rule(hours(1), hours(24)), {1, kNow, 0, {}, 0}, kNow);
  CHECK(p.actions[0].reason == "past min_age floor 1d; lateness 0s");
}

TEST_CASE("unparseable time values are kept, counted and warned about") {
  Plan p = PlanRows("rows.events", Rule(hours(2)), {0, {}, 2, kNow, 5}, kNow);
  CHECK(p.actions.empty());
  CHECK(p.kept->count == 7);
  REQUIRE(p.warnings.size() == 1);
  CHECK(p.warnings[0] ==
        "5 rows of events have a ts that is not unix time; skipped, never "
        "treated as old");
}

TEST_CASE("batch size grows toward a 2 ms hold, at most doubling") {
  BatchSizer sizer;
  CHECK(sizer.size() == BatchSizer::kFirstRows);
  sizer.Observe(256, std::chrono::microseconds(100));  // 20x too fast
  CHECK(sizer.size() == 512);
  sizer.Observe(512, std::chrono::microseconds(1600));
  CHECK(sizer.size() == 640);
}

TEST_CASE("batch size shrinks after a slow batch, at most halving") {
  BatchSizer sizer;
  sizer.Observe(256, milliseconds(100));
  CHECK(sizer.size() == 128);
  for (int i = 0; i < 20; ++i) sizer.Observe(sizer.size(), milliseconds(100));
  CHECK(sizer.size() == BatchSizer::kMinRows);
}

TEST_CASE("a short last batch does not change the batch size") {
  BatchSizer sizer;
  sizer.Observe(3, milliseconds(50));
  CHECK(sizer.size() == BatchSizer::kFirstRows);
}

TEST_CASE("the pause after a batch is at least 2.5 times its hold") {
  CHECK(BatchSizer::PauseAfter(milliseconds(2)) == milliseconds(5));
  CHECK(BatchSizer::PauseAfter(milliseconds(10)) == milliseconds(25));
  CHECK(BatchSizer::PauseAfter(Duration::zero()) == milliseconds(1));
}

TEST_CASE("busy back-off doubles to 2 s and gives up after 30 s of waiting") {
  BusyBackoff backoff;
  CHECK(backoff.Next() == milliseconds(50));
  CHECK(backoff.Next() == milliseconds(100));
  Duration total = milliseconds(150);
  int waits = 2;
  for (Duration d = backoff.Next(); d > Duration::zero(); d = backoff.Next()) {
    CHECK(d <= std::chrono::seconds(2));
    total += d;
    ++waits;
  }
  CHECK(total >= BusyBackoff::kGiveUpAfter);
  CHECK(waits < 30);
  backoff.Reset();
  CHECK(backoff.Next() == milliseconds(50));
}

TEST_CASE("lateness is written into a reason and read back") {
  const std::string reason = "ts before X" + LatenessSuffix(hours(1));
  CHECK(reason == "ts before X; lateness 1h");
  CHECK(LatenessOf(reason) == std::chrono::seconds(3600));
  CHECK(LatenessSuffix(-hours(1)) == "; lateness 0s");
  CHECK_FALSE(LatenessOf("past max_age 90d"));
  CHECK_FALSE(LatenessOf("; lateness 12x"));
  // Entries written before lateness was a duration read the same.
  CHECK(LatenessOf("ts before X; lateness 3725s") ==
        std::chrono::seconds(3725));
}

TEST_CASE("SQL identifiers are plain names") {
  CHECK(IsSqlIdentifier("auth_tokens"));
  CHECK(IsSqlIdentifier("_t2"));
  CHECK_FALSE(IsSqlIdentifier(""));
  CHECK_FALSE(IsSqlIdentifier("2t"));
  CHECK_FALSE(IsSqlIdentifier("events; DROP TABLE x"));
  CHECK_FALSE(IsSqlIdentifier("\"events\""));
  CHECK_FALSE(IsSqlIdentifier("main.events"));
  CHECK(QuoteIdentifier("events") == "\"events\"");
}

TEST_CASE("a where clause must stay one parenthesized expression") {
  CHECK(ValidateWhereText("purpose = 'reset' AND used_at IS NULL").ok());
  CHECK(ValidateWhereText("(a = 1 OR b = ')') AND c IN (1, 2)").ok());
  CHECK(ValidateWhereText("note = 'it''s; -- fine'").ok());
  for (const char* bad :
       {"1) OR (1", "a = 1; DELETE FROM users", "a = 1 -- comment",
        "a = 1 /* x */", "(a = 1", "a = 'open", "   "}) {
    INFO(bad);
    Status st = ValidateWhereText(bad);
    CHECK(st.code() == Status::Code::kInvalidArgument);
  }
}

TEST_CASE("only sqlite database URLs are accepted, relative to the file") {
  CHECK(*SqlitePathFromUrl("sqlite:/var/lib/app/app.db", "/etc") ==
        "/var/lib/app/app.db");
  CHECK(*SqlitePathFromUrl("sqlite:../build/app.db", "/src/config") ==
        "/src/build/app.db");
  auto pg = SqlitePathFromUrl("postgresql://db/app", "/etc");
  CHECK(pg.status().message() ==
        "backend \"postgresql\" is not supported yet; only "
        "sqlite:/path/to/app.db is");
  CHECK_FALSE(SqlitePathFromUrl("/var/lib/app/app.db", "/etc").ok());
  CHECK_FALSE(SqlitePathFromUrl("sqlite:", "/etc").ok());
}

}  // namespace
}  // namespace retention::rows_planner_test
