// The lateness bound through the daemon (core/lateness.h): the interval the
// scheduler is given, the lateness a removal's ledger entry carries, and the
// retentiond_lateness_* metrics.
#include <catch2/catch.hpp>

#include "core/lateness.h"
#include "fake_fs_daemon.h"

namespace retention::lateness_daemon_test {
namespace {

using std::chrono::hours;
using std::chrono::minutes;
using std::chrono::seconds;

constexpr auto kDay = hours(24);

TEST_CASE("the daemon schedules a policy to meet its max_lateness") {
  FakeFsDaemon p;
  p.fs.AddDir("/data/b");
  p.WriteConfig(
      "[files.b]\nroot = /data/b\nmax_age = 30d\nevery = 1h\n"
      "max_lateness = 10m\n[files.c]\nroot = /data/b\nmax_age = 30d\n"
      "every = 1h\n");
  p.Start();
  CHECK(p.daemon->RunInterval("files.b") == minutes(10) - seconds(1));
  CHECK(p.daemon->RunInterval("files.c") == hours(1));  // bound 2h
  CHECK(p.daemon->RunInterval("nosuch") == Duration::max());
}

TEST_CASE("a removal's ledger entry and the metrics carry its lateness") {
  FakeFsDaemon p;
  p.fs.AddDir("/data/b");
  p.fs.AddFile("/data/b/old.tar", 10, p.clock.Now() - kDay * 30 - minutes(5));
  p.WriteConfig(
      "[files.b]\nroot = /data/b\nmax_age = 30d\nmax_lateness = 10m\n");
  p.Start();
  RunReport r = p.Run("files.b");
  REQUIRE(r.result.done == 1);
  auto entries = p.daemon->ledger().Read(0, 100);
  REQUIRE(entries.ok());
  bool found = false;
  for (const LedgerEntry& e : *entries) {
    if (e.action != "delete") continue;
    found = true;
    CHECK(LatenessOf(e.detail) == seconds(300));
  }
  CHECK(found);
  auto metrics = p.daemon->Metrics();
  REQUIRE(metrics.ok());
  CHECK(metrics->find("retentiond_lateness_bound_seconds{policy=\"files.b\"} "
                      "600.000000\n") != std::string::npos);
  CHECK(metrics->find("retentiond_lateness_worst_seconds{policy=\"files.b\"} "
                      "300.000000\n") != std::string::npos);
}

}  // namespace
}  // namespace retention::lateness_daemon_test
