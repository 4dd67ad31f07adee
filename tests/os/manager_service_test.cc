// io.retentiond.Manager methods against a real Daemon (fake clock and
// filesystem for policy roots, a real state database): reply shapes,
// parameter errors, permissions, and — with fork + setresuid — callers
// the kernel identifies as another user over a real socket.
#include "control/manager_service.h"

#include <grp.h>
#include <sys/stat.h>
#include <sys/wait.h>

#include <catch2/catch.hpp>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <set>

#include "control/control_protocol.h"
#include "control_loop.h"
#include "manager_fixture.h"

namespace retention::manager_service_test {
namespace {

using namespace manager_test;
using Fixture = ManagerFixture;
constexpr uid_t kNobody = 65534;

Caller Member(gid_t group) {
  Caller c;
  c.uid = 1000;
  c.gid = 1000;
  c.pid = 7;
  c.groups = {group};
  return c;
}

TEST_CASE("Status and ListPolicies describe the daemon", "[manager]") {
  Fixture f;
  json s = f.Call(std::string(kMethodStatus))["parameters"];
  CHECK(s["version"] == "9.9.9");
  CHECK(s["pid"] == 42);
  CHECK(s["started"] == "2026-01-01T00:00:00Z");
  CHECK(s["clock_brake"].is_null());
  CHECK(s["running"].is_null());
  CHECK(s["queued"] == json::array());
  REQUIRE(s["policies"].size() == 1);
  json p = s["policies"][0];
  CHECK(p["id"] == "files.backups");
  CHECK(p["kind"] == "files");
  CHECK(p["every"] == "1d");
  CHECK(p["state"] == "idle");
  CHECK(p["last_run"].is_null());
  f.host->busy.insert("files.backups");
  json l = f.Call(std::string(kMethodListPolicies))["parameters"];
  CHECK(l["policies"][0]["state"] == "running");
}

TEST_CASE("RunPolicy runs, dry or real, and reports the plan", "[manager]") {
  Fixture f;
  json dry = f.Call(std::string(kMethodRunPolicy),
                    {{"name", "backups"}, {"dry_run", true}});
  REQUIRE(dry.contains("parameters"));
  json run = dry["parameters"]["run"];
  CHECK(run["outcome"] == "dry-run");
  REQUIRE(run["planned"].size() == 1);
  CHECK(run["planned"][0]["target"] == "/data/backups/old.tar");
  CHECK(f.fs.removed().empty());

  json real =
      f.Call(std::string(kMethodRunPolicy), {{"name", "files.backups"}});
  CHECK(real["parameters"]["run"]["outcome"] == "ok");
  CHECK(real["parameters"]["run"]["done"] == 1);
  CHECK(f.fs.removed() == std::vector<std::string>{"/data/backups/old.tar"});
  json p = f.Call(std::string(kMethodStatus))["parameters"]["policies"][0];
  CHECK(p["last_result"] == "ok");
  CHECK(p["last_run"] == "2026-01-01T00:00:00Z");
}

TEST_CASE("RunPolicy errors name what is wrong", "[manager]") {
  Fixture f;
  const std::string m(kMethodRunPolicy);
  json r = f.Call(m, {{"name", "nope"}});
  CHECK(r["error"] == kErrorNoSuchPolicy);
  CHECK(r["parameters"]["name"] == "nope");
  r = f.Call(m, json::object());
  CHECK(r["error"] == kErrorInvalidParameter);
  CHECK(r["parameters"]["parameter"] == "name");
  r = f.Call(m, {{"name", 7}});
  CHECK(r["error"] == kErrorInvalidParameter);
  CHECK(r["parameters"]["reason"].get<std::string>().find("string") !=
        std::string::npos);
  r = f.Call(m, {{"name", "backups"}, {"dry_run", "yes"}});
  CHECK(r["parameters"]["parameter"] == "dry_run");
  r = f.Call(m, {{"name", "backups"}, {"force", true}});
  CHECK(r["parameters"]["parameter"] == "force");
  f.host->busy.insert("files.backups");
  r = f.Call(m, {{"name", "backups"}});
  CHECK(r["error"] == kErrorBusy);
  CHECK(f.fs.removed().empty());
}

TEST_CASE("unknown methods and parameters get specific errors", "[manager]") {
  Fixture f;
  CHECK(f.Call("io.retentiond.Manager.Explode")["error"] ==
        kServiceErrorMethodNotFound);
  CHECK(f.Call("com.example.Other.Method")["error"] ==
        kServiceErrorInterfaceNotFound);
  json r = f.Call(std::string(kMethodStatus), {{"verbose", true}});
  CHECK(r["error"] == kErrorInvalidParameter);
  CHECK(r["parameters"]["parameter"] == "verbose");
  json info = f.Call(std::string(kMethodGetInfo));
  CHECK(info["parameters"]["version"] == "9.9.9");
}

TEST_CASE("every Manager method has one handler, and every handler a method",
          "[manager]") {
  const auto& routes = ManagerService::Routes();
  REQUIRE(routes.size() == std::size(kManagerMethods));
  for (size_t i = 0; i < routes.size(); ++i) {
    INFO(kManagerMethods[i].name);
    CHECK(routes[i].method == kManagerMethods[i].name);
    CHECK(routes[i].handler != nullptr);
  }
}

TEST_CASE("each method refuses a parameter its table entry does not name",
          "[manager]") {
  Fixture f;
  for (const MethodSpec& spec : kManagerMethods) {
    // As root (Caller{}): refused before the handler runs, so nothing runs,
    // reloads or releases.
    INFO(spec.name);
    json r = f.Call(std::string(spec.name), {{"bogus", 1}});
    CHECK(r["error"] == kErrorInvalidParameter);
    CHECK(r["parameters"]["parameter"] == "bogus");
  }
}

TEST_CASE("Reload keeps the running config when the new one is invalid",
          "[manager]") {
  Fixture f;
  f.WriteConfig("max_age = soon\n");
  json r = f.Call(std::string(kMethodReload));
  CHECK(r["error"] == kErrorConfigInvalid);
  REQUIRE(r["parameters"]["errors"].size() == 1);
  CHECK(r["parameters"]["errors"][0].get<std::string>().find("r.conf:") !=
        std::string::npos);
  CHECK(f.daemon->Find("backups") != nullptr);
  f.WriteConfig(
      "max_age = 30d\n[files.tmp]\nroot = /data/backups\nmax_age = 1d\n");
  r = f.Call(std::string(kMethodReload));
  CHECK(r["parameters"]["policies"] == 2);
}

TEST_CASE("a rejected reload's summary is bounded and names the config's hash",
          "[manager]") {
  Fixture f;
  std::string keys = "max_age = 30d\n";
  for (int i = 0; i < 3000; ++i) {
    keys += "unknown_" + std::to_string(i) + " = " + std::string(200, 'v') +
            "\xff\n";
  }
  f.WriteConfig(keys);
  std::vector<ConfigError> errors;
  Status st = f.daemon->Reload(&errors);
  REQUIRE_FALSE(st.ok());
  CHECK(errors.size() == kMaxConfigErrors + 1);
  CHECK(CountConfigErrors(errors) == 3000);
  // What MainLoop records in the ledger.
  const std::string& summary = st.message();
  CHECK(summary.size() < 4096 + 200);
  CHECK(summary.find("more errors") != std::string::npos);
  CHECK(summary.find('\xff') == std::string::npos);
  const size_t at = summary.find("configuration sha256 ");
  REQUIRE(at != std::string::npos);
  CHECK(summary.size() - at ==
        std::string("configuration sha256 ").size() + 64);
  json r = f.Call(std::string(kMethodReload));
  CHECK(r["error"] == kErrorConfigInvalid);
  CHECK(r["parameters"]["errors"].size() == kMaxConfigErrors + 1);
}

TEST_CASE("Report, VerifyLedger and Metrics answer from the state database",
          "[manager]") {
  Fixture f;
  f.Call(std::string(kMethodRunPolicy), {{"name", "backups"}});
  for (const char* format : {"text", "json", "html"}) {
    json r = f.Call(std::string(kMethodReport),
                    {{"since", "7d"}, {"format", format}});
    INFO(format);
    CHECK(r["parameters"]["format"] == format);
    CHECK(r["parameters"]["report"].get<std::string>().find("files.backups") !=
          std::string::npos);
  }
  json bad = f.Call(std::string(kMethodReport), {{"format", "pdf"}});
  CHECK(bad["parameters"]["parameter"] == "format");
  bad = f.Call(std::string(kMethodReport), {{"since", "soon"}});
  CHECK(bad["parameters"]["parameter"] == "since");
  json v = f.Call(std::string(kMethodVerifyLedger))["parameters"];
  CHECK(v["ok"] == true);
  CHECK(v["entries"] == 1);  // the delete
  CHECK(v["first_bad_seq"].is_null());
  json m = f.Call(std::string(kMethodMetrics))["parameters"];
  CHECK(m["text"].get<std::string>().find(
            "retentiond_removed_items_total{policy=\"files.backups\",kind=\"files\"} 1") !=
        std::string::npos);
}

TEST_CASE("ConfirmClock releases an engaged clock brake", "[manager]") {
  Fixture f;
  f.Call(std::string(kMethodRunPolicy), {{"name", "backups"}});
  json r = f.Call(std::string(kMethodConfirmClock));
  CHECK(r["parameters"]["was_engaged"] == false);
  f.clock.JumpWall(kDay * 3);
  json run = f.Call(std::string(kMethodRunPolicy), {{"name", "backups"}});
  CHECK(run["parameters"]["run"]["outcome"] == "braked");
  CHECK(f.Call(std::string(kMethodStatus))["parameters"]["clock_brake"]
            .is_string());
  r = f.Call(std::string(kMethodConfirmClock));
  CHECK(r["parameters"]["was_engaged"] == true);
  CHECK(f.Call(std::string(kMethodStatus))["parameters"]["clock_brake"]
            .is_null());
}

TEST_CASE("who may call what", "[manager]") {
  Fixture f;
  const std::string run(kMethodRunPolicy);
  const json params = {{"name", "backups"}, {"dry_run", true}};
  Caller stranger = Member(999);
  CHECK(f.Call(std::string(kMethodStatus), {}, stranger)["error"] ==
        kErrorPermissionDenied);
  CHECK(f.Call(std::string(kMethodMetrics), {}, stranger)["error"] ==
        kErrorPermissionDenied);
  // The service interface is introspection, open to whoever can connect.
  CHECK(
      f.Call(std::string(kMethodGetInfo), {}, stranger).contains("parameters"));
  Caller reader = Member(kReaders);
  CHECK(f.Call(std::string(kMethodStatus), {}, reader).contains("parameters"));
  json denied = f.Call(run, params, reader);
  CHECK(denied["error"] == kErrorPermissionDenied);
  CHECK(denied["parameters"]["method"] == run);
  CHECK(f.Call(std::string(kMethodReload), {}, reader)["error"] ==
        kErrorPermissionDenied);
  CHECK(f.Call(std::string(kMethodConfirmClock), {}, reader)["error"] ==
        kErrorPermissionDenied);
  Caller admin = Member(kAdmins);
  CHECK(f.Call(run, params, admin).contains("parameters"));
  CHECK(f.Call(std::string(kMethodStatus), {}, admin).contains("parameters"));
  Caller self = Member(999);
  self.uid = f.rules.daemon_uid;
  CHECK(f.Call(std::string(kMethodStatus), {}, self).contains("parameters"));
  CHECK(f.Call(run, params, self)["error"] == kErrorPermissionDenied);
  CHECK(f.Call(run, params, Caller{}).contains("parameters"));  // root
}

// Runs `call` on a fresh connection in a child that dropped to uid 65534
// with `groups`; returns the reply ("" when it could not connect).
std::string CallAs(const std::string& path, std::vector<gid_t> groups,
                   const std::string& call) {
  int pipe_fds[2];
  REQUIRE(pipe(pipe_fds) == 0);
  const pid_t child = fork();
  REQUIRE(child >= 0);
  if (child == 0) {
    close(pipe_fds[0]);
    if (setgroups(groups.size(), groups.data()) != 0 ||
        setresgid(kNobody, kNobody, kNobody) != 0 ||
        setresuid(kNobody, kNobody, kNobody) != 0) {
      _exit(2);
    }
    std::string reply = CallOnce(path, call);
    (void)!write(pipe_fds[1], reply.data(), reply.size());
    _exit(0);
  }
  close(pipe_fds[1]);
  std::string reply;
  char buffer[4096];
  ssize_t n;
  while ((n = read(pipe_fds[0], buffer, sizeof buffer)) > 0) {
    reply.append(buffer, static_cast<size_t>(n));
  }
  close(pipe_fds[0]);
  int status = 0;
  waitpid(child, &status, 0);
  REQUIRE(WIFEXITED(status));
  REQUIRE(WEXITSTATUS(status) == 0);
  return reply;
}

TEST_CASE("the kernel's view of another uid decides, over a real socket",
          "[manager][root]") {
  if (getuid() != 0) {
    WARN("needs root to switch uid; skipped");
    return;
  }
  Fixture f;
  f.rules.daemon_uid = 0;
  f.service->set_rules(f.rules);
  PosixClock clock;
  ControlServer server(*f.service, clock);
  ControlSocketOptions options;
  options.path = f.tmp.File("run/control.sock");
  options.group = kReaders;
  REQUIRE(server.Listen(options).ok());
  // The temp dir is 0700; let the child reach the socket.
  chmod(f.tmp.path().c_str(), 0755);
  ServerLoop loop(server);
  const std::string status = R"({"method":"io.retentiond.Manager.Status"})";
  const std::string run =
      R"({"method":"io.retentiond.Manager.RunPolicy","parameters":{"name":"backups","dry_run":true}})";
  auto parse = [](const std::string& framed) {
    REQUIRE(!framed.empty());
    return json::parse(framed.substr(0, framed.size() - 1));
  };

  // Not in the socket's group: the filesystem refuses the connection.
  CHECK(CallAs(options.path, {}, status).empty());
  // In the readers' group: may read, may not run.
  CHECK(parse(CallAs(options.path, {kReaders}, status)).contains("parameters"));
  json denied = parse(CallAs(options.path, {kReaders}, run));
  CHECK(denied["error"] == kErrorPermissionDenied);
  // Admins (who also need the socket group to connect) may run.
  json ran = parse(CallAs(options.path, {kReaders, kAdmins}, run));
  CHECK(ran["parameters"]["run"]["outcome"] == "dry-run");
  // With the socket opened to all, the daemon's own check still refuses.
  chmod(options.path.c_str(), 0666);
  chmod(f.tmp.File("run").c_str(), 0755);
  CHECK(parse(CallAs(options.path, {}, status))["error"] ==
        kErrorPermissionDenied);
}

}  // namespace
}  // namespace retention::manager_service_test
