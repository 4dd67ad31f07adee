// FakeFsDaemon: a Daemon over the fake filesystem with a real state
// database in a temporary directory — the whole path config file -> Daemon
// -> policy -> plan -> execute -> ledger, without touching real files.
// Tests write the policies' config, add files to `fs`, Start(), then Run()
// policies and read the ledger back.
//
// Threading: single-threaded test use only.
#pragma once

#include <atomic>
#include <catch2/catch.hpp>
#include <filesystem>
#include <fstream>
#include <memory>
#include <string>
#include <vector>

#include "core/daemon.h"
#include "fakes/fake_clock.h"
#include "fakes/fake_filesystem.h"
#include "temp_dir.h"

namespace retention {

struct FakeFsDaemon {
  TempDir tmp;
  FakeClock clock;
  FakeFilesystem fs{clock};
  KindRegistry registry = BuiltinRegistry();
  std::unique_ptr<Daemon> daemon;
  std::atomic<bool> stop{false};

  FakeFsDaemon() {
    // The daemon uses the fake filesystem for the state directory too,
    // which must therefore exist in both.
    std::filesystem::create_directory(tmp.path() + "/state");
    fs.AddDir(tmp.path() + "/state");
  }
  std::string config_path() const { return tmp.path() + "/retentiond.conf"; }
  // The config file: [daemon] with the state directory, `daemon_keys`,
  // then `policies` (sections with their keys).
  void WriteConfig(const std::string& policies,
                   const std::string& daemon_keys = "") {
    std::ofstream(config_path())
        << "[daemon]\nstate_dir = " << tmp.path() << "/state\n"
        << daemon_keys << "\n"
        << policies;
  }
  void Start() {
    daemon = std::make_unique<Daemon>(clock, fs, registry, config_path());
    std::vector<ConfigError> errors;
    Status st = daemon->Start(&errors);
    INFO(st.ToString());
    REQUIRE(st.ok());
  }
  RunReport Run(const std::string& policy, bool dry_run = false) {
    auto p = daemon->Find(policy);
    REQUIRE(p);
    return daemon->Run(*p, dry_run, stop);
  }
  // Ledger entries with this action, oldest first.
  std::vector<LedgerEntry> Entries(const std::string& action) {
    std::vector<LedgerEntry> out;
    auto entries = daemon->ledger().Read(0, 100000);
    REQUIRE(entries.ok());
    for (const LedgerEntry& e : *entries) {
      if (e.action == action) out.push_back(e);
    }
    return out;
  }
};

}  // namespace retention
