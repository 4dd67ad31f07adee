// ControlServer's connections: accept, read, frame, dispatch, write, expire.
// Binding is in control_socket_posix.cc.
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

#include "control_protocol.h"
#include "control_server.h"

namespace retention {
namespace {

constexpr size_t kReadChunk = 64 * 1024;
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

// Replies from handlers, possibly from other threads, waiting for the main
// thread. Outlives the server while a handler still holds a ReplyFn.
struct ControlServer::Outbox {
  std::mutex mu;
  int event_fd = -1;  // -1 once the server is gone: replies are dropped
  std::vector<std::pair<uint64_t, std::string>> replies;

  void Post(uint64_t id, std::string framed) {
    std::lock_guard<std::mutex> lock(mu);
    if (event_fd < 0) return;
    replies.emplace_back(id, std::move(framed));
    const uint64_t one = 1;
    (void)!write(event_fd, &one, sizeof one);
  }

  // Removes and returns the first reply for connection `id`, if any.
  std::optional<std::string> Take(uint64_t id) {
    std::lock_guard<std::mutex> lock(mu);
    for (auto it = replies.begin(); it != replies.end(); ++it) {
      if (it->first != id) continue;
      std::string framed = std::move(it->second);
      replies.erase(it);
      return framed;
    }
    return std::nullopt;
  }
};

struct ControlServer::Connection {
  uint64_t id = 0;
  int fd = -1;
  Caller caller;
  MessageFramer framer;
  std::string out;  // framed replies not yet written
  size_t out_pos = 0;
  bool awaiting = false;     // a call is with the handler
  bool close_after = false;  // close once `out` is written
  bool eof = false;          // the client shut down its side
  // Starts of the current steps (BootNow), never moved by a single byte.
  Duration idle_since{};     // connected, or its last reply written
  Duration request_since{};  // the first byte of the call being read
  Duration reply_since{};    // the reply being written was queued
  uint32_t interest = 0;

  explicit Connection(size_t max) : framer(max) {}
};

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
  const bool admin = caller.uid == 0 || (options_.admin_group &&
                                         InGroup(caller, *options_.admin_group));
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

void ControlServer::OnConnection(Connection& c, uint32_t events) {
  if (events & EPOLLERR) {
    Close(c.id, "socket error");
    return;
  }
  if (events & EPOLLOUT) {
    if (!Flush(c)) return;
    if (c.out_pos >= c.out.size() && !c.awaiting) Dispatch(c);
    return;
  }
  if (c.awaiting) {
    // Not reading while the daemon works on a call. EPOLLHUP (the client
    // closed) cannot be masked: the reply has nobody to go to.
    if (events & EPOLLHUP) Close(c.id, "client hung up");
    return;
  }
  if (events & (EPOLLIN | EPOLLHUP | EPOLLRDHUP)) ReadFrom(c);
}

void ControlServer::ReadFrom(Connection& c) {
  char buffer[kReadChunk];
  for (;;) {
    const ssize_t n = recv(c.fd, buffer, sizeof buffer, 0);
    if (n > 0) {
      if (c.framer.buffered() == 0) c.request_since = clock_.BootNow();
      c.framer.Append(std::string_view(buffer, static_cast<size_t>(n)));
      if (c.framer.failed()) break;
      // Enough to work on: handle it before reading more.
      if (c.framer.buffered() >= options_.max_message_size) break;
      continue;
    }
    if (n == 0) {
      c.eof = true;
      break;
    }
    if (errno == EINTR) continue;
    if (errno == EAGAIN || errno == EWOULDBLOCK) break;
    Close(c.id, "read error");
    return;
  }
  Dispatch(c);
}

// Iterative by design: a client that pipelines thousands of calls must not
// turn into thousands of stack frames.
void ControlServer::Dispatch(Connection& c) {
  const uint64_t id = c.id;
  while (!c.awaiting && c.out_pos >= c.out.size()) {
    std::optional<std::string> message = c.framer.Next();
    if (!message) break;
    // A complete call is progress: what follows it starts its own clock.
    c.idle_since = c.request_since = clock_.BootNow();
    auto request = ParseRequest(*message);
    if (!request.ok()) {
      if (!Send(c,
                EncodeError(kErrorInvalidMessage,
                            {{"reason", request.status().message()}}),
                false)) {
        return;
      }
      continue;
    }
    if (request->oneway) {
      handler_.Handle(*request, c.caller, [](std::string) {});
      continue;
    }
    c.awaiting = true;
    handler_.Handle(*request, c.caller,
                    [outbox = outbox_, id](std::string framed) {
                      outbox->Post(id, std::move(framed));
                    });
    // A reply given inline is sent now, not on the next loop turn.
    if (std::optional<std::string> reply = outbox_->Take(id)) {
      c.awaiting = false;
      if (!Send(c, std::move(*reply), false)) return;
    }
  }
  if (c.awaiting || c.out_pos < c.out.size()) {
    UpdateInterest(c);
    return;
  }
  if (c.framer.failed()) {
    Send(c,
         EncodeError(kErrorInvalidMessage,
                     {{"reason", "message larger than " +
                                     std::to_string(options_.max_message_size) +
                                     " bytes"}}),
         true);
    return;
  }
  if (c.eof) {
    Close(id, "client closed");
    return;
  }
  UpdateInterest(c);
}

void ControlServer::DrainOutbox() {
  std::vector<std::pair<uint64_t, std::string>> replies;
  {
    std::lock_guard<std::mutex> lock(outbox_->mu);
    replies.swap(outbox_->replies);
  }
  for (auto& [id, framed] : replies) {
    auto it = connections_.find(id);
    if (it == connections_.end()) continue;  // the client left meanwhile
    Connection& c = *it->second;
    c.awaiting = false;
    if (!Send(c, std::move(framed), false)) continue;
    if (c.out_pos >= c.out.size()) Dispatch(c);  // calls already sent
  }
}

bool ControlServer::Send(Connection& c, std::string framed, bool close_after) {
  if (c.out_pos >= c.out.size()) {
    c.out = std::move(framed);
    c.out_pos = 0;
    c.reply_since = clock_.BootNow();
  } else {
    c.out += framed;
  }
  c.close_after = c.close_after || close_after;
  return Flush(c);
}

bool ControlServer::Flush(Connection& c) {
  while (c.out_pos < c.out.size()) {
    const ssize_t n = send(c.fd, c.out.data() + c.out_pos,
                           c.out.size() - c.out_pos, MSG_NOSIGNAL);
    if (n > 0) {
      c.out_pos += static_cast<size_t>(n);
      continue;
    }
    if (n < 0 && errno == EINTR) continue;
    if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) {
      UpdateInterest(c);
      return true;
    }
    Close(c.id, "client went away mid-reply");
    return false;
  }
  c.out.clear();
  c.out_pos = 0;
  c.idle_since = clock_.BootNow();
  if (c.close_after) {
    Close(c.id, "closed after an oversized message");
    return false;
  }
  UpdateInterest(c);
  return true;
}

void ControlServer::UpdateInterest(Connection& c) {
  // Level-triggered: ask only for what can be acted on now, or a
  // half-closed client would wake the loop without end.
  uint32_t want = 0;
  if (c.out_pos < c.out.size()) {
    want = EPOLLOUT;
  } else if (!c.awaiting && !c.eof) {
    want = EPOLLIN | EPOLLRDHUP;
  }
  if (want == c.interest) return;
  struct epoll_event ev = {};
  ev.events = want;
  ev.data.fd = c.fd;
  if (epoll_ctl(epoll_fd_, EPOLL_CTL_MOD, c.fd, &ev) == 0) c.interest = want;
}

void ControlServer::Close(uint64_t id, const char* why) {
  auto it = connections_.find(id);
  if (it == connections_.end()) return;
  Connection& c = *it->second;
  spdlog::debug("control: closing connection of {}: {}",
                DescribeCaller(c.caller), why);
  epoll_ctl(epoll_fd_, EPOLL_CTL_DEL, c.fd, nullptr);
  close(c.fd);
  auto uid = per_uid_.find(c.caller.uid);
  if (uid != per_uid_.end() && --uid->second == 0) per_uid_.erase(uid);
  by_fd_.erase(c.fd);
  connections_.erase(it);
}

Duration ControlServer::Deadline(const Connection& c) const {
  if (c.out_pos < c.out.size()) return c.reply_since + options_.idle_timeout;
  const Duration idle = c.idle_since + options_.idle_timeout;
  if (c.framer.buffered() == 0) return idle;
  return std::min(idle, c.request_since + options_.request_timeout);
}

int ControlServer::ExpireIdle() {
  const Duration now = clock_.BootNow();
  std::vector<uint64_t> expired;
  Duration next = Duration::max();
  for (auto& [id, c] : connections_) {
    if (c->awaiting) continue;  // the daemon is working for it
    const Duration deadline = Deadline(*c);
    if (deadline <= now) {
      expired.push_back(id);
    } else {
      next = std::min(next, deadline - now);
    }
  }
  for (uint64_t id : expired) Close(id, "deadline passed");
  if (accept_paused_until_ != Duration::zero()) {
    if (accept_paused_until_ <= now) {
      accept_paused_until_ = Duration::zero();
      SetListening(true);
    } else {
      next = std::min(next, accept_paused_until_ - now);
    }
  }
  if (next == Duration::max()) return -1;
  return static_cast<int>(
      std::chrono::duration_cast<std::chrono::milliseconds>(next).count() + 1);
}

}  // namespace retention
