// The control socket client: the only code in retentionctl that calls the
// OS for sockets. One connection per call; see ctl_client.h.
#include <errno.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include "ctl/ctl_client.h"

namespace retention {
namespace {

// Closes the descriptor when the call ends, whichever way.
class SocketFd {
 public:
  explicit SocketFd(int fd) : fd_(fd) {}
  ~SocketFd() {
    if (fd_ >= 0) close(fd_);  // nothing was written that close could lose
  }
  SocketFd(const SocketFd&) = delete;
  SocketFd& operator=(const SocketFd&) = delete;
  int get() const { return fd_; }

 private:
  int fd_;
};

Status Connect(int fd, const std::string& path) {
  sockaddr_un addr{};
  addr.sun_family = AF_UNIX;
  if (path.empty() || path.size() >= sizeof(addr.sun_path)) {
    return Status::InvalidArgument("socket path '" + path + "' is " +
                                   (path.empty() ? "empty" : "too long"));
  }
  path.copy(addr.sun_path, path.size());
  for (;;) {
    if (connect(fd, reinterpret_cast<const sockaddr*>(&addr), sizeof(addr)) ==
        0) {
      return Status::Ok();
    }
    if (errno != EINTR) return Status::FromErrno(errno, "connect " + path);
  }
}

Status SendAll(int fd, std::string_view bytes) {
  while (!bytes.empty()) {
    ssize_t n = send(fd, bytes.data(), bytes.size(), MSG_NOSIGNAL);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) return Status::FromErrno(errno, "send to retentiond");
    bytes.remove_prefix(static_cast<size_t>(n));
  }
  return Status::Ok();
}

StatusOr<std::string> ReceiveMessage(int fd, size_t max_reply) {
  MessageFramer framer(max_reply);
  char buffer[64 * 1024];
  for (;;) {
    if (auto message = framer.Next()) return *message;
    if (framer.failed()) {
      return Status::IoError("retentiond's reply is larger than " +
                             std::to_string(max_reply) + " bytes");
    }
    ssize_t n = recv(fd, buffer, sizeof(buffer), 0);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) return Status::FromErrno(errno, "receive from retentiond");
    if (n == 0) {
      return Status::IoError(
          framer.buffered() == 0
              ? "retentiond closed the connection without replying"
              : "retentiond closed the connection in the middle of its reply");
    }
    framer.Append(std::string_view(buffer, static_cast<size_t>(n)));
  }
}

}  // namespace

bool StdoutIsTerminal() { return isatty(STDOUT_FILENO) == 1; }

StatusOr<Reply> CallDaemon(const std::string& socket_path,
                           std::string_view method,
                           const nlohmann::json& params, size_t max_reply) {
  SocketFd fd(socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0));
  if (fd.get() < 0) return Status::FromErrno(errno, "socket");
  RETENTION_RETURN_IF_ERROR(Connect(fd.get(), socket_path));
  RETENTION_RETURN_IF_ERROR(SendAll(fd.get(), EncodeCall(method, params)));
  StatusOr<std::string> message = ReceiveMessage(fd.get(), max_reply);
  if (!message.ok()) return message.status();
  StatusOr<Reply> reply = ParseReply(*message);
  if (!reply.ok()) {
    return Status::InvalidArgument("retentiond's reply: " +
                                   reply.status().message());
  }
  return reply;
}

}  // namespace retention
