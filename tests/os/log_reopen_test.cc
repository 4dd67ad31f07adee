// The reopen method with a real writer that reopens its log on SIGUSR1, and
// the ways of telling a writer to reopen: SignalWriter and
// RunReopenCommand.
#include <sched.h>
#include <signal.h>
#include <sys/ioctl.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <catch2/catch.hpp>
#include <chrono>
#include <fstream>
#include <optional>

#include "kinds/logs/log_rotation.h"
#include "kinds/logs/rotation_intent.h"
#include "os/log_writer.h"
#include "os/rotation_env.h"

namespace retention::log_reopen_test {
namespace {

using Catch::Matchers::Contains;
using Code = Status::Code;
using std::chrono::milliseconds;
using std::chrono::seconds;

void CheckOwner(const FileInfo& info, uint32_t mode, uint32_t uid,
                uint32_t gid) {
  CHECK(info.mode == mode);
  CHECK(info.uid == uid);
  CHECK(info.gid == gid);
}

bool Written(RotationEnv& env, const std::string& archive,
             const FileInfo& file) {
  StatusOr<bool> writing =
      env.fs().IsOpenForWritingAt(env.archive(), archive, file);
  INFO(writing.status().ToString());
  REQUIRE(writing.ok());
  return *writing;
}

TEST_CASE("rename rotations with a reopening writer lose no line",
          "[rotation]") {
  RotationEnv env;
  const std::string pid_file = env.Base() + "/app.pid";
  { std::ofstream create(env.Log("app.log")); }
  REQUIRE(chown(env.Log("app.log").c_str(), 1234, 5678) == 0);
  REQUIRE(chmod(env.Log("app.log").c_str(), 0640) == 0);
  LineWriter writer(env.Log("app.log"), true, pid_file);
  constexpr int kRotations = 100;
  for (int i = 0; i < kRotations; ++i) {
    INFO("rotation " << i);
    CreateSpec spec;
    if (i == kRotations / 2) spec = {0600, 42, 43};
    StatusOr<RotationResult> r =
        RotateByRename(env.logs(), "app.log", env.archive(), TestArchiveName(i),
                       env.StatLog("app.log"), spec);
    REQUIRE(r.ok());
    CHECK(r->lossless);
    CHECK(r->warnings.empty());
    if (i < kRotations / 2) {
      CheckOwner(env.StatLog("app.log"), 0640, 1234, 5678);
    } else {
      CheckOwner(env.StatLog("app.log"), 0600, 42, 43);
    }
    StatusOr<FileInfo> archived =
        env.fs().StatAt(env.archive(), TestArchiveName(i));
    REQUIRE(archived.ok());
    // The writer has not been told yet.
    CHECK(Written(env, TestArchiveName(i), *archived));
    REQUIRE(SignalWriter(pid_file, SIGUSR1).ok());
    REQUIRE(writer.AwaitReopen());
    CHECK_FALSE(Written(env, TestArchiveName(i), *archived));
  }
  const int64_t written = writer.Stop();
  REQUIRE(written > 0);
  uint64_t lines = 0;
  CHECK(CheckLines(env.Concatenated("app.log"), &lines) == "");
  CHECK(lines == static_cast<uint64_t>(written));
  WARN("reopen: " << kRotations << " rotations, " << lines << " lines");
}

TEST_CASE("an early rename waits for its writer to near the cap, then the "
          "writer is told before the syncs",
          "[rotation]") {
  RotationEnv env;
  const std::string pid_file = env.Base() + "/app.pid";
  { std::ofstream create(env.Log("app.log")); }
  LineWriter writer(env.Log("app.log"), true, pid_file);
  for (int i = 0; i < 5; ++i) {
    INFO("rotation " << i);
    FileInfo info = env.StatLog("app.log");
    while (info.size < 64 * 1024) info = env.StatLog("app.log");
    HeadChase chase;
    chase.cap = info.size + (2u << 20);
    chase.max_wait = seconds(30);
    bool told = false;
    uint64_t at_tell = 0;
    StatusOr<RotationResult> r = RotateByRename(
        env.logs(), "app.log", env.archive(), TestArchiveName(i), info, {},
        [&](RotationStep step) {
          if (step != RotationStep::kLiveReplaced) return;
          at_tell = env.fs().StatAt(env.archive(), TestArchiveName(i))->size;
          told = SignalWriter(pid_file, SIGUSR1).ok();
        },
        chase);
    INFO(r.status().ToString());
    REQUIRE(r.ok());
    REQUIRE(told);
    REQUIRE(writer.AwaitReopen());
    // Renamed once it reached the cap (no finish time planned), not
    // before; told then, so the archive ends about where it was renamed.
    CHECK(r->bytes >= chase.cap);
    CHECK(at_tell >= chase.cap);
    CHECK(r->waited > Duration::zero());
    CHECK(r->finish > Duration::zero());
  }
  const int64_t written = writer.Stop();
  uint64_t lines = 0;
  CHECK(CheckLines(env.Concatenated("app.log"), &lines) == "");
  CHECK(lines == static_cast<uint64_t>(written));
  CHECK_FALSE(env.fs().StatAt(env.logs(), IntentName("app.log")).ok());
}

TEST_CASE("an early rename of a writer that stopped comes after its wait",
          "[rotation]") {
  RotationEnv env;
  std::ofstream(env.Log("app.log")) << "still\n";
  HeadChase chase;
  chase.cap = 1u << 20;
  chase.max_wait = milliseconds(200);
  const auto start = std::chrono::steady_clock::now();
  StatusOr<RotationResult> r =
      RotateByRename(env.logs(), "app.log", env.archive(), "a.1",
                     env.StatLog("app.log"), {}, {}, chase);
  REQUIRE(r.ok());
  CHECK(std::chrono::steady_clock::now() - start >= milliseconds(200));
  CHECK(r->bytes == 6);
  CHECK(RotationEnv::Contents(env.Archived("a.1")) == "still\n");
  CHECK(RotationEnv::Contents(env.Log("app.log")).empty());
}

TEST_CASE("a writer recreating its log first keeps its file", "[rotation]") {
  RotationEnv env;
  std::ofstream(env.Log("app.log")) << "old\n";
  // The hook runs after the rename, before the rotation creates the file.
  StatusOr<RotationResult> r =
      RotateByRename(env.logs(), "app.log", env.archive(), "a.1",
                     env.StatLog("app.log"), {}, [&](RotationStep step) {
                       if (step == RotationStep::kLiveRenamed) {
                         std::ofstream(env.Log("app.log")) << "new\n";
                       }
                     });
  REQUIRE(r.ok());
  REQUIRE(r->warnings.size() == 1);
  CHECK_THAT(r->warnings[0], Contains("recreated by someone else"));
  CHECK(RotationEnv::Contents(env.Log("app.log")) == "new\n");
  CHECK(RotationEnv::Contents(env.Archived("a.1")) == "old\n");
}

TEST_CASE("a pid file must name a live process its owner runs", "[rotation]") {
  RotationEnv env;
  const std::string pid_file = env.Base() + "/app.pid";
  Code want = Code::kOk;
  std::optional<Holder> target;  // outlives the section that starts it
  SECTION("missing") { want = Code::kNotFound; }
  SECTION("not a number") {
    std::ofstream(pid_file) << "nginx\n";
    want = Code::kInvalidArgument;
  }
  SECTION("zero") {
    std::ofstream(pid_file) << "0\n";
    want = Code::kInvalidArgument;
  }
  SECTION("two numbers") {
    std::ofstream(pid_file) << "12 34\n";
    want = Code::kInvalidArgument;
  }
  SECTION("a process that is gone") {
    Child gone([] {});
    gone.Wait();
    std::ofstream(pid_file) << gone.pid() << "\n";
    want = Code::kNotFound;
  }
  SECTION("a symlink") {
    std::ofstream(pid_file + ".real") << getppid() << "\n";
    REQUIRE(symlink((pid_file + ".real").c_str(), pid_file.c_str()) == 0);
    want = Code::kUnsafe;
  }
  SECTION("owned by someone else than the process") {
    std::ofstream(env.Base() + "/x") << "x";
    target.emplace(env.Base() + "/x", O_RDONLY);
    REQUIRE(target->ok());
    std::ofstream(pid_file) << target->pid() << "\n";
    REQUIRE(chown(pid_file.c_str(), 4321, 4321) == 0);
    want = Code::kUnsafe;
  }
  Status st = SignalWriter(pid_file, SIGUSR1);
  INFO(st.ToString());
  CHECK(st.code() == want);
}

// SignalWriter(`pid_file`, SIGUSR1) as the hardened unit makes it: user
// kDaemon with CAP_KILL only, seeing its own processes alone in /proc
// (hidepid=invisible, as ProtectProc=invisible mounts it). The result's
// code name, "no hidepid" where /proc cannot be mounted so, or "visible"
// if the target is not hidden after all.
std::string SignalAsUnit(const std::string& pid_file, pid_t target) {
  constexpr uid_t kDaemon = 4303;
  int fds[2];
  if (pipe(fds) != 0) std::abort();
  Child child([&] {
    close(fds[0]);
    std::string answer;
    if (unshare(CLONE_NEWNS) != 0 ||
        mount("none", "/", nullptr, MS_REC | MS_PRIVATE, nullptr) != 0 ||
        mount("proc", "/proc", "proc", MS_NOSUID | MS_NODEV | MS_NOEXEC,
              "hidepid=invisible") != 0) {
      answer = "no hidepid";
    } else {
      Become(As(kDaemon, uint64_t{1} << CAP_KILL));
      const std::string proc = "/proc/" + std::to_string(target);
      answer = access(proc.c_str(), F_OK) == 0
                   ? "visible"
                   : CodeName(SignalWriter(pid_file, SIGUSR1).code());
    }
    if (write(fds[1], answer.data(), answer.size()) < 0) _exit(4);
  });
  close(fds[1]);
  std::string answer;
  char buf[64];
  for (ssize_t n; (n = read(fds[0], buf, sizeof buf)) > 0;) {
    answer.append(buf, static_cast<size_t>(n));
  }
  close(fds[0]);
  child.Wait();
  return answer;
}

// Whether this kernel tells a process's owner from its pidfd
// (PIDFD_GET_INFO, Linux 6.13; the first, 64-byte version of the structure).
bool PidfdTellsOwner() {
  struct {
    uint64_t mask = uint64_t{1} << 1;  // PIDFD_INFO_CREDS
    uint64_t rest[7] = {};
  } info;
  const int fd = static_cast<int>(syscall(SYS_pidfd_open, getpid(), 0));
  const bool ok = fd >= 0 && ioctl(fd, _IOWR(0xFF, 11, info), &info) == 0;
  if (fd >= 0) close(fd);
  return ok;
}

TEST_CASE("a pid file's owner is checked even where /proc hides the process",
          "[rotation]") {
  constexpr uid_t kApp = 4304;
  RotationEnv env;
  REQUIRE(chmod(env.Base().c_str(), 0755) == 0);
  const std::string pid_file = env.Base() + "/app.pid";
  std::ofstream(env.Base() + "/x") << "x";
  Holder app(env.Base() + "/x", O_RDONLY, As(kApp));
  REQUIRE(app.ok());
  std::ofstream(pid_file) << app.pid() << "\n";
  SECTION("the owner's process gets the signal") {
    REQUIRE(chown(pid_file.c_str(), kApp, kApp) == 0);
    const std::string answer = SignalAsUnit(pid_file, app.pid());
    if (answer == "no hidepid") {
      WARN("cannot mount /proc with hidepid here: not checked");
      return;
    }
    // Before Linux 6.13 only /proc could tell the owner: refused.
    CHECK(answer == (PidfdTellsOwner() ? "OK" : "PermissionDenied"));
    if (answer == "OK") {
      const int status = app.Wait();
      CHECK((WIFSIGNALED(status) && WTERMSIG(status) == SIGUSR1));
    }
  }
  SECTION("someone else's process does not") {
    REQUIRE(chown(pid_file.c_str(), kApp + 1, kApp + 1) == 0);
    const std::string answer = SignalAsUnit(pid_file, app.pid());
    if (answer == "no hidepid") {
      WARN("cannot mount /proc with hidepid here: not checked");
      return;
    }
    CHECK(answer == (PidfdTellsOwner() ? "Unsafe" : "PermissionDenied"));
  }
}

// A script in the temp dir, for commands that must fail in a given way.
std::string Script(RotationEnv& env, const std::string& body) {
  const std::string path = env.Base() + "/script.sh";
  std::ofstream(path) << "#!/bin/sh\n" << body;
  REQUIRE(chmod(path.c_str(), 0755) == 0);
  return path;
}

TEST_CASE("a reopen command succeeds, fails with its stderr, or times out",
          "[rotation]") {
  RotationEnv env;
  SECTION("success, by path or by name") {
    CHECK(RunReopenCommand("/bin/true", seconds(30)).ok());
    CHECK(RunReopenCommand("  true  ", seconds(30)).ok());
  }
  SECTION("arguments are split on whitespace, without a shell") {
    const std::string out = env.Base() + "/out";
    const std::string literal = env.Base() + "/$HOME;";
    CHECK(RunReopenCommand("touch\t" + out + "  " + literal, seconds(30)).ok());
    CHECK(access(out.c_str(), F_OK) == 0);
    CHECK(access(literal.c_str(), F_OK) == 0);  // not expanded, not a list
  }
  SECTION("a non-zero exit is an error with the first line of stderr") {
    Status st = RunReopenCommand(
        Script(env, "echo '  first problem' >&2\necho second >&2\nexit 3\n"),
        seconds(30));
    CHECK(st.code() == Code::kIoError);
    CHECK_THAT(st.message(), Contains("exited with status 3: first problem"));
    CHECK_THAT(st.message(), !Contains("second"));
  }
  SECTION("death by a signal is an error") {
    Status st = RunReopenCommand(Script(env, "kill -9 $$\n"), seconds(30));
    CHECK(st.code() == Code::kIoError);
    CHECK_THAT(st.message(), Contains("killed by signal 9"));
  }
  SECTION("a command that hangs is killed with its children") {
    Status st = RunReopenCommand(Script(env, "sleep 30 &\nsleep 30\n"),
                                 milliseconds(200));
    CHECK(st.code() == Code::kAborted);
    CHECK_THAT(st.message(), Contains("timed out"));
  }
  SECTION("a missing program") {
    CHECK(RunReopenCommand("/nonexistent/reopen", seconds(30)).code() ==
          Code::kNotFound);
  }
  SECTION("an empty command") {
    CHECK(RunReopenCommand(" \t", seconds(30)).code() ==
          Code::kInvalidArgument);
  }
}

}  // namespace
}  // namespace retention::log_reopen_test
