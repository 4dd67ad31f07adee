// The data-directory swap of issue 14 against [accounts]: while purges run,
// an attacker thread keeps doing, for each of 60 due accounts in turn,
//   mv users/X aside/X.away; ln -s OUTSIDE users/X; rm users/X;
//   mv aside/X.away users/X
// No account may have its rows deleted while its data directory survives
// anywhere (in its place, aside, in quarantine); no symlink is ever moved
// into quarantine; nothing outside is touched. Once the attacker stops,
// every account is purged, once. And the dry-run twin.
#include <stdio.h>
#include <unistd.h>

#include <atomic>
#include <catch2/catch.hpp>
#include <map>
#include <thread>

#include "accounts_env.h"
#include "fakes/hooked_filesystem.h"

namespace retention::accounts_attack_test {
namespace {

constexpr Duration kDay = AccountsEnv::kDay;
constexpr int kAccounts = 60;

bool Contains(const std::string& s, const std::string& part) {
  return s.find(part) != std::string::npos;
}

// The attacker: swaps each account's data directory for a symlink to
// `outside` and back, until stopped; each swap ends with the directory
// back in its place unless that place was taken meanwhile.
class Attacker {
 public:
  Attacker(const AccountsEnv& env, std::string aside)
      : env_(env), aside_(std::move(aside)) {
    std::filesystem::create_directories(aside_);
    thread_ = std::thread([this] { Loop(); });
  }
  ~Attacker() { Stop(); }
  void Stop() {
    stop_ = true;
    if (thread_.joinable()) thread_.join();
  }
  std::string Aside(int id) const {
    return aside_ + "/" + std::to_string(id) + ".away";
  }
  uint64_t swaps() const { return swaps_; }

 private:
  void Loop() {
    while (!stop_) {
      for (int id = 1; id <= kAccounts && !stop_; ++id) {
        const std::string x = env_.Dir(id), away = Aside(id);
        if (rename(x.c_str(), away.c_str()) != 0) continue;
        (void)!symlink(env_.outside.c_str(), x.c_str());
        std::this_thread::yield();
        unlink(x.c_str());
        (void)!rename(away.c_str(), x.c_str());
        ++swaps_;
      }
    }
  }

  const AccountsEnv& env_;
  const std::string aside_;
  std::atomic<bool> stop_{false};
  std::atomic<uint64_t> swaps_{0};
  std::thread thread_;
};

void Seed(AccountsEnv& env) {
  env.Sql("BEGIN");
  for (int id = 1; id <= kAccounts; ++id) env.AddAccount(id, kDay * 40);
  env.Sql("COMMIT");
  std::filesystem::create_directories(env.outside + "/victim/inner");
  std::ofstream(env.outside + "/victim/inner/file") << "keep me";
}

bool Survives(const AccountsEnv& env, const Attacker& attacker, int id) {
  std::error_code ec;
  return std::filesystem::exists(env.Dir(id), ec) ||
         std::filesystem::exists(attacker.Aside(id), ec) ||
         std::filesystem::exists(env.Quarantined(id), ec);
}

TEST_CASE(
    "the data-directory swap attack never purges an account whose data "
    "survives",
    "[accounts]") {
  AccountsEnv env;
  env.rule.absent_quiet = AccountsRule{}.absent_quiet;  // the daemon's
  Seed(env);
  HookedFilesystem fs(*env.fs);
  int moved_in = 0, non_dirs_moved_in = 0;
  fs.after_rename = [&](Dir& to, const std::string& name) {
    if (to.path() != env.quarantine) return;
    ++moved_in;
    auto info = env.fs->StatAt(to, name);
    if (!info.ok() || info->type != FileType::kDirectory) ++non_dirs_moved_in;
  };
  AccountsPolicy policy = env.PolicyOn(fs);
  std::map<std::string, int> waits;  // why purges waited, by reason
  Attacker attacker(env, env.tmp.File("aside"));
  for (int run = 0; run < 6; ++run) {
    ExecResult r = env.Run(policy);
    for (const std::string& e : r.errors) {
      const char* why =
          Contains(e, "is not proven")      ? "absence not proven"
          : Contains(e, "changed since")    ? "changed since planning"
          : Contains(e, "symlink; refused") ? "a symlink at planning"
          : Contains(e, "is gone since")    ? "gone since planning"
          : Contains(e, "moved back")       ? "moved back"
          : Contains(e, ": not a directory;")
              ? "refused by the rename: not a directory"
              : "other";
      ++waits[why];
      if (std::string(why) == "other") std::printf("  other: %s\n", e.c_str());
    }
  }
  attacker.Stop();
  int purged = 0, violations = 0;
  for (int id = 1; id <= kAccounts; ++id) {
    if (!env.NoRows(id)) continue;
    ++purged;
    if (Survives(env, attacker, id)) {
      ++violations;
      UNSCOPED_INFO("account " << id << ": rows deleted, data survives");
    }
  }
  const size_t ledgered = env.Purges().size();
  std::printf(
      "swap attack: %llu swaps; %d of %d accounts purged during it (%zu "
      "purge entries); %d purged while their data survived; %d moved into "
      "quarantine, %d of them not a directory\n",
      static_cast<unsigned long long>(attacker.swaps()), purged, kAccounts,
      ledgered, violations, moved_in, non_dirs_moved_in);
  for (const auto& [why, n] : waits)
    std::printf("  waited: %s %d\n", why.c_str(), n);
  CHECK(attacker.swaps() > 0);
  CHECK(violations == 0);
  CHECK(non_dirs_moved_in == 0);
  CHECK(ledgered == static_cast<size_t>(purged));
  CHECK(env.OutsideIntact());
  CHECK(std::filesystem::exists(env.outside + "/victim/inner/file"));
  // The attacker gone, the next runs purge every account, once.
  for (int run = 0; run < 3; ++run) {
    ExecResult r = env.Run(policy);
    INFO((r.errors.empty() ? std::string() : r.errors[0]));
  }
  for (int id = 1; id <= kAccounts; ++id) {
    INFO("account " << id);
    CHECK(env.NoRows(id));
    CHECK_FALSE(Survives(env, attacker, id));
  }
  CHECK(env.Purges().size() == kAccounts);
  CHECK(env.QuarantineEntries() == 0);
  CHECK(env.OutsideIntact());
  CHECK(non_dirs_moved_in == 0);
  auto verified = env.ledger->Verify();
  REQUIRE(verified.ok());
  CHECK(verified->ok);
}

TEST_CASE("a dry run during the data-directory swap attack removes nothing",
          "[accounts]") {
  AccountsEnv env;
  env.rule.absent_quiet = AccountsRule{}.absent_quiet;
  Seed(env);
  AccountsPolicy policy = env.Policy();
  Attacker attacker(env, env.tmp.File("aside"));
  size_t planned = 0;
  for (int run = 0; run < 6; ++run) {
    auto plan = policy.MakePlan(env.clock.Now());
    REQUIRE(plan.ok());
    planned = plan->actions.size();
  }
  attacker.Stop();
  CHECK(planned == kAccounts);
  for (int id = 1; id <= kAccounts; ++id) {
    INFO("account " << id);
    CHECK(env.HasRows(id));
    CHECK(env.HasFiles(id));
  }
  CHECK_FALSE(std::filesystem::exists(env.quarantine));
  CHECK(env.Purges().empty());
  CHECK(env.OutsideIntact());
}

}  // namespace
}  // namespace retention::accounts_attack_test
