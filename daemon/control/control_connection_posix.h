// What ControlServer keeps per connection, and the outbox replies wait in
// for the main thread. For ControlServer's *_posix.cc files only.
#pragma once

#include <unistd.h>

#include <cstdint>
#include <mutex>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "control/control_server.h"

namespace retention {

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

}  // namespace retention
