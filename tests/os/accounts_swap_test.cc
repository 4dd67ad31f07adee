// While an account purge runs, another thread keeps swapping a directory of
// the account's tree (in its data directory and in quarantine) for a
// symlink to a directory outside: nothing outside is ever removed, and once
// the swapping stops the purge completes.
#include <stdio.h>
#include <unistd.h>

#include <atomic>
#include <catch2/catch.hpp>
#include <thread>

#include "accounts_env.h"

namespace retention::accounts_swap_test {
namespace {

// Swaps DIR/sub for a symlink to `target` and back until `stop`.
void Swap(const std::vector<std::string>& dirs, const std::string& target,
          const std::atomic<bool>& stop) {
  while (!stop.load()) {
    for (const std::string& d : dirs) {
      const std::string sub = d + "/sub";
      const std::string aside = d + "/sub.aside";
      if (rename(sub.c_str(), aside.c_str()) != 0) continue;
      (void)!symlink(target.c_str(), sub.c_str());
      std::this_thread::yield();
      unlink(sub.c_str());
      (void)!rename(aside.c_str(), sub.c_str());
    }
  }
}

TEST_CASE(
    "a tree swapped for symlinks during its purge touches nothing outside",
    "[accounts]") {
  for (int i = 0; i < 30; ++i) {
    INFO("iteration " << i);
    AccountsEnv env;
    const std::string victim = env.outside + "/victim";
    std::filesystem::create_directories(victim + "/inner");
    std::ofstream(victim + "/inner/file") << "keep me";
    std::ofstream(victim + "/file") << "keep me too";
    env.AddAccount(1, AccountsEnv::kDay * 40);
    for (int k = 0; k < 30; ++k) {
      std::ofstream(env.Dir(1) + "/sub/f" + std::to_string(k)) << k;
    }
    std::atomic<bool> stop{false};
    std::thread swapper(
        Swap,
        std::vector<std::string>{env.Dir(1),
                                 env.quarantine + "/1" + kQuarantineMarker},
        victim, std::cref(stop));
    AccountsPolicy policy = env.Policy();
    for (int pass = 0; pass < 3; ++pass) (void)env.Run(policy);
    stop = true;
    swapper.join();
    // The swapper may have left its link or the real directory aside.
    std::error_code ec;
    for (const std::string& d :
         {env.Dir(1), env.quarantine + "/1" + kQuarantineMarker}) {
      if (std::filesystem::is_symlink(d + "/sub", ec)) {
        std::filesystem::remove(d + "/sub", ec);
      }
      if (std::filesystem::exists(d + "/sub.aside", ec)) {
        std::filesystem::rename(d + "/sub.aside", d + "/sub", ec);
      }
    }
    CHECK(std::filesystem::exists(victim + "/inner/file"));
    CHECK(std::filesystem::exists(victim + "/file"));
    CHECK(env.OutsideIntact());
    ExecResult r = env.Run(policy);
    INFO((r.errors.empty() ? std::string() : r.errors[0]));
    CHECK(env.NoRows(1));
    CHECK_FALSE(std::filesystem::exists(env.Dir(1)));
    CHECK(env.QuarantineEntries() == 0);
    CHECK(env.Purges().size() == 1);
  }
}

}  // namespace
}  // namespace retention::accounts_swap_test
