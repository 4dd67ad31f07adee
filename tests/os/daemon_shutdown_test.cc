// The Daemon's shutdown order: its policies go before the state database
// and the ledger, so that work a policy finishes on another thread as it
// goes (a logs policy's compression in progress, recorded in the ledger)
// still finds them. A SIGTERM during a compression's ledger write used to
// leave the daemon waiting for ever on a destroyed database's mutex.
#include <catch2/catch.hpp>
#include <memory>
#include <string>

#include "core/ledger.h"
#include "fake_fs_daemon.h"

namespace retention::daemon_shutdown_test {
namespace {

// A policy that, as it is destroyed, records in the ledger, as a
// compression ending at shutdown does.
class LastWordPolicy final : public Policy {
 public:
  explicit LastWordPolicy(Services& services) : services_(services) {}
  ~LastWordPolicy() override {
    REQUIRE(services_.ledger != nullptr);
    (void)services_.ledger->Append(EventEntry(services_.clock.Now(), id_,
                                              "last-word", "shutdown", ""));
  }
  const std::string& id() const override { return id_; }
  Duration every() const override { return std::chrono::hours(1); }
  bool destructive() const override { return false; }
  StatusOr<Plan> MakePlan(WallTime now) override {
    Plan plan;
    plan.policy = id_;
    plan.now = now;
    return plan;
  }
  ExecResult Execute(const Plan&, ExecContext&) override { return {}; }

 private:
  Services& services_;
  const std::string id_ = "lastword";
};

TEST_CASE("a policy's last ledger write at shutdown finds the ledger") {
  FakeFsDaemon d;
  KindSpec spec;
  spec.kind = "lastword";
  spec.singleton = true;
  spec.factory = [](const Section&, Services& services)
      -> StatusOr<std::unique_ptr<Policy>> {
    return std::unique_ptr<Policy>(new LastWordPolicy(services));
  };
  d.registry.Register(std::move(spec));
  d.WriteConfig("[lastword]\n");
  d.Start();
  d.daemon.reset();
  auto db = StateDb::Open(d.tmp.path() + "/state/state.db");
  REQUIRE(db.ok());
  auto entries = Ledger(**db).Read(0, 100);
  REQUIRE(entries.ok());
  REQUIRE(!entries->empty());
  CHECK(entries->back().action == "last-word");
}

}  // namespace
}  // namespace retention::daemon_shutdown_test
