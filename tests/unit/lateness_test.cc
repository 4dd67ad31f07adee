// The lateness bound (core/lateness.h): max_lateness and its default, the
// interval the scheduler keeps to meet it, and the report's line of the
// worst lateness against it.
#include "core/lateness.h"

#include <catch2/catch.hpp>

#include "config/kind_registry.h"
#include "report/lateness_detail.h"

namespace retention::lateness_test {
namespace {

using std::chrono::hours;
using std::chrono::minutes;
using std::chrono::seconds;

Config Load(const std::string& extra, std::vector<ConfigError>* errors) {
  Config config;
  const KindRegistry registry = BuiltinRegistry();
  LoadConfigFromString("r.conf",
                       "[files.b]\nroot = /srv/b\nmax_age = 30d\nevery = 1h\n" +
                           extra,
                       registry, &config, errors);
  return config;
}

TEST_CASE("the run interval leaves room for the run within the bound") {
  CHECK(RunInterval(minutes(1), minutes(1), seconds(0)) == seconds(59));
  CHECK(RunInterval(minutes(1), minutes(1), seconds(10)) == seconds(39));
  // Never longer than every, never shorter than a tenth of the bound.
  CHECK(RunInterval(hours(1), hours(2), seconds(1)) == hours(1));
  CHECK(RunInterval(minutes(1), minutes(1), seconds(40)) == seconds(6));
  CHECK(RunInterval(minutes(10), seconds(20), seconds(0)) == seconds(19));
}

TEST_CASE("max_lateness defaults to twice every and must be positive") {
  std::vector<ConfigError> errors;
  Config config = Load("", &errors);
  REQUIRE(errors.empty());
  CHECK(LatenessBoundOf(*config.policies().at(0)) == hours(2));
  config = Load("max_lateness = 90s\n", &errors);
  REQUIRE(errors.empty());
  CHECK(LatenessBoundOf(*config.policies().at(0)) == seconds(90));
  Load("max_lateness = 0s\n", &errors);
  REQUIRE(errors.size() == 1);
  CHECK(errors[0].ToString().find("max_lateness: must be greater than 0") !=
        std::string::npos);
}

TEST_CASE("a ledger detail's lateness is read back") {
  CHECK(LatenessOf("past max_age 1h" + LatenessSuffix(seconds(75))) ==
        seconds(75));
  CHECK(LatenessSuffix(-seconds(3)) == "; lateness 0s");
  CHECK_FALSE(LatenessOf("past max_age 90d"));
}

TEST_CASE("the report shows the worst lateness against the bound") {
  std::vector<ConfigError> errors;
  const Config config = Load("max_lateness = 1m\n", &errors);
  REQUIRE(errors.empty());
  Report report;
  report.policies.push_back(PolicyReport{.id = "files.b", .kind = "files"});
  LedgerEntry a, b;
  a.detail = "mtime 2026-11-01T00:00:00Z, past max_age 30d; lateness 12s";
  b.detail = "mtime 2026-11-01T00:00:00Z, past max_age 30d; lateness 75s";
  AddLatenessDetails(config, {{"files.b", {a}}}, &report);
  REQUIRE(report.policies[0].details.size() == 1);
  CHECK(report.policies[0].details[0].second == "12s (bound 1m)");
  report.policies[0].details.clear();
  AddLatenessDetails(config, {{"files.b", {a, b}}}, &report);
  CHECK(report.policies[0].details[0].second ==
        "1m15s (bound 1m): OVER THE BOUND");
  report.policies[0].details.clear();
  AddLatenessDetails(config, {}, &report);
  CHECK(report.policies[0].details[0].second == "none removed (bound 1m)");
}

}  // namespace
}  // namespace retention::lateness_test
