// The POSIX occupancy scanner against GNU du and against trees built to
// break it: symlinks, sparse files, hard links, odd names, mounts.
#include <sys/mount.h>
#include <sys/stat.h>
#include <unistd.h>

#include <atomic>
#include <catch2/catch.hpp>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <functional>

#include "occupancy_tree.h"
#include "temp_dir.h"

namespace retention::occupancy_scanner_test {
namespace {

namespace fs = std::filesystem;

void CheckEqualsDu(const std::string& root, const OccupancyScan& scan) {
  for (const UserUsage& u : scan.users) CheckUserEqualsDu(root, u);
}

// Three users: files of many sizes, a sparse file, hard links inside one
// user, symlinks to a file, a dir, outside the root and in a loop, and
// names with a newline and invalid UTF-8.
void MakeUsers(const std::string& root) {
  for (const char* u : {"alice", "bob", "carol"}) {
    fs::create_directories(root + "/" + u + "/sub/deeper");
  }
  for (int i = 0; i < 40; ++i) {
    WriteBytes(root + "/alice/sub/f" + std::to_string(i), i * 997);
  }
  WriteBytes(root + "/alice/sub/deeper/big", 300000);
  WriteBytes(root + "/bob/sparse", 100);
  REQUIRE(::truncate((root + "/bob/sparse").c_str(), 1 << 30) == 0);
  WriteBytes(root + "/bob/linked", 12345);
  REQUIRE(::link((root + "/bob/linked").c_str(),
                 (root + "/bob/sub/linked2").c_str()) == 0);
  fs::create_symlink("../alice/sub/f3", root + "/carol/to_file");
  fs::create_symlink("sub", root + "/carol/to_dir");
  fs::create_symlink("/usr", root + "/carol/outside");
  fs::create_symlink("loop", root + "/carol/loop");
  fs::create_symlink("sub/deeper", root + "/carol/sub/deeper/up");
  WriteBytes(root + "/carol/new\nline", 10);
  WriteBytes(root + "/carol/bad\xff\xfe utf8", 5000);
  fs::create_directory(root + "/carol/dir\nwith newline");
  WriteBytes(root + "/carol/dir\nwith newline/x", 7000);
}

TEST_CASE("occupancy per-user totals equal du -s -x on a generated tree") {
  TempDir dir;
  MakeUsers(dir.path());
  const OccupancyScan scan = ScanOrFail(dir.path(), 2);
  REQUIRE(scan.users.size() == 3);
  CHECK(scan.users[0].user == "alice");
  CheckEqualsDu(dir.path(), scan);
  CHECK(scan.warnings.empty());
  CHECK(UsageOf(scan, "bob").files == 2);  // the hard link counted once
  CHECK(UsageOf(scan, "carol").files == 8);
  CHECK(UsageOf(scan, "alice").dirs == 3);
}

TEST_CASE(
    "occupancy totals equal du on a copy of /usr/share split into users") {
  TempDir dir;
  int users = 0;
  for (const char* part : {"doc", "man", "zoneinfo", "perl5", "misc"}) {
    const std::string from = std::string("/usr/share/") + part;
    if (!fs::is_directory(from)) continue;
    const std::string cmd = "cp -a '" + from + "' '" + dir.File(part) + "'";
    REQUIRE(std::system(cmd.c_str()) == 0);
    ++users;
  }
  REQUIRE(users >= 2);
  const OccupancyScan scan = ScanOrFail(dir.path(), 2);
  CHECK(scan.users.size() == size_t(users));
  CheckEqualsDu(dir.path(), scan);
}

TEST_CASE("occupancy results are the same at 1, 2 and 8 threads") {
  TempDir dir;
  MakeUsers(dir.path());
  REQUIRE(::link(dir.File("bob/linked").c_str(),
                 dir.File("alice/from_bob").c_str()) == 0);
  const OccupancyScan one = ScanOrFail(dir.path(), 1);
  for (int threads : {2, 8}) {
    const OccupancyScan many = ScanOrFail(dir.path(), threads);
    REQUIRE(many.users.size() == one.users.size());
    for (size_t i = 0; i < one.users.size(); ++i) {
      CHECK(many.users[i].allocated == one.users[i].allocated);
      CHECK(many.users[i].apparent == one.users[i].apparent);
      CHECK(many.users[i].files == one.users[i].files);
      CHECK(many.users[i].dirs == one.users[i].dirs);
    }
    CHECK(many.entries == one.entries);
  }
}

TEST_CASE("a scan reports each user once all its directories were scanned") {
  TempDir dir;
  MakeUsers(dir.path());
  for (int i = 0; i < 20; ++i) {
    fs::create_directories(dir.File("u" + std::to_string(i) + "/a/b"));
  }
  for (int threads : {1, 4}) {
    std::vector<std::pair<uint64_t, uint64_t>> calls;
    std::atomic<int> inside{0};
    bool overlapped = false;
    ScanRequest request{dir.path(), "{id}", threads};
    request.on_progress = [&](uint64_t done, uint64_t users) {
      overlapped |= inside.fetch_add(1) != 0;
      calls.emplace_back(done, users);
      inside.fetch_sub(1);
    };
    auto scan = NewPosixOccupancyScanner()->Scan(request);
    REQUIRE(scan.ok());
    INFO("threads: " << threads);
    CHECK_FALSE(overlapped);
    REQUIRE(calls.size() == 24);  // (0, 23), then one per user
    for (size_t i = 0; i < calls.size(); ++i) {
      CHECK(calls[i] == std::make_pair(uint64_t(i), uint64_t(23)));
    }
  }
}

TEST_CASE("a hard link shared by two users is charged to the first user id") {
  TempDir dir;
  fs::create_directories(dir.File("a"));
  fs::create_directories(dir.File("b"));
  WriteBytes(dir.File("b/shared"), 50000);
  REQUIRE(::link(dir.File("b/shared").c_str(), dir.File("a/shared").c_str()) ==
          0);
  REQUIRE(::link(dir.File("b/shared").c_str(), dir.File("b/again").c_str()) ==
          0);
  const OccupancyScan scan = ScanOrFail(dir.path(), 2);
  CHECK(UsageOf(scan, "a").apparent == 50000 + UsageOf(scan, "b").apparent);
  CHECK(UsageOf(scan, "a").files == 1);
  CHECK(UsageOf(scan, "b").files == 0);
}

TEST_CASE("a mount point inside a user directory is reported, not counted") {
  TempDir dir;
  fs::create_directories(dir.File("u/mnt"));
  WriteBytes(dir.File("u/file"), 4096);
  if (::mount("tmpfs", dir.File("u/mnt").c_str(), "tmpfs", 0, "size=4m") != 0) {
    WARN("skipped: cannot mount a tmpfs here (" << std::strerror(errno) << ")");
    return;
  }
  WriteBytes(dir.File("u/mnt/hidden"), 100000);
  const OccupancyScan scan = ScanOrFail(dir.path(), 2);
  const uint64_t du = DuBytes(dir.File("u"), true);
  ::umount(dir.File("u/mnt").c_str());
  REQUIRE(scan.mounts.size() == 1);
  CHECK(scan.mounts[0] == "u/mnt");
  CHECK(UsageOf(scan, "u").apparent == du);
  CHECK(UsageOf(scan, "u").apparent < 100000);
}

TEST_CASE("occupancy layout */{id} finds users in shard directories") {
  TempDir dir;
  fs::create_directories(dir.File("s1/ann"));
  fs::create_directories(dir.File("s2/bea"));
  fs::create_directories(dir.File("s2/ann"));
  WriteBytes(dir.File("s1/ann/x"), 100);
  WriteBytes(dir.File("s2/ann/y"), 200);
  WriteBytes(dir.File("s2/bea/z"), 300);
  const OccupancyScan scan = ScanOrFail(dir.path(), 2, "*/{id}");
  REQUIRE(scan.users.size() == 2);
  CHECK(UsageOf(scan, "ann").files == 2);
  CHECK(UsageOf(scan, "ann").dirs == 2);
  CHECK(UsageOf(scan, "bea").files == 1);
}

// u/a (five files and a subdirectory with one more) and an empty u/b.
void MakeMovingTree(const std::string& root) {
  fs::create_directories(root + "/u/a/deep");
  fs::create_directories(root + "/u/b");
  for (int i = 0; i < 5; ++i) {
    WriteBytes(root + "/u/a/f" + std::to_string(i), 10000 + i);
  }
  WriteBytes(root + "/u/a/deep/g", 70000);
}

// Scans `root` on one thread (children are read in name order), calling
// `move` once when directory `when` has been opened.
OccupancyScan ScanMoving(const std::string& root, const std::string& when,
                         std::function<void()> move) {
  auto scanner = NewPosixOccupancyScanner();
  ScanRequest request;
  request.root = root;
  request.threads = 1;
  bool moved = false;
  request.on_open = [&](const std::string& path) {
    if (path != when || moved) return;
    moved = true;
    move();
  };
  auto scan = scanner->Scan(request);
  REQUIRE(scan.ok());
  CHECK(moved);
  return std::move(*scan);
}

TEST_CASE(
    "a directory renamed mid-scan into a sibling not yet read is counted "
    "once") {
  TempDir dir;
  MakeMovingTree(dir.path());
  // u/a is being read when it moves to u/b/a, where u/b will list it again.
  const OccupancyScan scan = ScanMoving(dir.path(), "u/a", [&] {
    fs::rename(dir.File("u/a"), dir.File("u/b/a"));
  });
  const UserUsage u = UsageOf(scan, "u");
  CheckUserEqualsDu(dir.path(), u);
  CHECK(u.files == 6);
  CHECK(u.dirs == 4);  // u, u/b, u/b/a, u/b/a/deep
  CHECK(u.errors == 0);
}

TEST_CASE(
    "a directory renamed mid-scan under a sibling being read is counted "
    "once") {
  TempDir dir;
  MakeMovingTree(dir.path());
  WriteBytes(dir.File("u/b/h"), 30000);
  // u/b, listed in u already, moves into u/a just before u/a is read.
  const OccupancyScan scan = ScanMoving(dir.path(), "u/a", [&] {
    fs::rename(dir.File("u/b"), dir.File("u/a/b"));
  });
  const UserUsage u = UsageOf(scan, "u");
  CheckUserEqualsDu(dir.path(), u);
  CHECK(u.files == 7);
  CHECK(u.dirs == 4);  // u, u/a, u/a/deep, u/a/b
  CHECK(u.errors == 0);
}

}  // namespace
}  // namespace retention::occupancy_scanner_test
