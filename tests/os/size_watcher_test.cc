// SizeWatcher on real inotify: a file crossing its cap makes its policy due
// at once; smaller files, other names and symlinks do not.
#include "core/size_watcher.h"

#include <poll.h>
#include <unistd.h>

#include <catch2/catch.hpp>
#include <filesystem>
#include <fstream>
#include <string>

#include "temp_dir.h"

namespace retention::size_watcher_test {
namespace {

void Append(const std::string& path, size_t bytes) {
  std::ofstream(path, std::ios::app) << std::string(bytes, 'x');
}

// Waits up to 2 s for events, then handles them.
std::set<std::string> Wait(SizeWatcher& w) {
  pollfd p{w.fd(), POLLIN, 0};
  if (poll(&p, 1, 2000) <= 0) return {};
  return w.HandleEvents();
}

std::unique_ptr<SizeWatcher> Watching(const TempDir& dir, uint64_t cap,
                                      std::vector<std::string> globs = {
                                          "access.log"}) {
  auto w = SizeWatcher::Create();
  REQUIRE(w.ok());
  auto warnings = (*w)->SetWatches({{"logs.access", dir.path(), globs, cap}});
  CHECK(warnings.empty());
  return std::move(*w);
}

TEST_CASE("a log crossing its cap makes the policy due", "[watcher]") {
  TempDir dir;
  Append(dir.File("access.log"), 100);
  auto w = Watching(dir, 1000);
  Append(dir.File("access.log"), 500);  // 600: under the cap
  CHECK(Wait(*w).empty());
  Append(dir.File("access.log"), 500);  // 1100: over it
  CHECK(Wait(*w) == std::set<std::string>{"logs.access"});
}

TEST_CASE("other names, small files and symlinks are not triggers",
          "[watcher]") {
  TempDir dir;
  Append(dir.File("big.bin"), 5000);
  auto w = Watching(dir, 1000, {"*.log"});
  Append(dir.File("other.txt"), 5000);
  std::filesystem::create_symlink(dir.File("big.bin"), dir.File("link.log"));
  Append(dir.File("small.log"), 10);
  CHECK(Wait(*w).empty());
  CHECK(w->CheckAll().empty());
}

TEST_CASE("a file that appears later and matches a glob is watched",
          "[watcher]") {
  TempDir dir;
  auto w = Watching(dir, 1000, {"*.log"});
  Append(dir.File("new.log"), 2000);
  CHECK(Wait(*w) == std::set<std::string>{"logs.access"});
  // Moved in whole, over the cap already.
  Append(dir.File("staging"), 3000);
  std::filesystem::rename(dir.File("staging"), dir.File("moved.log"));
  CHECK(Wait(*w) == std::set<std::string>{"logs.access"});
}

TEST_CASE("CheckAll finds a file already over its cap", "[watcher]") {
  TempDir dir;
  Append(dir.File("access.log"), 5000);
  auto w = Watching(dir, 1000);
  CHECK(w->CheckAll() == std::set<std::string>{"logs.access"});
}

TEST_CASE("a directory that cannot be watched is a warning, not a failure",
          "[watcher]") {
  TempDir dir;
  auto w = SizeWatcher::Create();
  REQUIRE(w.ok());
  auto warnings =
      (*w)->SetWatches({{"logs.gone", dir.File("missing"), {"*.log"}, 1000},
                        {"logs.access", dir.path(), {"access.log"}, 1000}});
  REQUIRE(warnings.size() == 1);
  CHECK(warnings[0].find("logs.gone: cannot watch") != std::string::npos);
  Append(dir.File("access.log"), 2000);
  CHECK(Wait(**w) == std::set<std::string>{"logs.access"});
}

TEST_CASE("two sets in one directory are told apart", "[watcher]") {
  TempDir dir;
  auto w = SizeWatcher::Create();
  REQUIRE(w.ok());
  (*w)->SetWatches({{"logs.a", dir.path(), {"a.log"}, 1000},
                    {"logs.b", dir.path(), {"b.log"}, 1000}});
  Append(dir.File("b.log"), 2000);
  CHECK(Wait(**w) == std::set<std::string>{"logs.b"});
  // Replacing the watches drops the old ones.
  (*w)->SetWatches({{"logs.a", dir.path(), {"a.log"}, 1000}});
  Append(dir.File("b.log"), 2000);
  CHECK(Wait(**w).empty());
}

}  // namespace
}  // namespace retention::size_watcher_test

namespace retention::size_watcher_test {
namespace {

TEST_CASE("a fast writer near the cap makes the policy due early",
          "[watcher]") {
  TempDir dir;
  Append(dir.File("access.log"), 100);
  auto w = SizeWatcher::Create();
  REQUIRE(w.ok());
  // A rotation at the cap is said to take 1 s: a writer adding 1000 bytes
  // per 20 ms (50 KB/s) adds half the 100 KB cap meanwhile: due from
  // about 50 KB on, long before the cap.
  auto rotation_ns = std::make_shared<std::atomic<int64_t>>(1'000'000'000);
  (*w)->SetWatches(
      {{"logs.access", dir.path(), {"access.log"}, 100'000, rotation_ns}});
  std::set<std::string> due;
  for (int i = 0; i < 100 && due.empty(); ++i) {
    usleep(20'000);
    Append(dir.File("access.log"), 1000);
    due = Wait(**w);
  }
  CHECK(due == std::set<std::string>{"logs.access"});
  const uint64_t size = std::filesystem::file_size(dir.File("access.log"));
  CHECK(size < 100'000);  // under the cap
  std::vector<EarlyCrossing> early = (*w)->TakeEarly();
  REQUIRE(early.size() == 1);
  CHECK(early[0].policy == "logs.access");
  CHECK(early[0].path == dir.File("access.log"));
  CHECK(early[0].size == size);
  CHECK(early[0].bytes_per_second > 0);
  CHECK(early[0].size + early[0].lead >= 100'000);
  CHECK((*w)->TakeEarly().empty());
}

TEST_CASE("without a rotation time a log is due only at its cap", "[watcher]") {
  TempDir dir;
  auto w = Watching(dir, 100'000);
  for (int i = 0; i < 10; ++i) {
    usleep(20'000);
    Append(dir.File("access.log"), 9000);
    CHECK(Wait(*w).empty());
  }
  CHECK(w->TakeEarly().empty());
}

}  // namespace
}  // namespace retention::size_watcher_test
