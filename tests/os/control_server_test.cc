// ControlServer on a real socket: framing, every error path a hostile or
// clumsy client can take, limits, and safe binding.
#include <sys/stat.h>

#include <catch2/catch.hpp>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>

#include "base/clock.h"
#include "control/control_protocol.h"
#include "control_loop.h"
#include "temp_dir.h"

namespace retention::control_server_test {
namespace {

using nlohmann::json;

// Echoes the call; "test.x.Slow" replies from another thread after 100 ms,
// "test.x.Big" replies with `big_size` bytes.
class EchoHandler : public ControlHandler {
 public:
  void Handle(const Request& request, const Caller& caller,
              ReplyFn reply) override {
    ++calls;
    if (request.member == "Slow") {
      std::thread([reply] {
        std::this_thread::sleep_for(std::chrono::milliseconds(100));
        reply(EncodeReply({{"slow", true}}));
      }).detach();
      return;
    }
    if (request.member == "Big") {
      reply(EncodeReply({{"data", std::string(big_size, 'x')}}));
      return;
    }
    reply(EncodeReply({{"method", request.method},
                       {"parameters", request.parameters},
                       {"uid", caller.uid},
                       {"pid", caller.pid}}));
  }
  std::atomic<int> calls{0};
  size_t big_size = 8 << 20;
};

json Parse(const std::string& framed) {
  REQUIRE(!framed.empty());
  REQUIRE(framed.back() == '\0');
  return json::parse(framed.substr(0, framed.size() - 1));
}

struct Fixture {
  TempDir tmp;
  PosixClock clock;
  EchoHandler handler;
  ControlServer server{handler, clock};
  std::string path = tmp.File("run/control.sock");

  explicit Fixture(ControlSocketOptions options = {}) {
    options.path = path;
    Status st = server.Listen(options);
    INFO(st.ToString());
    REQUIRE(st.ok());
  }
};

TEST_CASE("a call round-trips with the caller's credentials", "[control]") {
  Fixture f;
  ServerLoop loop(f.server);
  json reply = Parse(
      CallOnce(f.path, R"({"method":"test.x.Echo","parameters":{"a":1}})"));
  CHECK(reply["parameters"]["method"] == "test.x.Echo");
  CHECK(reply["parameters"]["parameters"]["a"] == 1);
  CHECK(reply["parameters"]["uid"] == getuid());
  CHECK(reply["parameters"]["pid"] == getpid());
}

TEST_CASE("the socket is 0660 in a 0750 directory", "[control]") {
  Fixture f;
  struct stat st;
  REQUIRE(stat(f.path.c_str(), &st) == 0);
  CHECK((st.st_mode & 07777) == 0660);
  REQUIRE(stat(f.tmp.File("run").c_str(), &st) == 0);
  CHECK((st.st_mode & 07777) == 0750);
}

TEST_CASE("malformed messages get InvalidMessage and the connection lives",
          "[control]") {
  Fixture f;
  ServerLoop loop(f.server);
  int fd = ConnectTo(f.path);
  REQUIRE(fd >= 0);
  for (std::string bad :
       {std::string("garbage"), std::string("[1,2]"), std::string("{}"),
        std::string(R"({"method":"nodots"})"),
        std::string(R"({"method":"a.b.C","parameters":[]})"),
        std::string("\xff\xfe{"), std::string("")}) {
    INFO(bad);
    REQUIRE(SendAll(fd, bad + std::string(1, '\0')));
    json reply = Parse(ReadMessage(fd));
    CHECK(reply["error"] == kErrorInvalidMessage);
    CHECK(reply["parameters"]["reason"].is_string());
  }
  REQUIRE(SendAll(fd, std::string(R"({"method":"test.x.Echo"})") + '\0'));
  CHECK(Parse(ReadMessage(fd))["parameters"]["method"] == "test.x.Echo");
  close(fd);
  CHECK(f.handler.calls == 1);
}

TEST_CASE("an oversized message is answered and the connection closed",
          "[control]") {
  ControlSocketOptions options;
  options.max_message_size = 4096;
  Fixture f(options);
  ServerLoop loop(f.server);
  int fd = ConnectTo(f.path);
  REQUIRE(fd >= 0);
  SendAll(fd, std::string(10000, 'x'));  // may fail once the server closes
  json reply = Parse(ReadMessage(fd));
  CHECK(reply["error"] == kErrorInvalidMessage);
  CHECK(reply["parameters"]["reason"].get<std::string>().find("4096") !=
        std::string::npos);
  CHECK(ClosedByPeer(fd));
  close(fd);
  CHECK(f.handler.calls == 0);
}

TEST_CASE("pipelined calls are answered in order, one at a time", "[control]") {
  Fixture f;
  ServerLoop loop(f.server);
  int fd = ConnectTo(f.path);
  REQUIRE(fd >= 0);
  std::string batch;
  batch += std::string(R"({"method":"test.x.Slow"})") + '\0';
  for (int i = 0; i < 200; ++i) {
    batch += R"({"method":"test.x.Echo","parameters":{"i":)" +
             std::to_string(i) + "}}" + '\0';
  }
  batch += std::string("junk") + '\0';
  REQUIRE(SendAll(fd, batch));
  auto replies = ReadMessages(fd, 202);
  REQUIRE(replies.size() == 202);
  CHECK(Parse(replies[0])["parameters"]["slow"] == true);
  for (int i = 0; i < 200; ++i) {
    CHECK(Parse(replies[i + 1])["parameters"]["parameters"]["i"] == i);
  }
  CHECK(Parse(replies[201])["error"] == kErrorInvalidMessage);
  close(fd);
}

TEST_CASE("a message split across many writes is reassembled", "[control]") {
  Fixture f;
  ServerLoop loop(f.server);
  int fd = ConnectTo(f.path);
  REQUIRE(fd >= 0);
  const std::string call = std::string(R"({"method":"test.x.Echo"})") + '\0';
  for (char c : call) {
    REQUIRE(SendAll(fd, std::string(1, c)));
    std::this_thread::sleep_for(std::chrono::microseconds(200));
  }
  CHECK(Parse(ReadMessage(fd))["parameters"]["method"] == "test.x.Echo");
  close(fd);
}

TEST_CASE("oneway calls are handled without a reply", "[control]") {
  Fixture f;
  ServerLoop loop(f.server);
  int fd = ConnectTo(f.path);
  REQUIRE(fd >= 0);
  REQUIRE(SendAll(fd, std::string(R"({"method":"test.x.Echo","oneway":true})") +
                          '\0' + R"({"method":"test.x.Last"})" + '\0'));
  CHECK(Parse(ReadMessage(fd))["parameters"]["method"] == "test.x.Last");
  CHECK(f.handler.calls == 2);
  close(fd);
}

TEST_CASE("clients that vanish mid-call or mid-reply cost nothing",
          "[control]") {
  Fixture f;
  ServerLoop loop(f.server);
  for (int i = 0; i < 20; ++i) {
    int fd = ConnectTo(f.path);
    REQUIRE(fd >= 0);
    // Half a message, a slow call, and a big reply nobody reads.
    const char* calls[] = {R"({"method":"test.x.Ec)",
                           "{\"method\":\"test.x.Slow\"}\0",
                           "{\"method\":\"test.x.Big\"}\0"};
    std::string call = calls[i % 3];
    if (i % 3 != 0) call.push_back('\0');
    SendAll(fd, call);
    if (i % 3 == 2) {
      char some[1000];
      (void)!recv(fd, some, sizeof some, 0);  // start reading, then vanish
    }
    close(fd);
  }
  std::this_thread::sleep_for(std::chrono::milliseconds(150));  // Slow ends
  CHECK(Parse(CallOnce(
            f.path, R"({"method":"test.x.Echo"})"))["parameters"]["method"] ==
        "test.x.Echo");
}

TEST_CASE("a big reply reaches a client that reads slowly", "[control]") {
  Fixture f;
  f.handler.big_size = 4 << 20;
  ServerLoop loop(f.server);
  int fd = ConnectTo(f.path);
  REQUIRE(fd >= 0);
  REQUIRE(SendAll(fd, std::string(R"({"method":"test.x.Big"})") + '\0'));
  std::this_thread::sleep_for(std::chrono::milliseconds(50));
  json reply = Parse(ReadMessage(fd));
  CHECK(reply["parameters"]["data"].get<std::string>().size() == (4u << 20));
  close(fd);
}

TEST_CASE("idle connections are closed after the timeout", "[control]") {
  ControlSocketOptions options;
  options.idle_timeout = std::chrono::milliseconds(100);
  Fixture f(options);
  ServerLoop loop(f.server);
  int idle = ConnectTo(f.path);
  REQUIRE(idle >= 0);
  CHECK(ClosedByPeer(idle));  // within SO_RCVTIMEO (5 s), or this fails
  close(idle);
}

TEST_CASE("a trickle is closed at its deadline, not kept alive by each byte",
          "[control]") {
  ControlSocketOptions options;
  options.idle_timeout = std::chrono::milliseconds(300);
  Fixture f(options);
  ServerLoop loop(f.server);
  int fd = ConnectTo(f.path);
  REQUIRE(fd >= 0);
  const auto start = std::chrono::steady_clock::now();
  const std::string call =
      R"({"method":"test.x.Echo","parameters":{"p":")" + std::string(1000, 'x');
  bool closed = false;
  for (char c : call) {
    char b;
    if (recv(fd, &b, 1, MSG_DONTWAIT) == 0 || !SendAll(fd, std::string(1, c))) {
      closed = true;
      break;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  const auto took = std::chrono::steady_clock::now() - start;
  CHECK(closed);
  CHECK(took < std::chrono::seconds(2));
  close(fd);
}

TEST_CASE("a call must be complete within the request timeout", "[control]") {
  ControlSocketOptions options;
  options.request_timeout = std::chrono::milliseconds(200);
  Fixture f(options);
  ServerLoop loop(f.server);
  int fd = ConnectTo(f.path);
  REQUIRE(fd >= 0);
  // Idle long past the request timeout is allowed (idle_timeout: 60 s)...
  std::this_thread::sleep_for(std::chrono::milliseconds(400));
  REQUIRE(SendAll(fd, std::string(R"({"method":"test.x.Echo"})") + '\0'));
  CHECK(Parse(ReadMessage(fd))["parameters"]["method"] == "test.x.Echo");
  // ...but half a call is cut once the request timeout passes.
  REQUIRE(SendAll(fd, R"({"method":"test.x.)"));
  CHECK(ClosedByPeer(fd));
  close(fd);
}

TEST_CASE("connections past the limit get Busy and are closed", "[control]") {
  ControlSocketOptions options;
  options.max_connections = 3;
  Fixture f(options);
  ServerLoop loop(f.server);
  std::vector<int> held;
  for (int i = 0; i < 3; ++i) {
    held.push_back(ConnectTo(f.path));
    REQUIRE(held.back() >= 0);
    // Make sure the server accepted it before the next one.
    REQUIRE(
        SendAll(held.back(), std::string(R"({"method":"test.x.E"})") + '\0'));
    REQUIRE(!ReadMessage(held.back()).empty());
  }
  int extra = ConnectTo(f.path);
  REQUIRE(extra >= 0);
  json reply = Parse(ReadMessage(extra));
  CHECK(reply["error"] == kErrorBusy);
  CHECK(ClosedByPeer(extra));
  close(extra);
  close(held[0]);
  std::this_thread::sleep_for(std::chrono::milliseconds(50));
  CHECK(!CallOnce(f.path, R"({"method":"test.x.Echo"})").empty());
  for (size_t i = 1; i < held.size(); ++i) close(held[i]);
}

TEST_CASE("binding replaces a stale socket but nothing else", "[control]") {
  TempDir tmp;
  PosixClock clock;
  EchoHandler handler;
  ControlSocketOptions options;
  options.path = tmp.File("control.sock");
  {
    ControlServer first(handler, clock);
    REQUIRE(first.Listen(options).ok());
    SECTION("a live server keeps its socket") {
      ControlServer second(handler, clock);
      Status st = second.Listen(options);
      CHECK(st.IsBusy());
      CHECK(st.message().find("answers on") != std::string::npos);
    }
  }
  // The first server removed its socket on destruction; leave a stale one.
  {
    int fd = socket(AF_UNIX, SOCK_STREAM, 0);
    sockaddr_un addr = {};
    addr.sun_family = AF_UNIX;
    std::strcpy(addr.sun_path, options.path.c_str());
    REQUIRE(bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) == 0);
    close(fd);  // bound, never listening: connect is refused
  }
  {
    ControlServer again(handler, clock);
    Status st = again.Listen(options);
    INFO(st.ToString());
    CHECK(st.ok());
  }
  std::ofstream(options.path) << "precious";
  ControlServer third(handler, clock);
  Status st = third.Listen(options);
  CHECK(st.code() == Status::Code::kUnsafe);
  std::ifstream in(options.path);
  std::string content;
  in >> content;
  CHECK(content == "precious");
}

TEST_CASE("a symlinked socket directory is refused", "[control]") {
  TempDir tmp;
  PosixClock clock;
  EchoHandler handler;
  std::filesystem::create_directory(tmp.File("real"));
  std::filesystem::create_directory_symlink(tmp.File("real"), tmp.File("link"));
  ControlServer server(handler, clock);
  ControlSocketOptions options;
  options.path = tmp.File("link/control.sock");
  Status st = server.Listen(options);
  CHECK(st.code() == Status::Code::kUnsafe);
  CHECK(!std::filesystem::exists(tmp.File("real/control.sock")));
}

TEST_CASE("a path too long for a socket is refused clearly", "[control]") {
  PosixClock clock;
  EchoHandler handler;
  ControlServer server(handler, clock);
  ControlSocketOptions options;
  options.path = "/tmp/" + std::string(200, 'a');
  Status st = server.Listen(options);
  CHECK(st.code() == Status::Code::kInvalidArgument);
}

}  // namespace
}  // namespace retention::control_server_test
