// ControlServer against hostile clients on a real socket: trickling and idle
// connections from one unprivileged user must not lock out another user's
// connect-per-call client, nor root; admin_group reaches the socket. The
// clients are tests/hostile_client, run in forked children as other uids,
// so the test needs root (it says so and passes vacuously otherwise).
#include <fcntl.h>
#include <grp.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <sys/xattr.h>

#include <algorithm>
#include <catch2/catch.hpp>
#include <chrono>
#include <cstdio>
#include <string>
#include <vector>

#include "base/clock.h"
#include "control/control_protocol.h"
#include "control_loop.h"
#include "temp_dir.h"

namespace retention::control_hostile_test {
namespace {

using Clock = std::chrono::steady_clock;
using std::chrono::milliseconds;

constexpr uid_t kAttacker = 65534;
constexpr uid_t kReader = 65533;

class StatusHandler : public ControlHandler {
 public:
  void Handle(const Request& request, const Caller&, ReplyFn reply) override {
    reply(EncodeReply({{"method", request.method}}));
  }
};

// Runs tests/hostile_client as `uid` (primary group the same, plus
// `groups`) in a child; its stdout goes to the returned pipe. Between fork
// and exec the child only calls dup2, close and execv (async-signal-safe):
// this process has threads, and C++ in the child could block on a lock one
// of them held at fork (it did under AddressSanitizer).
struct Child {
  pid_t pid = -1;
  int out = -1;
};
Child Spawn(uid_t uid, std::vector<std::string> args,
            const std::string& groups = "") {
  args.insert(args.begin(), {HOSTILE_CLIENT_BIN, std::to_string(uid),
                             std::to_string(uid) + groups});
  std::vector<char*> argv;
  for (std::string& a : args) argv.push_back(a.data());
  argv.push_back(nullptr);
  int fds[2];
  if (pipe(fds) != 0) std::abort();
  const pid_t pid = fork();
  if (pid == 0) {
    dup2(fds[1], STDOUT_FILENO);
    close(fds[0]);
    close(fds[1]);
    execv(argv[0], argv.data());
    _exit(127);
  }
  close(fds[1]);
  return {pid, fds[0]};
}

// Everything the child printed, once it exited.
std::string Collect(Child child) {
  std::string result;
  char buf[4096];
  ssize_t n;
  while ((n = read(child.out, buf, sizeof buf)) > 0) result.append(buf, n);
  close(child.out);
  int status = 0;
  waitpid(child.pid, &status, 0);
  return result;
}

// The child's first line (without its newline), as soon as it is printed.
std::string FirstLine(Child child) {
  std::string line;
  char c;
  while (read(child.out, &c, 1) == 1 && c != '\n') line += c;
  return line;
}

std::string Ms(Clock::duration d) {
  return std::to_string(std::chrono::duration_cast<milliseconds>(d).count());
}

struct Server {
  TempDir tmp;
  PosixClock clock;
  StatusHandler handler;
  ControlServer server{handler, clock};
  std::string path = tmp.File("run/control.sock");

  explicit Server(ControlSocketOptions options) {
    options.path = path;
    REQUIRE(server.Listen(options).ok());
    // Let the other uids reach the socket; access is not what is tested.
    REQUIRE(chmod(tmp.path().c_str(), 0755) == 0);
    REQUIRE(chmod(tmp.File("run").c_str(), 0755) == 0);
    REQUIRE(chmod(path.c_str(), 0666) == 0);
  }
};

TEST_CASE("trickling and idle connections lock out neither readers nor root",
          "[control][hostile]") {
  if (geteuid() != 0) {
    WARN("needs root to run clients as other uids; not run");
    return;
  }
  ControlSocketOptions options;  // the daemon's defaults but the deadlines
  options.idle_timeout = std::chrono::seconds(2);
  options.request_timeout = std::chrono::seconds(1);
  Server s(options);
  constexpr int kCalls = 40;
  // The attacker starts before the server loop: its first connections
  // wait in the backlog, as on a busy daemon.
  Child attacker = Spawn(
      kAttacker, {"attack", s.path, Ms(milliseconds(100 * kCalls + 1500))});
  std::string root_reply;
  {
    ServerLoop loop(s.server);
    std::this_thread::sleep_for(milliseconds(1000));  // the attack is on
    Child reader = Spawn(kReader, {"poll", s.path, std::to_string(kCalls)});
    std::this_thread::sleep_for(milliseconds(500));
    root_reply =
        CallOnce(s.path, R"({"method":"io.retentiond.Manager.Reload"})");
    const std::string polls = Collect(reader);
    const std::string attack = Collect(attacker);
    std::vector<long> latencies;
    int busy = 0, failed = 0;
    size_t pos = 0;
    while (pos < polls.size()) {
      const size_t nl = polls.find('\n', pos);
      const std::string line = polls.substr(pos, nl - pos);
      pos = nl + 1;
      if (line == "busy") {
        ++busy;
      } else if (line == "failed") {
        ++failed;
      } else {
        latencies.push_back(std::stol(line));
      }
    }
    std::sort(latencies.begin(), latencies.end());
    const long p99 = latencies.empty()
                         ? -1
                         : latencies[(latencies.size() * 99) / 100 -
                                     (latencies.size() >= 100 ? 1 : 0)];
    std::printf(
        "hostile control clients: reader %zu ok, %d busy, %d failed; "
        "latency p50 %ld us, p99 %ld us, max %ld us; attacker %s\n",
        latencies.size(), busy, failed,
        latencies.empty() ? -1 : latencies[latencies.size() / 2], p99,
        latencies.empty() ? -1 : latencies.back(), attack.c_str());
    CHECK(busy == 0);
    CHECK(failed == 0);
    CHECK(latencies.size() == static_cast<size_t>(kCalls));
    // Trickles were cut at their deadline and idle ones at theirs: the
    // attacker saw its connections closed, more than the 400 it opened.
    CHECK(attack.find("closed=") == 0);
  }
  CHECK(root_reply.find("Manager.Reload") != std::string::npos);
}

TEST_CASE("the last slots are kept for root", "[control][hostile]") {
  if (geteuid() != 0) {
    WARN("needs root to run clients as other uids; not run");
    return;
  }
  ControlSocketOptions options;
  options.max_connections = 8;  // 2 kept for root and admin_group
  options.max_per_user = 100;
  Server s(options);
  ServerLoop loop(s.server);
  // Six connections held; the two of the reader's that are refused are
  // closed; root's call comes while the six are held.
  Child reader = Spawn(kReader, {"hold", s.path, "8", "1000"});
  CHECK(FirstLine(reader) == "ooooooBB");
  const std::string root_reply = CallOnce(s.path, R"({"method":"x.y.Reload"})");
  Collect(reader);
  CHECK(root_reply.find("x.y.Reload") != std::string::npos);
}

TEST_CASE("one uid cannot take more than its share of slots",
          "[control][hostile]") {
  if (geteuid() != 0) {
    WARN("needs root to run clients as other uids; not run");
    return;
  }
  ControlSocketOptions options;
  options.max_per_user = 3;
  Server s(options);
  ServerLoop loop(s.server);
  Child attacker = Spawn(kAttacker, {"hold", s.path, "5", "1000"});
  CHECK(FirstLine(attacker) == "oooBB");
  Child reader = Spawn(kReader, {"poll", s.path, "1"});
  const std::string poll = Collect(reader);
  CHECK(poll != "busy\n");
  CHECK(poll != "failed\n");
  Collect(attacker);
}

TEST_CASE("admin_group members reach the socket without socket_group",
          "[control][hostile]") {
  if (geteuid() != 0) {
    WARN("needs root to run clients as other uids; not run");
    return;
  }
  constexpr gid_t kReaders = 65531;
  constexpr gid_t kAdmins = 65532;
  const bool with_readers = GENERATE(true, false);
  TempDir tmp;
  REQUIRE(chmod(tmp.path().c_str(), 0755) == 0);
  PosixClock clock;
  StatusHandler handler;
  ControlServer server{handler, clock};
  ControlSocketOptions options;
  options.path = tmp.File("run/control.sock");
  if (with_readers) options.group = kReaders;
  options.admin_group = kAdmins;
  REQUIRE(server.Listen(options).ok());
  ServerLoop loop(server);
  auto call = [&](const std::string& groups) {
    return Collect(
        Spawn(kReader, {"call", options.path, "x.y.Status"}, groups));
  };
  INFO("socket_group set: " << with_readers);
  struct stat st;
  REQUIRE(stat(options.path.c_str(), &st) == 0);
  CHECK(st.st_gid == (with_readers ? kReaders : kAdmins));
  if (with_readers && getxattr(options.path.c_str(), "system.posix_acl_access",
                               nullptr, 0) < 0) {
    WARN("no ACLs on this filesystem: admins need socket_group; not run");
    return;
  }
  CHECK_THAT(call("," + std::to_string(kAdmins)),
             Catch::Contains("x.y.Status"));
  if (with_readers) {
    CHECK_THAT(call("," + std::to_string(kReaders)),
               Catch::Contains("x.y.Status"));
  }
  CHECK_THAT(call(""), Catch::StartsWith("refused: Permission denied"));
}

}  // namespace
}  // namespace retention::control_hostile_test
