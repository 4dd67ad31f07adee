// ManagerFixture: io.retentiond.Manager served by a ManagerService over a
// real Daemon (fake clock and filesystem for policy roots, a real state
// database in a temp dir) whose queue runs at once (InlineHost); Call()
// sends one method and returns the parsed reply. One files.backups policy
// over /data/backups, WriteConfig adds keys after it.
//
// Threading: single-threaded test use.
#pragma once

#include <catch2/catch.hpp>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <set>

#include "control/control_protocol.h"
#include "control/manager_service.h"
#include "core/daemon.h"
#include "fakes/fake_clock.h"
#include "fakes/fake_filesystem.h"
#include "temp_dir.h"

namespace retention::manager_test {

using nlohmann::json;
inline constexpr Duration kDay = std::chrono::hours(24);
inline constexpr gid_t kReaders = 4242;  // socket_group in these tests
inline constexpr gid_t kAdmins = 4343;   // admin_group

// A host whose queue runs at once and whose deferred work runs inline.
class InlineHost : public ManagerHost {
 public:
  explicit InlineHost(Daemon& daemon) : daemon_(daemon) {}
  std::vector<PolicyView> Policies() override {
    std::vector<PolicyView> out;
    for (const auto& [id, every] : daemon_.Schedule()) {
      out.push_back({id, busy.count(id) ? "running" : "idle", std::nullopt});
    }
    return out;
  }
  Status Reload(std::vector<ConfigError>* errors) override {
    return daemon_.Reload(errors);
  }
  Status QueueRun(const std::string& id, bool dry_run,
                  std::function<void(const RunReport&)> done) override {
    if (busy.count(id)) return Status::Busy(id + " is already running");
    std::atomic<bool> stop{false};
    done(daemon_.Run(*daemon_.Find(id), dry_run, stop));
    return Status::Ok();
  }
  void Defer(std::function<void()> work) override { work(); }
  std::set<std::string> busy;

 private:
  Daemon& daemon_;
};

struct ManagerFixture {
  TempDir tmp;
  FakeClock clock;
  FakeFilesystem fs{clock};
  KindRegistry registry = BuiltinRegistry();
  std::unique_ptr<Daemon> daemon;
  std::unique_ptr<InlineHost> host;
  std::unique_ptr<ManagerService> service;
  AccessRules rules{getuid() == 0 ? uid_t{1} : getuid(), kReaders, kAdmins};

  ManagerFixture() {
    WriteConfig("max_age = 30d\n");
    std::filesystem::create_directory(tmp.File("state"));
    fs.AddDir(tmp.File("state"));
    fs.AddDir("/data/backups");
    fs.AddFile("/data/backups/old.tar", 4096, clock.Now() - kDay * 40);
    fs.AddFile("/data/backups/new.tar", 100, clock.Now() - kDay);
    Restart();
  }
  // A new daemon and service on the same state and config, as after a
  // restart of the process.
  void Restart() {
    service.reset();
    host.reset();
    daemon.reset();
    daemon = std::make_unique<Daemon>(clock, fs, registry, tmp.File("r.conf"));
    std::vector<ConfigError> errors;
    REQUIRE(daemon->Start(&errors).ok());
    host = std::make_unique<InlineHost>(*daemon);
    service = std::make_unique<ManagerService>(
        *daemon, *host, clock,
        ServiceInfo{"9.9.9", 42, clock.Now(), tmp.File("r.conf")}, rules);
  }
  void WriteConfig(const std::string& keys) {
    std::ofstream(tmp.File("r.conf"))
        << "[daemon]\nstate_dir = state\n[files.backups]\nroot = "
           "/data/backups\nevery = 1d\n"
        << keys;
  }
  // Calls `method` as `caller`; the parsed reply.
  json Call(const std::string& method, json params = json::object(),
            Caller caller = Caller{}) {
    json call = {{"method", method}, {"parameters", params}};
    auto request = ParseRequest(call.dump());
    REQUIRE(request.ok());
    std::string framed;
    service->Handle(*request, caller, [&framed](std::string reply) {
      framed = std::move(reply);
    });
    REQUIRE(!framed.empty());
    return json::parse(framed.substr(0, framed.size() - 1));
  }
};

}  // namespace retention::manager_test
