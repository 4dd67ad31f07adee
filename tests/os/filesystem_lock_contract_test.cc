// LockFileAt's contract on the real filesystem and the fake: one holder at a
// time, released with the handle, never through a symlink.
#include <algorithm>
#include <catch2/catch.hpp>
#include <memory>
#include <vector>

#include "os/filesystem_envs.h"

namespace retention::filesystem_lock_contract_test {
namespace {

using Code = Status::Code;

TEMPLATE_TEST_CASE("a file lock has one holder at a time", "[contract]",
                   PosixEnv, FakeEnv) {
  TestType env;
  env.Dir("state");
  auto dir = OpenRootOf(env, "state");
  auto first = env.fs().LockFileAt(*dir, "lock");
  REQUIRE(first.ok());
  CHECK(env.Exists("state/lock"));
  CHECK_FALSE(env.Contents("state/lock").empty());  // the holder's pid
  CHECK(*env.fs().IsLocked(*dir, "lock"));

  auto second = env.fs().LockFileAt(*dir, "lock");
  CHECK(second.status().code() == Code::kBusy);

  first->reset();  // released with the handle
  CHECK_FALSE(*env.fs().IsLocked(*dir, "lock"));
  CHECK(env.fs().LockFileAt(*dir, "lock").ok());
}

TEMPLATE_TEST_CASE("the lock table names the inode of a file held under flock",
                   "[contract][lock]", PosixEnv, FakeEnv) {
  TestType env;
  env.Dir("state");
  env.File("state/free", "x");
  auto dir = OpenRootOf(env, "state");
  auto held = env.fs().LockFileAt(*dir, "held");
  REQUIRE(held.ok());
  const uint64_t held_ino = MustStat(env.fs(), *dir, "held").ino;
  const uint64_t free_ino = MustStat(env.fs(), *dir, "free").ino;
  // The real one needs ext4 or tmpfs under /tmp and the initial PID
  // namespace; elsewhere it fails and callers probe every file.
  auto table = env.fs().LockedInodes(*dir);
  INFO(table.status().ToString());
  REQUIRE(table.ok());
  CHECK(std::is_sorted(table->begin(), table->end()));
  CHECK(std::binary_search(table->begin(), table->end(), held_ino));
  CHECK_FALSE(std::binary_search(table->begin(), table->end(), free_ino));

  held->reset();
  table = env.fs().LockedInodes(*dir);
  REQUIRE(table.ok());
  CHECK_FALSE(std::binary_search(table->begin(), table->end(), held_ino));
}

TEMPLATE_TEST_CASE(
    "a lock table longer than a page still names every held "
    "file",
    "[contract][lock]", PosixEnv, FakeEnv) {
  TestType env;
  env.Dir("state");
  auto dir = OpenRootOf(env, "state");
  // 300 locks are some 16 KiB of /proc/locks: four pages, read twice.
  std::vector<std::unique_ptr<FileLock>> held;
  std::vector<uint64_t> inodes;
  for (int i = 0; i < 300; ++i) {
    const std::string name = "l" + std::to_string(i);
    auto lock = env.fs().LockFileAt(*dir, name);
    REQUIRE(lock.ok());
    held.push_back(std::move(*lock));
    inodes.push_back(MustStat(env.fs(), *dir, name).ino);
  }
  // Other processes' locks may change between two reads (then it fails
  // kFailedPrecondition and callers probe); a few tries see a quiet moment.
  StatusOr<std::vector<uint64_t>> table = Status::Aborted("not read");
  for (int tries = 0; tries < 20 && !table.ok(); ++tries) {
    table = env.fs().LockedInodes(*dir);
    if (!table.ok()) {
      CHECK(table.status().code() == Status::Code::kFailedPrecondition);
    }
  }
  INFO(table.status().ToString());
  REQUIRE(table.ok());
  for (uint64_t ino : inodes) {
    CHECK(std::binary_search(table->begin(), table->end(), ino));
  }
}

TEMPLATE_TEST_CASE("a lock file is never taken through a symlink", "[contract]",
                   PosixEnv, FakeEnv) {
  TestType env;
  env.Dir("state");
  env.File("outside/victim", "keep me");
  env.Symlink("state/lock", env.Path("outside/victim"));
  auto dir = OpenRootOf(env, "state");
  auto lock = env.fs().LockFileAt(*dir, "lock");
  CHECK(lock.status().code() == Code::kUnsafe);
  CHECK(env.Contents("outside/victim") == "keep me");
}

}  // namespace
}  // namespace retention::filesystem_lock_contract_test

namespace retention::filesystem_lock_contract_test {
namespace {

TEMPLATE_TEST_CASE("a file replaces its target atomically, never a directory",
                   "[contract]", PosixEnv, FakeEnv) {
  TestType env;
  env.Dir("d/sub");
  env.File("d/new", "new");
  env.File("d/old", "old");
  auto dir = OpenRootOf(env, "d");
  CHECK(env.fs().ReplaceFileAt(*dir, "new", "old").ok());
  CHECK(env.Contents("d/old") == "new");
  CHECK_FALSE(env.Exists("d/new"));
  CHECK(env.fs().ReplaceFileAt(*dir, "old", "fresh").ok());  // no target yet
  CHECK(env.Contents("d/fresh") == "new");
  CHECK(env.fs().ReplaceFileAt(*dir, "fresh", "sub").code() == Code::kUnsafe);
  CHECK(env.Exists("d/sub"));
  CHECK(env.fs().ReplaceFileAt(*dir, "sub", "x").code() == Code::kUnsafe);
  CHECK(env.fs().ReplaceFileAt(*dir, "gone", "x").IsNotFound());
}

}  // namespace
}  // namespace retention::filesystem_lock_contract_test
