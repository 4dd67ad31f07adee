// retentionctl against a fake retentiond: a thread listening on an AF_UNIX
// socket in a temp dir answers one call with canned bytes, so the client's
// framing, parsing and exit codes are checked on a real socket: not
// running, permission denied, error replies, a daemon closing mid-reply, a
// reply arriving in many small writes, and the fallback to the state
// directory.
#include "ctl/ctl_client.h"

#include <errno.h>
#include <poll.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <unistd.h>

#include <catch2/catch.hpp>
#include <fstream>
#include <memory>
#include <sstream>
#include <string>
#include <thread>

#include "base/clock.h"
#include "base/exit_codes.h"
#include "control/control_protocol.h"
#include "ctl/ctl_commands.h"
#include "status_printers.h"
#include "temp_dir.h"

namespace retention::ctl_client_test {
namespace {

using nlohmann::json;

// A socket bound at `path`, listening when `listen_too`; -1 on failure.
int BoundSocket(const std::string& path, bool listen_too) {
  int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
  sockaddr_un addr{};
  addr.sun_family = AF_UNIX;
  path.copy(addr.sun_path, sizeof(addr.sun_path) - 1);
  if (fd < 0 || bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof(addr)) ||
      (listen_too && listen(fd, 4))) {
    if (fd >= 0) close(fd);
    return -1;
  }
  return fd;
}

// Serves one connection: reads the call up to its NUL, then writes `reply`
// in writes of `chunk` bytes and closes. The call is kept for checks.
class FakeDaemon {
 public:
  FakeDaemon(std::string path, std::string reply, size_t chunk = 1 << 20)
      : path_(std::move(path)), reply_(std::move(reply)), chunk_(chunk) {
    listen_fd_ = BoundSocket(path_, true);
    REQUIRE(listen_fd_ >= 0);
    thread_ = std::thread([this] { Serve(); });
  }
  ~FakeDaemon() {
    if (thread_.joinable()) thread_.join();
    close(listen_fd_);
  }
  // The call as received, once the connection is over.
  json Call() {
    if (thread_.joinable()) thread_.join();
    return json::parse(call_);
  }

 private:
  void Serve() {
    pollfd p{listen_fd_, POLLIN, 0};
    if (poll(&p, 1, 2000) != 1) return;  // the client never came
    int fd = accept4(listen_fd_, nullptr, nullptr, SOCK_CLOEXEC);
    if (fd < 0) return;
    char c;
    while (recv(fd, &c, 1, 0) == 1 && c != '\0') call_ += c;
    for (size_t at = 0; at < reply_.size(); at += chunk_) {
      std::string_view piece = std::string_view(reply_).substr(at, chunk_);
      if (send(fd, piece.data(), piece.size(), MSG_NOSIGNAL) < 0) break;
    }
    close(fd);
  }

  std::string path_, reply_;
  size_t chunk_;
  int listen_fd_ = -1;
  std::string call_;
  std::thread thread_;
};

// One retentionctl command run against `socket`, its output captured.
struct Ctl {
  explicit Ctl(std::string socket) {
    ctx.socket_path = std::move(socket);
    ctx.config_problem = "no configuration\n";
  }
  int Run(const std::string& name, std::vector<std::string> args = {}) {
    ctx.args = std::move(args);
    const CtlCommand* command = FindCtlCommand(name);
    REQUIRE(command != nullptr);
    return RunCtlCommand(*command, ctx);
  }
  PosixClock clock;
  std::unique_ptr<Filesystem> fs = NewPosixFilesystem();
  std::ostringstream out, err;
  CtlContext ctx{.fs = *fs, .clock = clock, .out = out, .err = err};
};

std::string Framed(const json& message) { return message.dump() + '\0'; }

std::string ErrorReply(std::string_view name, const json& params) {
  return Framed({{"error", name}, {"parameters", params}});
}

json RunJson(const std::string& outcome, bool dry_run) {
  return {{"policy", "files.backups"},
          {"dry_run", dry_run},
          {"outcome", outcome},
          {"error", ""},
          {"scope", 3},
          {"warnings", json::array()},
          {"done", 0},
          {"failed", 0},
          {"bytes", 0},
          {"errors", json::array()},
          {"planned",
           {{{"action", "delete"},
             {"target", "/b/old.tar"},
             {"bytes", 10},
             {"count", 1},
             {"reason", "past max_age 90d"}}}}};
}

TEST_CASE("with no socket file the daemon is not running: exit 3") {
  TempDir dir;
  StatusOr<Reply> reply = CallDaemon(dir.File("c.sock"), kMethodStatus, {});
  REQUIRE_FALSE(reply.ok());
  CHECK(reply.status().code() == Status::Code::kNotFound);
  CHECK(reply.status().errno_value() == ENOENT);
  Ctl ctl(dir.File("c.sock"));
  CHECK(ctl.Run("status") == kExitNotRunning);
  CHECK(ctl.err.str() ==
        "retentionctl: retentiond is not running (no socket "
        "at " +
            dir.File("c.sock") + ")\n");
  CHECK(ctl.Run("policies") == kExitNotRunning);
  CHECK(ctl.Run("reload") == kExitNotRunning);
  CHECK(ctl.Run("run", {"backups"}) == kExitNotRunning);
}

TEST_CASE("a socket nobody listens on refuses: not running, exit 3") {
  TempDir dir;
  int fd = BoundSocket(dir.File("c.sock"), false);
  REQUIRE(fd >= 0);
  StatusOr<Reply> reply = CallDaemon(dir.File("c.sock"), kMethodStatus, {});
  close(fd);
  REQUIRE_FALSE(reply.ok());
  CHECK(reply.status().code() == Status::Code::kNotFound);
  CHECK(reply.status().errno_value() == ECONNREFUSED);
  Ctl ctl(dir.File("c.sock"));
  CHECK(ctl.Run("status") == kExitNotRunning);
}

// Connects as an unprivileged user to a socket in a directory only its
// owner may enter; returns the exit code retentionctl status gives.
int StatusAsNobody(const std::string& socket) {
  pid_t pid = fork();
  if (pid == 0) {
    if (getuid() == 0 && (setgid(65534) != 0 || setuid(65534) != 0)) _exit(99);
    Ctl ctl(socket);
    _exit(ctl.Run("status"));
  }
  int status = 0;
  waitpid(pid, &status, 0);
  return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

TEST_CASE("a socket the user may not reach is permission denied: exit 77") {
  TempDir dir;
  const std::string private_dir = dir.File("private");
  REQUIRE(mkdir(private_dir.c_str(), 0700) == 0);
  int fd = BoundSocket(private_dir + "/c.sock", true);
  REQUIRE(fd >= 0);
  if (getuid() != 0) REQUIRE(chmod(private_dir.c_str(), 0) == 0);
  CHECK(StatusAsNobody(private_dir + "/c.sock") == kExitNoPermission);
  close(fd);
  chmod(private_dir.c_str(), 0700);  // so TempDir can remove it
}

TEST_CASE("a PermissionDenied reply exits 77 and says who may call") {
  TempDir dir;
  FakeDaemon daemon(dir.File("c.sock"),
                    ErrorReply(kErrorPermissionDenied,
                               {{"method", std::string(kMethodReload)}}));
  Ctl ctl(dir.File("c.sock"));
  CHECK(ctl.Run("reload") == kExitNoPermission);
  CHECK(ctl.err.str() ==
        "retentionctl: permission denied: Reload needs root or a member of "
        "the admin group\n");
  CHECK(daemon.Call()["method"] == kMethodReload);
}

TEST_CASE("an error reply exits 1 and is said in words") {
  TempDir dir;
  FakeDaemon daemon(dir.File("c.sock"),
                    ErrorReply(kErrorNoSuchPolicy, {{"name", "x"}}));
  Ctl ctl(dir.File("c.sock"));
  CHECK(ctl.Run("run", {"x"}) == kExitFailure);
  CHECK(ctl.err.str() == "retentionctl: no policy named 'x'\n");
  CHECK(ctl.out.str().empty());
  json call = daemon.Call();
  CHECK(call["method"] == kMethodRunPolicy);
  CHECK(call["parameters"] == json{{"name", "x"}, {"dry_run", false}});
}

TEST_CASE("a refused reload exits 1 and prints every configuration error") {
  TempDir dir;
  FakeDaemon daemon(
      dir.File("c.sock"),
      ErrorReply(kErrorConfigInvalid,
                 {{"errors", {"r.conf:3: [files.a] max_age: bad duration"}}}));
  Ctl ctl(dir.File("c.sock"));
  CHECK(ctl.Run("reload") == kExitFailure);
  CHECK(ctl.err.str().rfind("r.conf:3: [files.a] max_age: bad duration\n", 0) ==
        0);
}

TEST_CASE("a daemon closing the connection mid-reply is a clear failure") {
  TempDir dir;
  std::string reply = Framed({{"parameters", {{"policies", 3}}}});
  FakeDaemon daemon(dir.File("c.sock"), reply.substr(0, reply.size() / 2));
  StatusOr<Reply> got = CallDaemon(dir.File("c.sock"), kMethodReload, {});
  REQUIRE_FALSE(got.ok());
  CHECK(got.status().code() == Status::Code::kIoError);
  CHECK(got.status().message() ==
        "retentiond closed the connection in the middle of its reply");
}

TEST_CASE("a daemon closing without a reply fails reload with exit 1") {
  TempDir dir;
  FakeDaemon daemon(dir.File("c.sock"), "");
  Ctl ctl(dir.File("c.sock"));
  CHECK(ctl.Run("reload") == kExitFailure);
  CHECK(ctl.err.str() ==
        "retentionctl: retentiond closed the connection without replying\n");
}

TEST_CASE("a reply that is not JSON fails with exit 1") {
  TempDir dir;
  FakeDaemon daemon(dir.File("c.sock"), std::string("hello\0", 6));
  Ctl ctl(dir.File("c.sock"));
  CHECK(ctl.Run("status") == kExitFailure);
  CHECK(ctl.err.str().find("retentiond's reply: invalid JSON") !=
        std::string::npos);
}

TEST_CASE("a large reply split across many small writes arrives whole") {
  TempDir dir;
  const std::string report(200000, 'r');
  FakeDaemon daemon(
      dir.File("c.sock"),
      Framed({{"parameters", {{"format", "text"}, {"report", report}}}}), 7);
  Ctl ctl(dir.File("c.sock"));
  ctl.ctx.since = "7d";
  CHECK(ctl.Run("report") == kExitOk);
  CHECK(ctl.out.str() == report);
  CHECK(daemon.Call()["parameters"] ==
        json{{"since", "7d"}, {"format", "text"}});
}

TEST_CASE("report -o writes the daemon's report to the file") {
  TempDir dir;
  FakeDaemon daemon(
      dir.File("c.sock"),
      Framed({{"parameters", {{"format", "html"}, {"report", "<html>"}}}}));
  Ctl ctl(dir.File("c.sock"));
  ctl.ctx.format = "html";
  ctl.ctx.output = dir.File("r.html");
  CHECK(ctl.Run("report") == kExitOk);
  std::ifstream in(dir.File("r.html"));
  std::string text((std::istreambuf_iterator<char>(in)), {});
  CHECK(text == "<html>");
}

TEST_CASE("status prints the header and the policy table") {
  TempDir dir;
  json status = {{"version", "0.1.0"},
                 {"pid", 42},
                 {"started", "2026-01-01T00:00:00Z"},
                 {"config", "/etc/r.conf"},
                 {"state_dir", "/var/lib/r"},
                 {"clock_brake", nullptr},
                 {"running", nullptr},
                 {"queued", json::array()},
                 {"policies",
                  {{{"id", "files.backups"},
                    {"kind", "files"},
                    {"every", "1h"},
                    {"state", "idle"},
                    {"next_run", nullptr},
                    {"last_run", nullptr},
                    {"last_result", nullptr},
                    {"brake", nullptr}}}}};
  FakeDaemon daemon(dir.File("c.sock"), Framed({{"parameters", status}}));
  Ctl ctl(dir.File("c.sock"));
  CHECK(ctl.Run("status") == kExitOk);
  CHECK(ctl.out.str().find("pid:          42\n") != std::string::npos);
  CHECK(ctl.out.str().find("files.backups  1h     idle") != std::string::npos);
}

TEST_CASE("with --json the reply's parameters are printed as they came") {
  TempDir dir;
  json params = {{"policies", json::array()}, {"extra", "field"}};
  FakeDaemon daemon(dir.File("c.sock"), Framed({{"parameters", params}}));
  Ctl ctl(dir.File("c.sock"));
  ctl.ctx.json = true;
  CHECK(ctl.Run("policies") == kExitOk);
  CHECK(json::parse(ctl.out.str()) == params);
}

TEST_CASE("a dry run prints the plan and exits 0") {
  TempDir dir;
  FakeDaemon daemon(
      dir.File("c.sock"),
      Framed({{"parameters", {{"run", RunJson("dry-run", true)}}}}));
  Ctl ctl(dir.File("c.sock"));
  ctl.ctx.dry_run = true;
  CHECK(ctl.Run("run", {"backups"}) == kExitOk);
  CHECK(ctl.out.str() ==
        "files.backups: would delete /b/old.tar  (past max_age 90d)\n"
        "files.backups: dry-run: planned: delete 1 item (10 B); 3 items in "
        "scope\n");
  CHECK(daemon.Call()["parameters"]["dry_run"] == true);
}

TEST_CASE("a braked run exits 75 and a failed run 1, as --once does") {
  TempDir dir;
  for (auto [outcome, code] :
       {std::pair{"braked", kExitTempFail}, std::pair{"error", kExitFailure},
        std::pair{"stopped", kExitFailure}, std::pair{"ok", kExitOk}}) {
    INFO(outcome);
    FakeDaemon daemon(
        dir.File("c.sock"),
        Framed({{"parameters", {{"run", RunJson(outcome, false)}}}}));
    Ctl ctl(dir.File("c.sock"));
    CHECK(ctl.Run("run", {"backups"}) == code);
    daemon.Call();
    unlink(dir.File("c.sock").c_str());
  }
}

TEST_CASE("a broken ledger reported by the daemon exits 1") {
  TempDir dir;
  FakeDaemon daemon(dir.File("c.sock"),
                    Framed({{"parameters",
                             {{"ok", false},
                              {"entries", 9},
                              {"head_hash", "ab"},
                              {"first_bad_seq", 4},
                              {"problem", "hash mismatch"}}}}));
  Ctl ctl(dir.File("c.sock"));
  CHECK(ctl.Run("verify") == kExitFailure);
  CHECK(ctl.out.str() == "LEDGER BROKEN at entry 4: hash mismatch\n");
}

TEST_CASE("verify falls back to the state directory when no daemon runs") {
  TempDir dir;
  Ctl ctl(dir.File("c.sock"));
  ctl.ctx.state_dir = dir.File("state");
  CHECK(ctl.Run("verify") == kExitFailure);
  CHECK(ctl.err.str().find("no state database in " + dir.File("state")) !=
        std::string::npos);
}

TEST_CASE("without a readable configuration the fallback exits 78") {
  TempDir dir;
  Ctl ctl(dir.File("c.sock"));
  CHECK(ctl.Run("metrics") == kExitConfig);
  CHECK(ctl.err.str() == "no configuration\n");
}

TEST_CASE(
    "with --state-dir the state directory is read even when a daemon runs") {
  TempDir dir;
  FakeDaemon daemon(dir.File("c.sock"),
                    Framed({{"parameters", {{"text", "from daemon\n"}}}}));
  Ctl ctl(dir.File("c.sock"));
  ctl.ctx.state_dir = dir.File("state");
  ctl.ctx.state_dir_given = true;
  CHECK(ctl.Run("metrics") == kExitFailure);
  CHECK(ctl.out.str().empty());
  // Let the fake daemon's wait end: it was never called.
  CallDaemon(dir.File("c.sock"), kMethodMetrics, {});
}

TEST_CASE("metrics asks the daemon when it runs") {
  TempDir dir;
  FakeDaemon daemon(dir.File("c.sock"),
                    Framed({{"parameters", {{"text", "m 1\n"}}}}));
  Ctl ctl(dir.File("c.sock"));
  ctl.ctx.state_dir = dir.File("state");
  CHECK(ctl.Run("metrics") == kExitOk);
  CHECK(ctl.out.str() == "m 1\n");
  CHECK(daemon.Call()["method"] == kMethodMetrics);
}

}  // namespace
}  // namespace retention::ctl_client_test
