// The state directory fills up in the middle of account purges (issue 14):
// the state database lives on a small tmpfs, which is filled right after
// the k-th move into quarantine or ledger entry, for every k. After space
// returns and the next runs, the ledger's purge entries are exactly the
// accounts purged (rows gone and data directory gone), one each. Root only
// (it mounts a tmpfs); skipped otherwise.
#include <sys/mount.h>
#include <unistd.h>

#include <catch2/catch.hpp>
#include <fstream>
#include <map>

#include "accounts_env.h"
#include "fakes/hooked_filesystem.h"

namespace retention::accounts_nospace_test {
namespace {

constexpr Duration kDay = AccountsEnv::kDay;
constexpr int kDue = 4;

// A tmpfs of 2 MiB at `path`, unmounted (lazily) when destroyed.
struct SmallTmpfs {
  std::string path;
  bool mounted = false;
  explicit SmallTmpfs(std::string p) : path(std::move(p)) {
    std::filesystem::create_directories(path);
    mounted = mount("tmpfs", path.c_str(), "tmpfs", 0, "size=2m") == 0;
  }
  ~SmallTmpfs() {
    if (mounted) umount2(path.c_str(), MNT_DETACH);
  }
  void Fill() {
    std::ofstream out(path + "/filler", std::ios::binary);
    const std::string block(64 * 1024, 'x');
    for (int i = 0; i < 64 && out.write(block.data(), block.size()); ++i) {
      out.flush();
    }
  }
  void Free() { std::filesystem::remove(path + "/filler"); }
};

// Counts ledger entries and fills the disk after the `cut`-th event.
class CuttingContext final : public ExecContext {
 public:
  CuttingContext(ExecContext& inner, std::function<void()> event)
      : inner_(inner), event_(std::move(event)) {}
  Status Record(const std::string& policy, const Action& action) override {
    Status st = inner_.Record(policy, action);
    event_();
    return st;
  }
  bool stopping() const override { return inner_.stopping(); }

 private:
  ExecContext& inner_;
  std::function<void()> event_;
};

bool DataGone(const AccountsEnv& env, int id) {
  std::error_code ec;
  return !std::filesystem::exists(env.Dir(id), ec) &&
         !std::filesystem::exists(env.Quarantined(id), ec);
}

TEST_CASE(
    "a full state directory mid-purge: ledger purges equal accounts "
    "purged",
    "[accounts]") {
  if (geteuid() != 0) {
    WARN("not root: cannot mount a tmpfs; skipped");
    return;
  }
  // Events: kDue moves into quarantine and kDue ledger entries.
  int failing_runs = 0;
  for (int cut = 1; cut <= 2 * kDue; ++cut) {
    INFO("disk filled after event " << cut);
    AccountsEnv env;
    SmallTmpfs state_dir(env.tmp.File("state"));
    if (!state_dir.mounted) {
      WARN("mount tmpfs failed; skipped");
      return;
    }
    env.state_path = state_dir.path + "/state.db";
    env.OpenState();
    env.Sql("BEGIN");
    for (int id = 1; id <= kDue; ++id) env.AddAccount(id, kDay * (30 + id));
    env.AddAccount(kDue + 1, kDay * 29);  // in its grace
    env.Sql("COMMIT");
    int events = 0;
    auto event = [&] {
      if (++events == cut) state_dir.Fill();
    };
    HookedFilesystem fs(*env.fs);
    fs.after_rename = [&](Dir& to, const std::string&) {
      if (to.path() == env.quarantine) event();
    };
    AccountsPolicy policy = env.PolicyOn(fs);
    {
      auto plan = policy.MakePlan(env.clock.Now());
      REQUIRE(plan.ok());
      LedgerContext ledger_ctx(env.clock, *env.ledger, env.no_stop);
      CuttingContext ctx(ledger_ctx, event);
      ExecResult r = policy.Execute(*plan, ctx);
      if (!r.errors.empty()) ++failing_runs;
    }
    state_dir.Free();
    for (int run = 0; run < 3; ++run) {
      env.clock.Advance(std::chrono::minutes(1));
      (void)env.Run(policy);
    }
    std::map<std::string, int> ledgered;
    for (const LedgerEntry& e : env.Purges()) ++ledgered[e.target];
    int purged = 0;
    for (int id = 1; id <= kDue + 1; ++id) {
      INFO("account " << id);
      const bool gone = env.NoRows(id) && DataGone(env, id);
      purged += gone;
      CHECK(ledgered["account " + std::to_string(id)] == (gone ? 1 : 0));
      CHECK(gone == (id <= kDue));
    }
    CHECK(static_cast<int>(env.Purges().size()) == purged);
    CHECK(env.OutsideIntact());
    auto verified = env.ledger->Verify();
    REQUIRE(verified.ok());
    CHECK(verified->ok);
    env.CloseAll();
  }
  std::printf(
      "state directory full mid-purge: %d of %d cut points failed a "
      "run; ledger == purged after each\n",
      failing_runs, 2 * kDue);
  CHECK(failing_runs > 0);
}

TEST_CASE("a dry run with a full state directory removes nothing",
          "[accounts]") {
  if (geteuid() != 0) return;
  AccountsEnv env;
  SmallTmpfs state_dir(env.tmp.File("state"));
  if (!state_dir.mounted) return;
  env.state_path = state_dir.path + "/state.db";
  env.OpenState();
  for (int id = 1; id <= kDue; ++id) env.AddAccount(id, kDay * 40);
  state_dir.Fill();
  // Planning may fail for want of space too; either way nothing goes.
  auto plan = env.Policy().MakePlan(env.clock.Now());
  INFO((plan.ok() ? std::string() : plan.status().ToString()));
  if (plan.ok()) CHECK(plan->actions.size() == kDue);
  for (int id = 1; id <= kDue; ++id) {
    CHECK(env.HasRows(id));
    CHECK(env.HasFiles(id));
  }
  CHECK_FALSE(std::filesystem::exists(env.quarantine));
  env.CloseAll();
}

}  // namespace
}  // namespace retention::accounts_nospace_test
