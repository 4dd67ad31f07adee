// hostile_client: the clients of the control-socket tests in
// tests/os/control_hostile_test.cc, as a program of their own. The test
// forks and, in the child, only execs this (async-signal-safe work after a
// fork from a threaded process; under AddressSanitizer, running C++ in such
// a child could block on an allocator lock held at fork time). It drops to
// the given uid and groups first, then does one thing and prints its result
// on stdout:
//
//   hostile_client UID GID[,GID...] attack PATH MS   "closed=N"
//   hostile_client UID GID[,GID...] poll PATH N      one line per call
//   hostile_client UID GID[,GID...] hold PATH N MS   "oooB" then holds them
//   hostile_client UID GID[,GID...] call PATH METHOD the reply, or "refused"
//
// The first GID is the primary group, the others the supplementary ones.
#include <grp.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <thread>
#include <vector>

#include "control/control_protocol.h"
#include "os/control_loop.h"

namespace retention {
namespace {

using Clock = std::chrono::steady_clock;
using std::chrono::milliseconds;

bool DropTo(uid_t uid, const std::string& gid_list) {
  std::vector<gid_t> gids;
  size_t pos = 0;
  while (pos <= gid_list.size()) {
    const size_t comma = std::min(gid_list.find(',', pos), gid_list.size());
    gids.push_back(
        static_cast<gid_t>(std::stoul(gid_list.substr(pos, comma - pos))));
    pos = comma + 1;
  }
  return setgroups(gids.size() - 1, gids.data() + 1) == 0 &&
         setresgid(gids[0], gids[0], gids[0]) == 0 &&
         setresuid(uid, uid, uid) == 0;
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

// Opens `count` connections, one call on each, and keeps them: 'o' for a
// reply, 'B' for Busy. The line is printed before the hold, so the test
// knows the slots are taken.
void Hold(const std::string& path, int count, milliseconds hold) {
  std::vector<int> held;
  std::string out;
  for (int i = 0; i < count; ++i) {
    int fd = ConnectTo(path);
    SendAll(fd, std::string(R"({"method":"x.y.Status"})") + '\0');
    const std::string reply = ReadMessage(fd);
    out += reply.find(kErrorBusy) != std::string::npos ? 'B' : 'o';
    held.push_back(fd);
  }
  std::printf("%s\n", out.c_str());
  std::fflush(stdout);
  std::this_thread::sleep_for(hold);
}

int Main(int argc, char** argv) {
  if (argc < 5) {
    std::fprintf(stderr, "usage: %s UID GID[,GID...] MODE PATH [ARG...]\n",
                 argv[0]);
    return 64;
  }
  if (!DropTo(static_cast<uid_t>(std::stoul(argv[1])), argv[2])) {
    std::perror("dropping privileges");
    return 2;
  }
  const std::string mode = argv[3];
  const std::string path = argv[4];
  const std::string arg = argc > 5 ? argv[5] : "";
  if (mode == "attack") {
    std::printf("%s", Attack(path, milliseconds(std::stol(arg))).c_str());
  } else if (mode == "poll") {
    std::printf("%s", PollStatus(path, std::stoi(arg)).c_str());
  } else if (mode == "hold" && argc > 6) {
    Hold(path, std::stoi(arg), milliseconds(std::stol(argv[6])));
  } else if (mode == "call") {
    const int fd = ConnectTo(path);
    if (fd < 0) {
      std::printf("refused: %s", std::strerror(errno));
      return 0;
    }
    SendAll(fd, R"({"method":")" + arg + R"("})" + std::string(1, '\0'));
    std::printf("%s", ReadMessage(fd).c_str());
  } else {
    std::fprintf(stderr, "unknown mode %s\n", mode.c_str());
    return 64;
  }
  return 0;
}

}  // namespace
}  // namespace retention

int main(int argc, char** argv) { return retention::Main(argc, argv); }
