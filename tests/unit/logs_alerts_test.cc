// A logs policy's standing alerts (LogsPolicy::alerts, shown by status and
// the metrics), on fakes: when each is raised and when it clears. A budget
// that min_age floors, holds or the live files keep from being met, and a
// live file written without O_APPEND.
#include <catch2/catch.hpp>
#include <string>

#include "core/holds.h"
#include "unit/logs_fixture.h"

namespace retention::logs_alerts_test {
namespace {

using std::chrono::hours;

TEST_CASE("a budget met past the min_age floor raises no alert") {
  LogsFixture f;
  f.Build("max_total_size = 5K\nmin_age = 20d\n");
  f.AddThreeArchives();
  CHECK(f.policy->alerts().empty());
  f.Run();
  // The 31- and 24-day-old archives go: 1000 + 4096 bytes stay.
  CHECK(f.fs.removed().size() == 2);
  CHECK(f.policy->alerts().empty());
}

TEST_CASE("a budget the min_age floor keeps from being met is an alert "
          "until it is met") {
  LogsFixture f;
  f.Build("max_total_size = 5K\nmin_age = 30d\n");
  f.AddThreeArchives();
  // A plan alone (a dry run) raises nothing: only a real run does.
  Plan dry = f.MakePlan();
  CHECK(dry.alerts.count("budget") == 1);
  CHECK(f.policy->alerts().empty());
  f.Run();
  // Only the 31-day-old archive may go: 1000 + 8192 bytes stay.
  PolicyAlerts alerts = f.policy->alerts();
  REQUIRE(alerts.count("budget") == 1);
  CHECK(alerts["budget"] ==
        "max_total_size 5.0 KiB not met: the set holds 8.9 KiB; the rotated "
        "files left are younger than min_age 30d");
  CHECK(alerts.size() == 1);
  // A run that still cannot meet it keeps the alert.
  f.clock.Advance(hours(24));
  f.Run();
  CHECK(f.policy->alerts().count("budget") == 1);
  // A week on, the 24-day-old one is past the floor and goes: cleared.
  f.clock.Advance(hours(24 * 7));
  f.Run();
  CHECK(f.policy->alerts().empty());
}

TEST_CASE("live files alone over the budget are an alert until they fit") {
  LogsFixture f;
  f.Build("max_total_size = 2K\n");
  f.AddLive(std::string(3000, 'x'));
  f.Run();
  PolicyAlerts alerts = f.policy->alerts();
  REQUIRE(alerts.count("budget") == 1);
  CHECK(alerts["budget"] ==
        "max_total_size 2.0 KiB not met: the set holds 2.9 KiB in live files "
        "alone; set max_file_size to rotate");
  // Its writer truncated it: the next run clears the alert.
  f.AddLive(std::string(100, 'x'));
  f.Run();
  CHECK(f.policy->alerts().empty());
}

TEST_CASE("holds that keep what the budget would delete are an alert") {
  LogsFixture f;
  f.Build("max_total_size = 10K\n");
  f.AddThreeArchives();
  Plan plan = f.MakePlan();
  CHECK(plan.alerts.empty());
  SECTION("held") {
    ApplyHolds({Hold{"policy", "logs.app", "audit", "uid 0", f.clock.Now()}},
               &plan);
    f.policy->Execute(plan, f.ctx);
    PolicyAlerts alerts = f.policy->alerts();
    REQUIRE(alerts.count("budget") == 1);
    CHECK(alerts["budget"] ==
          "max_total_size 10 KiB not met: the set holds 12 KiB; holds keep "
          "rotated files it would delete (retentionctl holds)");
    // The hold released: the next run deletes and clears the alert.
    f.Run();
    CHECK(f.fs.removed().size() == 1);
    CHECK(f.policy->alerts().empty());
  }
  SECTION("not held") {
    f.policy->Execute(plan, f.ctx);
    CHECK(f.policy->alerts().empty());
  }
}

TEST_CASE("a live file written without O_APPEND is an alert until a "
          "rotation of it is not punched") {
  LogsFixture f;
  f.Build("max_file_size = 4K\ncompress = none\n");
  f.rotator.ReportPunched(true);
  f.AddLive(std::string(5000, 'x'));
  f.Run();
  PolicyAlerts alerts = f.policy->alerts();
  REQUIRE(alerts.count("writer_without_o_append") == 1);
  CHECK(alerts["writer_without_o_append"].starts_with(
      std::string(kLive) + ": written without O_APPEND"));
  CHECK(alerts["writer_without_o_append"].find("apparent size keeps growing") !=
        std::string::npos);
  CHECK(alerts.size() == 1);
  // A run that rotates nothing leaves it standing.
  f.clock.Advance(hours(1));
  f.Run();
  CHECK(f.policy->alerts().count("writer_without_o_append") == 1);
  // The writer reopened with O_APPEND: the next rotation does not punch.
  f.rotator.ReportPunched(false);
  f.AddLive(std::string(5000, 'y'));
  f.Run();
  CHECK(f.rotator.rotations().size() == 2);
  CHECK(f.policy->alerts().empty());
}

TEST_CASE("a restart gives back the files written without O_APPEND that "
          "are still the set's, not the budget") {
  LogsFixture f;
  f.Build("max_file_size = 4K\ncompress = none\n");
  f.rotator.ReportPunched(true);
  f.AddLive(std::string(5000, 'x'));
  f.Run();
  PolicyAlerts stored = f.policy->alerts();
  REQUIRE(stored.count("writer_without_o_append") == 1);
  // Another set's file, stored beside it (a set reconfigured).
  const std::string punched = stored["writer_without_o_append"];
  stored["writer_without_o_append"] = "/var/log/other/x.log, " + punched;
  stored["budget"] = "max_total_size 5.0 KiB not met: the set holds 8.9 KiB";

  LogsFixture restarted;
  restarted.Build("max_file_size = 4K\ncompress = none\n");
  restarted.policy->RestoreAlerts(stored);
  CHECK(restarted.policy->alerts() ==
        PolicyAlerts{{"writer_without_o_append", punched}});
  // A run that rotates nothing leaves it standing; one that finds
  // O_APPEND clears it.
  restarted.AddLive("short\n");
  restarted.Run();
  CHECK(restarted.policy->alerts().size() == 1);
  restarted.AddLive(std::string(5000, 'y'));
  restarted.Run();
  CHECK(restarted.rotator.rotations().size() == 1);
  CHECK(restarted.policy->alerts().empty());
  // Text that is not this alert's gives nothing back.
  restarted.policy->RestoreAlerts(
      {{"writer_without_o_append", std::string(kLive) + ": bad"}});
  CHECK(restarted.policy->alerts().empty());
}

}  // namespace
}  // namespace retention::logs_alerts_test
