// [files.NAME] recursive sweeps on the real filesystem, run as root, against
// what tmpreaper (CVE-2019-3461) and systemd-tmpfiles (CVE-2018-6954,
// CVE-2021-3997) met: a subdirectory swapped for a symlink to a directory
// outside the root while the sweep runs (thousands of swaps), FIFOs,
// sockets and devices, a bind mount inside the root, a file held under
// flock, a 100k-deep chain and a directory of a million entries.
#include <fcntl.h>
#include <sys/file.h>
#include <sys/mount.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <sys/un.h>
#include <unistd.h>

#include <atomic>
#include <catch2/catch.hpp>
#include <chrono>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <mutex>
#include <thread>

#include "core/daemon.h"
#include "fakes/hooked_filesystem.h"
#include "occupancy_tree.h"
#include "stress_root.h"
#include "temp_dir.h"

namespace retention::files_adversarial_test {
namespace {

namespace fs = std::filesystem;

// A Daemon on the real filesystem and clock with one [files.sweep] policy.
struct RealDaemon {
  TempDir tmp;
  PosixClock clock;
  std::unique_ptr<Filesystem> posix = NewPosixFilesystem();
  HookedFilesystem hooked{*posix};  // counts the lock checks
  KindRegistry registry = BuiltinRegistry();
  std::unique_ptr<Daemon> daemon;
  std::atomic<bool> stop{false};

  explicit RealDaemon(const std::string& root, const std::string& keys) {
    fs::create_directory(tmp.File("state"));
    std::ofstream(tmp.File("r.conf"))
        << "[daemon]\nstate_dir = " << tmp.File("state")
        << "\ndaily_report = no\n[files.sweep]\nroot = " << root
        << "\nrecursive = yes\nmax_delete_fraction = 1\n"
        << keys;
    daemon =
        std::make_unique<Daemon>(clock, hooked, registry, tmp.File("r.conf"));
    std::vector<ConfigError> errors;
    Status st = daemon->Start(&errors);
    INFO(st.ToString());
    REQUIRE(st.ok());
  }
  RunReport Sweep() {
    return daemon->Run(*daemon->Find("files.sweep"), false, stop);
  }
};

// Writes `path` and dates it `days` back.
void OldFile(const std::string& path, int days = 40) {
  std::ofstream(path) << "data\n";
  const auto t =
      std::chrono::system_clock::now() - std::chrono::hours(24 * days);
  const auto s =
      std::chrono::duration_cast<std::chrono::seconds>(t.time_since_epoch());
  struct timespec times[2] = {{s.count(), 0}, {s.count(), 0}};
  REQUIRE(::utimensat(AT_FDCWD, path.c_str(), times, AT_SYMLINK_NOFOLLOW) == 0);
}

void Age(const std::string& path, int days = 40) {
  const auto t =
      std::chrono::system_clock::now() - std::chrono::hours(24 * days);
  const auto s =
      std::chrono::duration_cast<std::chrono::seconds>(t.time_since_epoch());
  struct timespec times[2] = {{s.count(), 0}, {s.count(), 0}};
  REQUIRE(::utimensat(AT_FDCWD, path.c_str(), times, AT_SYMLINK_NOFOLLOW) == 0);
}

size_t CountFiles(const std::string& dir) {
  size_t n = 0;
  for (const auto& e : fs::recursive_directory_iterator(dir)) {
    if (e.is_regular_file()) ++n;
  }
  return n;
}

TEST_CASE(
    "a sweep racing a directory-for-symlink swap never touches anything "
    "outside the root") {
  TempDir box;
  const std::string root = box.File("root"), outside = box.File("outside");
  fs::create_directories(root + "/a");
  fs::create_directories(outside + "/sub");
  for (int i = 0; i < 50; ++i) {
    OldFile(outside + "/f" + std::to_string(i), 400);
    OldFile(outside + "/sub/g" + std::to_string(i), 400);
  }
  Age(outside + "/sub", 400);
  RealDaemon d(root, "max_age = 1d\nremove_empty_dirs = yes\n");

  std::mutex swapping;  // held by a whole swap, so refills see root/a real
  std::atomic<bool> done{false};
  std::atomic<int> swaps{0};
  std::atomic<bool> restore_failed{false};  // Catch2 asserts on one thread
  std::thread attacker([&] {
    const std::string a = root + "/a", moved = root + "/a.moved";
    while (!done) {
      std::lock_guard<std::mutex> lock(swapping);
      if (::rename(a.c_str(), moved.c_str()) != 0) continue;
      if (::symlink(outside.c_str(), a.c_str()) == 0) {
        std::this_thread::yield();
        ::unlink(a.c_str());
      }
      if (::rename(moved.c_str(), a.c_str()) != 0) {
        restore_failed = true;
        return;
      }
      ++swaps;
    }
  });
  int sweeps = 0;
  uint64_t deleted = 0;
  const auto deadline =
      std::chrono::steady_clock::now() + std::chrono::seconds(60);
  while ((swaps < 5000 || sweeps < 20) && !restore_failed &&
         std::chrono::steady_clock::now() < deadline) {
    {
      std::lock_guard<std::mutex> lock(swapping);
      for (int i = 0; i < 20; ++i) {
        OldFile(root + "/a/x" + std::to_string(i));
        fs::create_directories(root + "/a/s" + std::to_string(i));
        OldFile(root + "/a/s" + std::to_string(i) + "/y");
        Age(root + "/a/s" + std::to_string(i));
      }
    }
    RunReport r = d.Sweep();
    deleted += r.result.done;
    ++sweeps;
  }
  done = true;
  attacker.join();
  INFO(swaps << " swaps during " << sweeps << " sweeps, " << deleted
             << " deletions");
  CHECK_FALSE(restore_failed);
  const int swapped = swaps;
  CHECK(swapped >= 1000);
  CHECK(deleted > 0);  // the sweeps did work inside the root meanwhile
  CHECK(CountFiles(outside) == 100);
  CHECK(fs::is_directory(outside + "/sub"));
}

TEST_CASE("FIFOs, sockets and devices are never removed, and never block") {
  TempDir box;
  const std::string root = box.File("root");
  fs::create_directories(root + "/d");
  OldFile(root + "/d/old.tar");
  REQUIRE(::mkfifo((root + "/d/fifo").c_str(), 0600) == 0);
  const int sock = ::socket(AF_UNIX, SOCK_STREAM, 0);
  REQUIRE(sock >= 0);
  struct sockaddr_un addr = {};
  addr.sun_family = AF_UNIX;
  const std::string sock_path = root + "/d/sock";
  REQUIRE(sock_path.size() < sizeof addr.sun_path);
  std::strcpy(addr.sun_path, sock_path.c_str());
  REQUIRE(::bind(sock, reinterpret_cast<struct sockaddr*>(&addr),
                 sizeof addr) == 0);
  ::close(sock);
  const bool device =
      ::mknod((root + "/d/null").c_str(), S_IFCHR | 0600, makedev(1, 3)) == 0;
  for (const char* name : {"fifo", "sock", "null"}) {
    if (fs::exists(fs::symlink_status(root + "/d/" + name))) {
      Age(root + "/d/" + name, 400);
    }
  }
  RealDaemon d(root, "max_age = 1d\nremove_empty_dirs = yes\n");
  RunReport r = d.Sweep();
  CHECK(r.outcome == Outcome::kOk);
  CHECK_FALSE(fs::exists(root + "/d/old.tar"));
  CHECK(fs::is_fifo(fs::symlink_status(root + "/d/fifo")));
  CHECK(fs::is_socket(fs::symlink_status(root + "/d/sock")));
  if (device)
    CHECK(fs::is_character_file(fs::symlink_status(root + "/d/null")));
  CHECK(fs::is_directory(root + "/d"));  // not empty: kept
}

// Issue 15.10: a user who owns a directory under a root planted 24,089
// entries that each cost a log line per run. Now a cause is logged a few
// times and then counted, in one line, at the end of the run.
TEST_CASE("thousands of planted entries cost a few warning lines per run") {
  TempDir box;
  const std::string root = box.File("root");
  fs::create_directories(root + "/user");
  constexpr int kPlanted = 1000;
  int planted = 0;
  for (int i = 0; i < kPlanted; ++i) {
    const std::string name = root + "/user/p" + std::to_string(i);
    // A FIFO, and a symlink matching the log set's glob (a live file that
    // is no regular file).
    planted += ::mkfifo(name.c_str(), 0600) == 0 &&
               ::symlink("/etc/passwd", (name + ".log").c_str()) == 0;
  }
  REQUIRE(planted == kPlanted);
  const std::string more =
      "and " + std::to_string(kPlanted - kShownPerCause) + " more like this: ";
  SECTION("files") {
    RealDaemon d(root, "max_age = 1d\n");
    RunReport r = d.Sweep();
    CHECK(r.outcome == Outcome::kOk);
    REQUIRE(r.plan.warnings.size() == kShownPerCause + 1);
    CHECK_THAT(r.plan.warnings[0], Catch::Contains("/user/p0: not a regular"));
    CHECK(r.plan.warnings.back() == more + "not a regular file or symlink");
  }
  SECTION("logs") {
    fs::create_directory(box.File("state"));
    std::ofstream(box.File("r.conf"))
        << "[daemon]\nstate_dir = " << box.File("state")
        << "\ndaily_report = no\n[logs.user]\npaths = " << root
        << "/user/*.log\nmax_file_size = 1M\n";
    PosixClock clock;
    auto posix = NewPosixFilesystem();
    KindRegistry registry = BuiltinRegistry();
    Daemon daemon(clock, *posix, registry, box.File("r.conf"));
    std::vector<ConfigError> errors;
    REQUIRE(daemon.Start(&errors).ok());
    std::atomic<bool> stop{false};
    RunReport r = daemon.Run(*daemon.Find("logs.user"), false, stop);
    INFO(r.error);
    REQUIRE(r.plan.warnings.size() == kShownPerCause + 1);
    CHECK(r.plan.warnings.back() == more + "not a regular file; never rotated");
  }
}

TEST_CASE("a bind mount inside the root is never entered") {
  TempDir box;
  const std::string root = box.File("root"), outside = box.File("outside");
  fs::create_directories(root + "/m");
  fs::create_directories(outside);
  OldFile(outside + "/precious", 400);
  if (::mount(outside.c_str(), (root + "/m").c_str(), nullptr, MS_BIND,
              nullptr) != 0) {
    WARN("cannot bind mount here (" << strerror(errno) << "); skipped");
    return;
  }
  Age(root + "/m", 400);
  RunReport r;
  {
    RealDaemon d(root, "max_age = 1d\nremove_empty_dirs = yes\n");
    r = d.Sweep();
  }
  ::umount2((root + "/m").c_str(), MNT_DETACH);
  CHECK(r.outcome == Outcome::kOk);
  CHECK(fs::exists(outside + "/precious"));
  std::string warnings;
  for (const std::string& w : r.plan.warnings) warnings += w + "\n";
  CHECK_THAT(warnings, Catch::Contains("/m: a mount point"));
}

TEST_CASE("a file held under flock survives a sweep, and goes once released",
          "[lock]") {
  TempDir box;
  const std::string root = box.File("root");
  fs::create_directories(root + "/d");
  OldFile(root + "/d/held.tar");
  for (int i = 0; i < 4100; ++i) OldFile(root + "/d/free" + std::to_string(i));
  const int fd = ::open((root + "/d/held.tar").c_str(), O_RDONLY);
  REQUIRE(fd >= 0);
  REQUIRE(::flock(fd, LOCK_EX) == 0);
  RealDaemon d(root, "max_age = 1d\n");
  RunReport r = d.Sweep();
  CHECK(fs::exists(root + "/d/held.tar"));
  CHECK(CountFiles(root + "/d") == 1);
  REQUIRE(r.result.errors.size() == 1);
  CHECK_THAT(r.result.errors[0], Catch::Contains("locked by another process"));
  // Through /proc/locks (ext4 or tmpfs, the initial PID namespace): read
  // once per 4,096 files, it named the held file, the only one probed.
  CHECK(d.hooked.locked_inodes_calls == 2);
  CHECK(d.hooked.is_locked_calls == 1);
  ::close(fd);
  d.Sweep();
  CHECK_FALSE(fs::exists(root + "/d/held.tar"));
}

size_t OpenDescriptors() {
  size_t n = 0;
  for (const auto& e : fs::directory_iterator("/proc/self/fd")) {
    (void)e;
    ++n;
  }
  return n;
}

TEST_CASE("a recursive sweep reaches the end of a 100k-deep chain") {
  StressRoot box;
  const std::string root = box.path() + "/deep";
  fs::create_directory(root);
  MakeChain(root, 100000);  // root/c/c/.../c/end
  RealDaemon d(root, "max_age = 1s\nmatch = end\n");
  std::this_thread::sleep_for(std::chrono::milliseconds(2100));
  const size_t fds = OpenDescriptors();
  RunReport r = d.Sweep();
  INFO(r.error);
  CHECK(r.outcome == Outcome::kOk);
  CHECK(r.result.done == 1);  // the file at the bottom
  REQUIRE(r.plan.actions.size() == 1);
  CHECK(r.plan.actions[0].target.size() < 5000);  // elided, not 200 KB
  CHECK_THAT(r.plan.actions[0].target, Catch::EndsWith("/c/c/end"));
  CHECK(OpenDescriptors() == fds);  // every handle closed again
  if (!box.mounted()) RemoveChain(root);
}

TEST_CASE("a recursive sweep of a directory of a million entries") {
  StressRoot box;
  const std::string root = box.path() + "/many";
  fs::create_directories(root + "/d");
  MakeEntries(root + "/d", 1000000);
  char name[32];
  for (int i = 0; i < 100; ++i) {
    std::snprintf(name, sizeof name, "/d/e%07d", i * 9973);
    Age(root + name);
  }
  RealDaemon d(root, "max_age = 1d\n");
  RunReport r = d.Sweep();
  INFO(r.error);
  CHECK(r.outcome == Outcome::kOk);
  CHECK(r.plan.scope == 1000000);
  CHECK(r.result.done == 100);
  CHECK_FALSE(fs::exists(root + "/d/e0009973"));
  CHECK(fs::exists(root + "/d/e0000001"));
}

}  // namespace
}  // namespace retention::files_adversarial_test
