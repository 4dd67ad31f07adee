// Test helpers for the control socket: ServerLoop drives a ControlServer on
// its own thread the way MainLoop does (epoll, OnEvent, ExpireIdle), and
// the client functions talk to a socket path with plain blocking syscalls,
// so they also work in a forked child.
#pragma once

#include <sys/epoll.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include <atomic>
#include <cstring>
#include <string>
#include <thread>
#include <vector>

#include "control/control_server.h"

namespace retention {

class ServerLoop {
 public:
  // Starts serving `server`, which must already be listening.
  explicit ServerLoop(ControlServer& server)
      : server_(server), epoll_fd_(epoll_create1(EPOLL_CLOEXEC)) {
    if (!server_.AttachTo(epoll_fd_).ok()) std::abort();
    thread_ = std::thread([this] { Loop(); });
  }
  ~ServerLoop() {
    stop_ = true;
    thread_.join();
    close(epoll_fd_);
  }

 private:
  void Loop() {
    while (!stop_) {
      int timeout = server_.ExpireIdle();
      if (timeout < 0 || timeout > 20) timeout = 20;
      struct epoll_event events[16];
      const int n = epoll_wait(epoll_fd_, events, 16, timeout);
      for (int i = 0; i < n; ++i) {
        server_.OnEvent(events[i].data.fd, events[i].events);
      }
    }
  }

  ControlServer& server_;
  int epoll_fd_;
  std::atomic<bool> stop_{false};
  std::thread thread_;
};

// A connected client socket, or -1 with errno set.
inline int ConnectTo(const std::string& path) {
  int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
  sockaddr_un addr = {};
  addr.sun_family = AF_UNIX;
  std::strncpy(addr.sun_path, path.c_str(), sizeof addr.sun_path - 1);
  if (connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0) {
    const int err = errno;
    close(fd);
    errno = err;
    return -1;
  }
  struct timeval tv = {5, 0};  // a hung server fails the test, not CI
  setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
  return fd;
}

inline bool SendAll(int fd, const std::string& bytes) {
  size_t off = 0;
  while (off < bytes.size()) {
    ssize_t n = send(fd, bytes.data() + off, bytes.size() - off, MSG_NOSIGNAL);
    if (n <= 0) return false;
    off += static_cast<size_t>(n);
  }
  return true;
}

// Reads until `count` NUL-terminated messages arrived; returns them with
// their NULs (fewer on EOF or timeout). Use only when nothing else follows.
inline std::vector<std::string> ReadMessages(int fd, size_t count) {
  std::vector<std::string> out;
  std::string buffer;
  char chunk[65536];
  while (out.size() < count) {
    size_t nul;
    while (out.size() < count &&
           (nul = buffer.find('\0')) != std::string::npos) {
      out.push_back(buffer.substr(0, nul + 1));
      buffer.erase(0, nul + 1);
    }
    if (out.size() == count) break;
    const ssize_t n = recv(fd, chunk, sizeof chunk, 0);
    if (n <= 0) break;
    buffer.append(chunk, static_cast<size_t>(n));
  }
  return out;
}

inline std::string ReadMessage(int fd) {
  auto messages = ReadMessages(fd, 1);
  return messages.empty() ? "" : messages[0];
}

// True once the server has closed `fd` (recv returns 0).
inline bool ClosedByPeer(int fd) {
  char chunk[4096];
  ssize_t n;
  while ((n = recv(fd, chunk, sizeof chunk, 0)) > 0) {
  }
  return n == 0;
}

// One call on a fresh connection: the framed reply, or "".
inline std::string CallOnce(const std::string& path, const std::string& json) {
  int fd = ConnectTo(path);
  if (fd < 0) return "";
  std::string reply;
  if (SendAll(fd, json + std::string(1, '\0'))) reply = ReadMessage(fd);
  close(fd);
  return reply;
}

}  // namespace retention
