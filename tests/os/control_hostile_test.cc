// ControlServer against hostile clients on a real socket: trickling and idle
// connections from one unprivileged user must not lock out another user's
// connect-per-call client, nor root. The clients run in forked children
// that drop to other uids, so the test needs root (it says so and passes
// vacuously otherwise).
#include <fcntl.h>
#include <grp.h>
#include <sys/stat.h>
#include <sys/wait.h>

#include <algorithm>
#include <catch2/catch.hpp>
#include <chrono>
#include <cstdio>
#include <functional>
#include <vector>

#include "base/clock.h"
#include "control_loop.h"
#include "control/control_protocol.h"
#include "temp_dir.h"

namespace retention {
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

// Runs `body` in a child as `uid`; its result goes to the returned pipe.
struct Child {
  pid_t pid = -1;
  int out = -1;
};
Child Spawn(uid_t uid, const std::function<std::string()>& body) {
  int fds[2];
  if (pipe(fds) != 0) std::abort();
  const pid_t pid = fork();
  if (pid == 0) {
    close(fds[0]);
    if (setgroups(0, nullptr) != 0 || setresgid(uid, uid, uid) != 0 ||
        setresuid(uid, uid, uid) != 0) {
      _exit(2);
    }
    const std::string result = body();
    (void)!write(fds[1], result.data(), result.size());
    _exit(0);
  }
  close(fds[1]);
  return {pid, fds[0]};
}

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

int ConnectNonBlocking(const std::string& path) {
  int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
  sockaddr_un addr = {};
  addr.sun_family = AF_UNIX;
  std::strncpy(addr.sun_path, path.c_str(), sizeof addr.sun_path - 1);
  if (connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0) {
    close(fd);
    return -1;  // backlog full: try again next tick
  }
  return fd;
}

// 100 connections that send one byte of a never-ending call every 100 ms
// and 300 that send nothing; each one the server closes is reopened.
// Returns "closed=N" (how many the server closed or refused).
std::string Attack(const std::string& path, Clock::duration length) {
  const std::string call = R"({"method":"io.retentiond.Manager.Status",)"
                           R"("parameters":{"padding":")" +
                           std::string(100000, 'x');
  std::vector<int> fds(400, -1);
  std::vector<size_t> sent(400, 0);
  size_t closed = 0;
  const auto end = Clock::now() + length;
  while (Clock::now() < end) {
    for (size_t i = 0; i < fds.size(); ++i) {
      if (fds[i] >= 0) {
        char buf[256];
        const ssize_t n = recv(fds[i], buf, sizeof buf, MSG_DONTWAIT);
        if (n == 0 || (n < 0 && errno != EAGAIN) || n > 0) {
          close(fds[i]);  // refused (Busy) or closed past its deadline
          fds[i] = -1;
          ++closed;
        }
      }
      if (fds[i] < 0) {
        fds[i] = ConnectNonBlocking(path);
        sent[i] = 0;
      }
      if (fds[i] >= 0 && i < 100 && sent[i] < call.size()) {
        if (send(fds[i], &call[sent[i]], 1, MSG_NOSIGNAL | MSG_DONTWAIT) == 1) {
          ++sent[i];
        }
      }
    }
    std::this_thread::sleep_for(milliseconds(100));
  }
  for (int fd : fds) {
    if (fd >= 0) close(fd);
  }
  return "closed=" + std::to_string(closed);
}

// A connect-per-call client calling Status every 100 ms. Returns one line
// per call: its latency in microseconds, or "busy" / "failed".
std::string PollStatus(const std::string& path, int calls) {
  std::string out;
  for (int i = 0; i < calls; ++i) {
    const auto start = Clock::now();
    const std::string reply =
        CallOnce(path, R"({"method":"io.retentiond.Manager.Status"})");
    const auto us = std::chrono::duration_cast<std::chrono::microseconds>(
                        Clock::now() - start)
                        .count();
    if (reply.find(kErrorBusy) != std::string::npos) {
      out += "busy\n";
    } else if (reply.find("Manager.Status") == std::string::npos) {
      out += "failed\n";
    } else {
      out += std::to_string(us) + "\n";
    }
    std::this_thread::sleep_for(milliseconds(100));
  }
  return out;
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
  // Both children start before the server loop: their first connections
  // wait in the backlog, as on a busy daemon.
  Child attacker = Spawn(kAttacker, [&] {
    return Attack(s.path, milliseconds(100 * kCalls + 1500));
  });
  Child reader = Spawn(kReader, [&] {
    std::this_thread::sleep_for(milliseconds(1000));  // the attack is on
    return PollStatus(s.path, kCalls);
  });
  std::string root_reply;
  {
    ServerLoop loop(s.server);
    std::this_thread::sleep_for(milliseconds(1500));
    root_reply = CallOnce(s.path, R"({"method":"io.retentiond.Manager.Reload"})");
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
    const long p99 =
        latencies.empty() ? -1 : latencies[(latencies.size() * 99) / 100 -
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
  Child reader = Spawn(kReader, [&] {
    std::vector<int> held;
    std::string out;
    for (int i = 0; i < 8; ++i) {
      int fd = ConnectTo(s.path);
      SendAll(fd, std::string(R"({"method":"x.y.Status"})") + '\0');
      const std::string reply = ReadMessage(fd);
      out += reply.find(kErrorBusy) != std::string::npos ? 'B' : 'o';
      held.push_back(fd);
    }
    // Hold the six slots while root calls.
    std::this_thread::sleep_for(milliseconds(500));
    return out;
  });
  std::this_thread::sleep_for(milliseconds(250));
  const std::string root_reply = CallOnce(s.path, R"({"method":"x.y.Reload"})");
  CHECK(Collect(reader) == "ooooooBB");
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
  auto hold = [&] {
    std::vector<int> held;
    std::string out;
    for (int i = 0; i < 5; ++i) {
      int fd = ConnectTo(s.path);
      SendAll(fd, std::string(R"({"method":"x.y.Status"})") + '\0');
      const std::string reply = ReadMessage(fd);
      out += reply.find(kErrorBusy) != std::string::npos ? 'B' : 'o';
      held.push_back(fd);
    }
    std::this_thread::sleep_for(milliseconds(500));
    return out;
  };
  Child attacker = Spawn(kAttacker, hold);
  std::this_thread::sleep_for(milliseconds(250));
  Child reader = Spawn(kReader, [&] {
    return PollStatus(s.path, 1);
  });
  CHECK(Collect(attacker) == "oooBB");
  const std::string poll = Collect(reader);
  CHECK(poll != "busy\n");
  CHECK(poll != "failed\n");
}

}  // namespace
}  // namespace retention
