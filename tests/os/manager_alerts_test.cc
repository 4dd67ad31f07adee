// A policy's standing alerts through io.retentiond.Manager: Status lists
// them per policy (name -> sentence) and Metrics exports each as
// retentiond_policy_alert, from the run that raises one to the run that
// clears it.
#include <catch2/catch.hpp>
#include <string>

#include "manager_fixture.h"

namespace retention::manager_alerts_test {
namespace {

using namespace manager_test;

const char kSample[] =
    "retentiond_policy_alert{policy=\"logs.web\",alert=\"budget\"} 1\n";

json PolicyOf(ManagerFixture& f, const std::string& id) {
  json policies = f.Call(std::string(kMethodStatus))["parameters"]["policies"];
  for (const json& p : policies) {
    if (p["id"] == id) return p;
  }
  FAIL("no policy " << id);
  return json();
}

std::string MetricsText(ManagerFixture& f) {
  return f.Call(std::string(kMethodMetrics))["parameters"]["text"];
}

// A log set whose min_age floor keeps it over its budget for 18 days:
// the config that says so.
std::string OverBudgetLogs(ManagerFixture& f) {
  f.fs.AddDir("/data/logs");
  f.fs.AddFile("/data/logs/app.log", 1000, f.clock.Now());
  f.fs.AddFile("/data/logs/app.log-20251220T000000Z.zst", 8192,
               f.clock.Now() - kDay * 12);
  return "max_age = 30d\n[logs.web]\npaths = /data/logs/app.log\n"
         "max_total_size = 4K\nmin_age = 30d\n";
}

TEST_CASE("Status and Metrics show a policy's standing alerts until they "
          "clear",
          "[manager]") {
  ManagerFixture f;
  f.WriteConfig(OverBudgetLogs(f));
  std::vector<ConfigError> errors;
  Status reloaded = f.daemon->Reload(&errors);
  INFO(reloaded.ToString() << (errors.empty() ? "" : errors[0].ToString()));
  REQUIRE(reloaded.ok());
  CHECK(PolicyOf(f, "logs.web")["alerts"] == json::object());
  CHECK(MetricsText(f).find("# TYPE retentiond_policy_alert gauge\n") !=
        std::string::npos);
  CHECK(MetricsText(f).find(kSample) == std::string::npos);

  f.Call(std::string(kMethodRunPolicy), {{"name", "web"}});
  CHECK(PolicyOf(f, "files.backups")["alerts"] == json::object());
  CHECK(PolicyOf(f, "logs.web")["alerts"] ==
        json{{"budget",
              "max_total_size 4.0 KiB not met: the set holds 8.9 KiB; the "
              "rotated files left are younger than min_age 30d"}});
  CHECK(MetricsText(f).find(kSample) != std::string::npos);

  // 19 days on the archive is past the floor: the run deletes it.
  f.clock.Advance(kDay * 19);
  f.Call(std::string(kMethodRunPolicy), {{"name", "web"}});
  CHECK(!f.fs.Exists("/data/logs/app.log-20251220T000000Z.zst"));
  CHECK(PolicyOf(f, "logs.web")["alerts"] == json::object());
  CHECK(MetricsText(f).find("retentiond_policy_alert{") == std::string::npos);
}

TEST_CASE("a standing alert is kept across restarts with when it was "
          "first seen, until a run clears it",
          "[manager]") {
  ManagerFixture f;
  const std::string web = OverBudgetLogs(f);
  f.WriteConfig(web);
  f.Restart();
  const std::string first_seen = FormatIso8601(f.clock.Now());
  f.Call(std::string(kMethodRunPolicy), {{"name", "web"}});
  REQUIRE(PolicyOf(f, "logs.web")["alerts"].contains("budget"));
  CHECK(PolicyOf(f, "logs.web")["alerts_since"] ==
        json{{"budget", first_seen}});
  // A day on, still standing: since when is kept.
  f.clock.Advance(kDay);
  f.Call(std::string(kMethodRunPolicy), {{"name", "web"}});
  CHECK(PolicyOf(f, "logs.web")["alerts_since"] ==
        json{{"budget", first_seen}});

  // Restarted: shown before the policy runs again, and in the metrics.
  f.Restart();
  CHECK(PolicyOf(f, "logs.web")["alerts"].contains("budget"));
  CHECK(PolicyOf(f, "logs.web")["alerts_since"] ==
        json{{"budget", first_seen}});
  CHECK(MetricsText(f).find(kSample) != std::string::npos);
  // A dry run decides nothing; a real one that still finds it keeps it.
  f.Call(std::string(kMethodRunPolicy), {{"name", "web"}, {"dry_run", true}});
  f.Call(std::string(kMethodRunPolicy), {{"name", "web"}});
  CHECK(PolicyOf(f, "logs.web")["alerts_since"] ==
        json{{"budget", first_seen}});

  SECTION("cleared by a run, it stays cleared after a restart") {
    f.clock.Advance(kDay * 19);
    f.Call(std::string(kMethodRunPolicy), {{"name", "web"}});
    CHECK(PolicyOf(f, "logs.web")["alerts"] == json::object());
    f.Restart();
    CHECK(PolicyOf(f, "logs.web")["alerts"] == json::object());
    CHECK(MetricsText(f).find(kSample) == std::string::npos);
  }
  SECTION("a policy taken out of the config takes its alerts along") {
    f.WriteConfig("max_age = 30d\n");
    std::vector<ConfigError> errors;
    REQUIRE(f.daemon->Reload(&errors).ok());
    CHECK(MetricsText(f).find(kSample) == std::string::npos);
    f.WriteConfig(web);
    f.Restart();
    CHECK(PolicyOf(f, "logs.web")["alerts"] == json::object());
  }
}

}  // namespace
}  // namespace retention::manager_alerts_test
