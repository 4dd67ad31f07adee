// The client end of the control socket: connects to retentiond's AF_UNIX
// stream socket, sends one Varlink call and reads its one reply. What the
// reply means is the caller's business (ctl_remote.cc); this file only moves
// bytes and maps the OS's errors.
//
// Threading: CallDaemon is thread-safe (each call uses its own connection);
// it blocks until the reply arrives or the connection fails, with no timeout,
// since RunPolicy replies only when its run ends.
#pragma once

#include <cstddef>
#include <nlohmann/json.hpp>
#include <string>
#include <string_view>

#include "base/status.h"
#include "control/varlink.h"

namespace retention {

// Replies can hold a whole HTML report, so the client allows far more than
// the server accepts for a call.
inline constexpr size_t kMaxReplySize = 64u << 20;  // 64 MiB

// Calls `method` with `params` on the socket at `socket_path` and returns
// the reply, which may be an error reply (Reply::error set).
// Failure:
//   kNotFound          nothing listens there: no socket file (ENOENT,
//                      ENOTDIR) or the connection was refused (ECONNREFUSED,
//                      a socket left behind by a daemon that stopped);
//                      errno_value() tells which.
//   kPermissionDenied  EACCES/EPERM on connect.
//   kInvalidArgument   the path is empty or too long for sockaddr_un; the
//                      reply is not valid Varlink.
//   kIoError           any other failure, including the daemon closing the
//                      connection before its reply was complete, or a reply
//                      larger than `max_reply`.
StatusOr<Reply> CallDaemon(const std::string& socket_path,
                           std::string_view method,
                           const nlohmann::json& params,
                           size_t max_reply = kMaxReplySize);

// True when standard output is a terminal (isatty(1)).
bool StdoutIsTerminal();

}  // namespace retention
