// ControlServer's admission: accept, the per-uid and admin slots, Busy.
// Reading, dispatching and writing are in control_connection_posix.cc;
// binding is in control_socket_posix.cc.
#include <spdlog/spdlog.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <mutex>
#include <vector>

#include "control/control_connection_posix.h"
#include "control/control_protocol.h"
#include "control/control_server.h"

namespace retention {
namespace {

constexpr auto kAcceptPause = std::chrono::seconds(1);
constexpr auto kRefusalLogInterval = std::chrono::seconds(10);

Caller PeerCaller(int fd) {
  Caller caller;
  struct ucred cred = {};
  socklen_t len = sizeof cred;
  if (getsockopt(fd, SOL_SOCKET, SO_PEERCRED, &cred, &len) == 0) {
    caller.uid = cred.uid;
    caller.gid = cred.gid;
    caller.pid = cred.pid;
  } else {
    // Unknown peer: the least privileged identity there is.
    caller.uid = caller.gid = static_cast<uid_t>(-1);
  }
  std::vector<gid_t> groups(64);
  for (;;) {
    socklen_t size = static_cast<socklen_t>(groups.size() * sizeof(gid_t));
    if (getsockopt(fd, SOL_SOCKET, SO_PEERGROUPS, groups.data(), &size) == 0) {
      groups.resize(size / sizeof(gid_t));
      caller.groups = std::move(groups);
      break;
    }
    if (errno != ERANGE || groups.size() >= 65536) break;
    groups.resize(std::max<size_t>(size / sizeof(gid_t), groups.size() * 2));
  }
  return caller;
}

}  // namespace

ControlServer::ControlServer(ControlHandler& handler, Clock& clock)
    : handler_(handler), clock_(clock), outbox_(std::make_shared<Outbox>()) {
  outbox_->event_fd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
}

ControlServer::~ControlServer() {
  for (auto& [id, c] : connections_) close(c->fd);
  {
    std::lock_guard<std::mutex> lock(outbox_->mu);
    if (outbox_->event_fd >= 0) close(outbox_->event_fd);
    outbox_->event_fd = -1;
  }
  if (listen_fd_ >= 0) close(listen_fd_);
  // Remove the socket only if it is still the one we bound (a newer daemon
  // may have replaced it).
  struct stat st;
  if (bound_inode_ && lstat(options_.path.c_str(), &st) == 0 &&
      st.st_ino == *bound_inode_ && S_ISSOCK(st.st_mode)) {
    unlink(options_.path.c_str());
  }
}

Status ControlServer::AttachTo(int epoll_fd) {
  epoll_fd_ = epoll_fd;
  for (int fd : {listen_fd_, outbox_->event_fd}) {
    if (fd < 0) return Status::FailedPrecondition("control server not set up");
    struct epoll_event ev = {};
    ev.events = EPOLLIN;
    ev.data.fd = fd;
    if (epoll_ctl(epoll_fd_, EPOLL_CTL_ADD, fd, &ev) != 0) {
      return Status::FromErrno(errno, "epoll_ctl");
    }
  }
  return Status::Ok();
}

bool ControlServer::OnEvent(int fd, uint32_t events) {
  if (fd == listen_fd_) {
    Accept();
    return true;
  }
  if (fd == outbox_->event_fd) {
    uint64_t count;
    (void)!read(fd, &count, sizeof count);
    DrainOutbox();
    return true;
  }
  Connection* c = FindByFd(fd);
  if (c == nullptr) return false;
  OnConnection(*c, events);
  return true;
}

ControlServer::Connection* ControlServer::FindByFd(int fd) {
  auto it = by_fd_.find(fd);
  if (it == by_fd_.end()) return nullptr;
  auto c = connections_.find(it->second);
  return c == connections_.end() ? nullptr : c->second.get();
}

void ControlServer::SetListening(bool on) {
  struct epoll_event ev = {};
  ev.events = on ? static_cast<uint32_t>(EPOLLIN) : 0u;
  ev.data.fd = listen_fd_;
  epoll_ctl(epoll_fd_, EPOLL_CTL_MOD, listen_fd_, &ev);
}

size_t ControlServer::reserved_for_admins() const {
  return std::min<size_t>(4, options_.max_connections / 4);
}

std::string ControlServer::RefusalReason(const Caller& caller) const {
  const size_t total = connections_.size();
  if (total >= options_.max_connections) {
    return "too many control connections (" +
           std::to_string(options_.max_connections) + ")";
  }
  const bool admin =
      caller.uid == 0 ||
      (options_.admin_group && InGroup(caller, *options_.admin_group));
  if (admin) return "";
  if (total >= options_.max_connections - reserved_for_admins()) {
    return "too many control connections (the last " +
           std::to_string(reserved_for_admins()) +
           " are kept for root and admin_group)";
  }
  auto it = per_uid_.find(caller.uid);
  if (it != per_uid_.end() && it->second >= options_.max_per_user) {
    return "too many control connections from uid " +
           std::to_string(caller.uid) + " (" +
           std::to_string(options_.max_per_user) + ")";
  }
  return "";
}

// Answers Busy without waiting: the socket is new, its buffer empty, so a
// non-blocking send of a few dozen bytes completes or the client is gone.
void ControlServer::Refuse(int fd, const std::string& reason, Duration now) {
  const std::string busy = EncodeError(kErrorBusy, {{"reason", reason}});
  (void)!send(fd, busy.data(), busy.size(), MSG_NOSIGNAL | MSG_DONTWAIT);
  close(fd);
  ++refused_since_log_;
  if (now - last_refusal_log_ >= kRefusalLogInterval) {
    spdlog::warn("control socket: refused {} connection(s), the last: {}",
                 refused_since_log_, reason);
    refused_since_log_ = 0;
    last_refusal_log_ = now;
  }
}

void ControlServer::Accept() {
  const Duration now = clock_.BootNow();
  for (;;) {
    int fd =
        accept4(listen_fd_, nullptr, nullptr, SOCK_NONBLOCK | SOCK_CLOEXEC);
    if (fd < 0) {
      if (errno == EINTR || errno == ECONNABORTED) continue;
      if (errno == EMFILE || errno == ENFILE || errno == ENOBUFS ||
          errno == ENOMEM) {
        // Out of descriptors: the listening socket stays readable; wait a
        // little instead of spinning on it.
        spdlog::warn("control socket: cannot accept: {}; pausing 1s",
                     std::strerror(errno));
        accept_paused_until_ = now + kAcceptPause;
        SetListening(false);
      }
      return;
    }
    Caller caller = PeerCaller(fd);
    if (std::string why = RefusalReason(caller); !why.empty()) {
      Refuse(fd, why, now);
      continue;
    }
    auto c = std::make_unique<Connection>(options_.max_message_size);
    c->id = next_id_++;
    c->fd = fd;
    c->caller = std::move(caller);
    c->idle_since = now;
    struct epoll_event ev = {};
    ev.events = EPOLLIN | EPOLLRDHUP;
    ev.data.fd = fd;
    if (epoll_ctl(epoll_fd_, EPOLL_CTL_ADD, fd, &ev) != 0) {
      spdlog::error("control socket: epoll_ctl: {}", std::strerror(errno));
      close(fd);
      continue;
    }
    c->interest = ev.events;
    spdlog::debug("control: connection from {}", DescribeCaller(c->caller));
    ++per_uid_[c->caller.uid];
    by_fd_[fd] = c->id;
    connections_[c->id] = std::move(c);
  }
}

}  // namespace retention
