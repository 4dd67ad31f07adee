// The occupancy scanner on hostile shapes: a 100k-deep chain, a directory of
// a million entries (counted, not compared with du, which would double the
// time), an unreadable directory, entries churning mid-scan.
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <atomic>
#include <catch2/catch.hpp>
#include <filesystem>
#include <thread>

#include "occupancy_tree.h"
#include "stress_root.h"
#include "temp_dir.h"

namespace retention::occupancy_stress_test {
namespace {

namespace fs = std::filesystem;

TEST_CASE("occupancy measures a 100k-deep directory chain like du") {
  StressRoot root;
  fs::create_directory(root.path() + "/deep");
  MakeChain(root.path() + "/deep", 100000);
  const OccupancyScan scan = ScanOrFail(root.path(), 2);
  const UserUsage u = UsageOf(scan, "deep");
  CHECK(u.dirs == 100001);
  CHECK(u.files == 1);
  CHECK(u.errors == 0);
  if (!root.mounted()) RemoveChain(root.path() + "/deep");
}

TEST_CASE("occupancy measures a directory with a million entries") {
  StressRoot root;
  fs::create_directories(root.path() + "/many/d");
  MakeEntries(root.path() + "/many/d", 1000000);
  const OccupancyScan scan = ScanOrFail(root.path(), 2);
  const UserUsage u = UsageOf(scan, "many");
  CHECK(u.files == 1000000);
  CHECK(u.dirs == 2);
  CHECK(u.errors == 0);
}

// Root reads every directory, so the scan runs in a child that dropped to
// an unprivileged user; it reports "files dirs errors warnings" on a pipe.
std::string ScanAsNobody(const std::string& root) {
  int fds[2];
  REQUIRE(::pipe(fds) == 0);
  const pid_t pid = ::fork();
  REQUIRE(pid >= 0);
  if (pid == 0) {
    ::close(fds[0]);
    if (::setgid(65534) != 0 || ::setuid(65534) != 0) ::_exit(2);
    auto scan = NewPosixOccupancyScanner()->Scan({root, "{id}", 2});
    if (!scan.ok() || scan->users.size() != 1) ::_exit(3);
    const UserUsage& u = scan->users[0];
    const std::string out =
        std::to_string(u.files) + " " + std::to_string(u.dirs) + " " +
        std::to_string(u.errors) + " " + std::to_string(scan->warnings.size());
    (void)!::write(fds[1], out.data(), out.size());
    ::_exit(0);
  }
  ::close(fds[1]);
  char buf[128] = {};
  const ssize_t n = ::read(fds[0], buf, sizeof buf - 1);
  ::close(fds[0]);
  int status = 0;
  ::waitpid(pid, &status, 0);
  REQUIRE(WIFEXITED(status));
  REQUIRE(WEXITSTATUS(status) == 0);
  return std::string(buf, n > 0 ? n : 0);
}

TEST_CASE("an unreadable directory is reported and the rest still counted") {
  TempDir dir;
  REQUIRE(::chmod(dir.path().c_str(), 0755) == 0);
  fs::create_directories(dir.File("u/open"));
  fs::create_directories(dir.File("u/closed/inner"));
  WriteBytes(dir.File("u/open/a"), 10);
  WriteBytes(dir.File("u/b"), 10);
  WriteBytes(dir.File("u/closed/inner/c"), 10);
  REQUIRE(::chmod(dir.File("u/closed").c_str(), 0700) == 0);
  // files a and b; dirs u, open, closed (its own size is known); one error.
  CHECK(ScanAsNobody(dir.path()) == "2 3 1 1");
}

TEST_CASE("occupancy survives entries vanishing and appearing mid-scan") {
  TempDir dir;
  fs::create_directories(dir.File("u/churn"));
  for (int i = 0; i < 50; ++i) {
    fs::create_directories(dir.File("u/d" + std::to_string(i)));
    MakeEntries(dir.File("u/d" + std::to_string(i)), 200);
  }
  std::atomic<bool> stop{false};
  std::thread churn([&] {
    for (int i = 0; !stop; ++i) {
      const std::string d = dir.File("u/churn/" + std::to_string(i % 20));
      std::error_code ec;  // racing with itself is the point
      if (!fs::create_directory(d, ec)) fs::remove_all(d, ec);
      fs::remove_all(dir.File("u/d" + std::to_string(i % 50)), ec);
    }
  });
  for (int i = 0; i < 20; ++i) {
    const OccupancyScan scan = ScanOrFail(dir.path(), 2);
    CHECK(scan.users.size() == 1);
  }
  stop = true;
  churn.join();
}

}  // namespace
}  // namespace retention::occupancy_stress_test
