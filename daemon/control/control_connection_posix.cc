// ControlServer's connections (control_server.h): read, frame, dispatch,
// write, expire. Admission is in control_server_posix.cc.
#include "control/control_connection_posix.h"

#include <spdlog/spdlog.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>

#include "control/control_protocol.h"
#include "control/control_server.h"

namespace retention {
namespace {

constexpr size_t kReadChunk = 64 * 1024;

}  // namespace

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
