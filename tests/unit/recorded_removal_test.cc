#include "core/recorded_removal.h"

#include <catch2/catch.hpp>
#include <string>
#include <vector>

#include "fakes/fake_clock.h"
#include "fakes/fake_filesystem.h"
#include "fakes/hooked_filesystem.h"

namespace retention::recorded_removal_test {
namespace {

// Notes the order of the removal, the directory's sync and the entry.
class OrderContext final : public ExecContext {
 public:
  explicit OrderContext(std::vector<std::string>& events) : events_(events) {}
  Status Record(const std::string&, const Action&) override {
    events_.push_back("entry");
    return Status::Ok();
  }
  bool stopping() const override { return false; }

 private:
  std::vector<std::string>& events_;
};

TEST_CASE("a recorded removal syncs its directory before its entry") {
  FakeClock clock;
  FakeFilesystem fake(clock);
  fake.AddDir("/logs");
  fake.AddFile("/logs/app.log-1", 1000, clock.Now());
  HookedFilesystem fs(fake);
  std::vector<std::string> events;
  fs.after_remove = [&] { events.push_back("remove"); };
  fs.after_sync_dir = [&](Dir& dir) { events.push_back("sync " + dir.path()); };
  auto root = fs.OpenRoot("/logs");
  REQUIRE(root.ok());
  auto info = fs.StatAt(**root, "app.log-1");
  REQUIRE(info.ok());
  Action action{.target = "/logs/app.log-1", .bytes = 1000, .expected = *info};
  OrderContext ctx(events);
  ExecResult result;
  CHECK(RemoveRecordedPath(fs, "logs.app", action, ctx, &result));
  CHECK(result.done == 1);
  CHECK(events == std::vector<std::string>{"remove", "sync /logs", "entry"});
}

TEST_CASE("a removal whose directory sync fails is still recorded") {
  FakeClock clock;
  FakeFilesystem fake(clock);
  fake.AddDir("/logs");
  fake.AddFile("/logs/app.log-1", 1000, clock.Now());
  auto root = fake.OpenRoot("/logs");
  REQUIRE(root.ok());
  auto info = fake.StatAt(**root, "app.log-1");
  REQUIRE(info.ok());
  fake.FailNext(FsOp::kSyncDir, EIO);
  std::vector<std::string> events;
  OrderContext ctx(events);
  ExecResult result;
  Action action{.target = "/logs/app.log-1", .bytes = 1000, .expected = *info};
  CHECK(RemoveRecordedPath(fake, "logs.app", action, ctx, &result));
  // It is gone: the ledger says so, and the warning says the sync failed.
  CHECK(result.done == 1);
  CHECK(events == std::vector<std::string>{"entry"});
}

}  // namespace
}  // namespace retention::recorded_removal_test
