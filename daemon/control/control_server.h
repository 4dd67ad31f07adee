// ControlServer: the Varlink control socket's connections, driven by the
// daemon's epoll loop. Non-blocking throughout: it reads what a client sent,
// cuts it into messages (MessageFramer, 1 MiB limit), answers malformed ones
// itself with InvalidMessage, and hands each well-formed call, with the
// caller the kernel vouches for (SO_PEERCRED, SO_PEERGROUPS), to its
// ControlHandler. A handler replies at once or later from any thread; the
// reply is queued and written as the socket accepts it.
//
// One call at a time per connection: while a call is being handled or its
// reply is not yet written, the connection is not read, so a client that
// floods calls without reading replies holds at most one reply. A message
// over the limit is answered and the connection closed.
//
// Deadlines are for whole steps, never reset by a byte: a connection that
// sends nothing for idle_timeout after connecting or after its last reply,
// that takes longer than request_timeout from a call's first byte to its
// NUL, or that does not read a reply within idle_timeout, is closed, so a
// trickle of one byte a second holds a slot no longer than a silent client.
// Slots: at most max_per_user connections per peer uid, and the last
// reserved_for_admins() of max_connections only for root and admin_group,
// so one reader cannot lock out the others nor `retentionctl reload`. A
// connection refused is answered Busy at once and closed. A client that
// vanishes mid-reply costs a failed write (MSG_NOSIGNAL), nothing else.
//
// Threading: every method on the main thread; ReplyFn from any thread.
#pragma once

#include <sys/types.h>

#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>

#include "base/clock.h"
#include "base/status.h"
#include "control/control_access.h"
#include "control/varlink.h"

namespace retention {

// Sends one framed reply (or error). Call exactly once per handled call.
using ReplyFn = std::function<void(std::string framed)>;

class ControlHandler {
 public:
  virtual ~ControlHandler() = default;
  // Called on the main thread for every well-formed call.
  virtual void Handle(const Request& request, const Caller& caller,
                      ReplyFn reply) = 0;
};

struct ControlSocketOptions {
  std::string path;            // the socket's path
  std::optional<gid_t> group;  // socket_group: chgrp the socket and dir
  // May use the reserved slots; reaches the socket (its group when `group`
  // is unset, else through an ACL).
  std::optional<gid_t> admin_group;
  size_t max_connections = 64;
  size_t max_per_user = 16;  // connections of one peer uid (root: no cap)
  Duration idle_timeout = std::chrono::seconds(60);
  Duration request_timeout = std::chrono::seconds(10);
  size_t max_message_size = kDefaultMaxMessageSize;
};

class ControlServer {
 public:
  ControlServer(ControlHandler& handler, Clock& clock);
  ~ControlServer();  // closes every connection; removes a socket it bound
  ControlServer(const ControlServer&) = delete;
  ControlServer& operator=(const ControlServer&) = delete;

  // Uses the listening socket systemd passed for options.path (socket
  // activation) when there is one; otherwise binds options.path: creates
  // its directory (0750) if missing, replaces a stale socket nobody answers
  // on, refuses to replace anything else (kBusy when another daemon
  // answers, kUnsafe for a non-socket or a symlink), and makes the socket
  // 0660 with options.group (else admin_group). An admin_group other than
  // options.group gets read-write on the socket and search on a directory
  // it created through a POSIX ACL; where the filesystem refuses ACLs, that
  // is logged as a warning and admins need options.group too.
  Status Listen(const ControlSocketOptions& options);

  // Adds the server's descriptors to `epoll_fd`; later connections are
  // added and removed as they come and go. Call once, after Listen().
  Status AttachTo(int epoll_fd);

  // Handles an epoll event; false when `fd` is not the server's.
  bool OnEvent(int fd, uint32_t events);

  // Closes connections past their deadline (see above). Returns
  // milliseconds until the next one could expire (-1: no connection).
  int ExpireIdle();

  // Slots of max_connections kept for root and admin_group: a quarter of
  // it, at most 4.
  size_t reserved_for_admins() const;

  size_t connections() const { return connections_.size(); }
  const std::string& path() const { return options_.path; }
  bool socket_activated() const { return activated_; }

 private:
  struct Connection;
  struct Outbox;

  void Accept();
  // Why a new connection from `caller` is refused, or "" when it is not.
  std::string RefusalReason(const Caller& caller) const;
  void Refuse(int fd, const std::string& reason, Duration now);
  void OnConnection(Connection& c, uint32_t events);
  void ReadFrom(Connection& c);
  void Dispatch(Connection& c);
  // Both return false when the connection was closed (then `c` is gone).
  bool Send(Connection& c, std::string framed, bool close_after);
  bool Flush(Connection& c);
  void SetListening(bool on);
  void DrainOutbox();
  void UpdateInterest(Connection& c);
  void Close(uint64_t id, const char* why);
  // When `c`, not awaiting a handler, is closed unless it progresses.
  Duration Deadline(const Connection& c) const;
  Connection* FindByFd(int fd);

  ControlHandler& handler_;
  Clock& clock_;
  ControlSocketOptions options_;
  int listen_fd_ = -1;
  int epoll_fd_ = -1;
  bool activated_ = false;
  std::optional<ino_t> bound_inode_;  // the socket we created, to unlink
  std::shared_ptr<Outbox> outbox_;
  uint64_t next_id_ = 1;
  std::map<uint64_t, std::unique_ptr<Connection>> connections_;
  std::map<int, uint64_t> by_fd_;
  std::map<uid_t, size_t> per_uid_;  // open connections by peer uid
  Duration accept_paused_until_{};   // after EMFILE: BootNow() to retry; 0 none
  Duration last_refusal_log_{};
  uint64_t refused_since_log_ = 0;
};

}  // namespace retention
