// Telling a log writer to reopen its file: SignalWriter (a signal to the
// process named by a pid file) and RunReopenCommand (a command run without
// a shell, bounded by a timeout that a timerfd measures, so no clock is
// read here).
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/timerfd.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <charconv>
#include <chrono>
#include <climits>
#include <cstdio>
#include <sstream>

#include "command.h"
#include "file_posix.h"
#include "log_rotation.h"

extern char** environ;

namespace retention {
namespace {

using posix::UniqueFd;

constexpr size_t kMaxStderr = 4096;

std::string_view Trim(std::string_view s) {
  const char* ws = " \t\r\n";
  size_t b = s.find_first_not_of(ws);
  if (b == std::string_view::npos) return {};
  return s.substr(b, s.find_last_not_of(ws) - b + 1);
}

// A positive process id, or -1.
int ParsePid(std::string_view text) {
  text = Trim(text);
  int pid = -1;
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), pid);
  if (ec != std::errc() || end != text.data() + text.size() || pid <= 0) {
    return -1;
  }
  return pid;
}

// PIDFD_GET_INFO of Linux 6.13 (<linux/pidfd.h>), for older headers: the
// first version of the structure, which every later kernel accepts.
struct PidfdInfo {
  uint64_t mask;
  uint64_t cgroupid;
  uint32_t pid, tgid, ppid, ruid, rgid, euid, egid, suid, sgid, fsuid, fsgid;
  uint32_t spare0[1];
};
constexpr uint64_t kPidfdInfoCreds = uint64_t{1} << 1;
constexpr unsigned long kPidfdGetInfo = _IOWR(0xFF, 11, PidfdInfo);

// Whether `uid` is the real, effective or saved user of `pid` (`pidfd` if
// it is >= 0). Asked of the pidfd where the kernel can tell (6.13 and
// later), which needs no view of the process; else of /proc/PID/status,
// which stays right for daemons that dropped privileges but is hidden for
// other users' processes under ProtectProc=invisible.
StatusOr<bool> ProcessOwnedBy(int pid, int pidfd, uint32_t uid) {
  const std::string what = "process " + std::to_string(pid);
  PidfdInfo info = {};
  info.mask = kPidfdInfoCreds;
  if (pidfd >= 0 && ioctl(pidfd, kPidfdGetInfo, &info) == 0) {
    return info.ruid == uid || info.euid == uid || info.suid == uid;
  }
  if (pidfd >= 0 && errno == ESRCH) {
    return Status::NotFound(what + ": no such process");
  }
  const std::string path = "/proc/" + std::to_string(pid) + "/status";
  UniqueFd fd(open(path.c_str(), O_RDONLY | O_CLOEXEC));
  if (fd.get() < 0 && errno == ENOENT && pidfd >= 0) {
    // The pidfd says the process is there: /proc hides it.
    return Status::PermissionDenied(
        what +
        ": its owner cannot be read (hidden in /proc, and this kernel "
        "has no PIDFD_GET_INFO)");
  }
  if (fd.get() < 0) return Status::FromErrno(errno, what);
  char buf[4096];
  ssize_t n = read(fd.get(), buf, sizeof buf - 1);
  if (n <= 0) return Status::FromErrno(errno, "read " + path);
  std::istringstream in(std::string(buf, static_cast<size_t>(n)));
  for (std::string line; std::getline(in, line);) {
    if (line.rfind("Uid:", 0) != 0) continue;
    std::istringstream ids(line.substr(4));
    for (uint32_t id; ids >> id;) {
      if (id == uid) return true;
    }
  }
  return false;
}

// Sends `signal` through `pidfd` (so a pid reused since the check cannot be
// hit), or by pid where pidfds are missing (Linux before 5.3).
Status SendSignal(int pid, int pidfd, int signal) {
  const int rc = pidfd >= 0
                     ? static_cast<int>(syscall(SYS_pidfd_send_signal, pidfd,
                                                signal, nullptr, 0))
                     : kill(pid, signal);
  if (rc == 0) return Status::Ok();
  const std::string what = "signal process " + std::to_string(pid);
  if (errno == ESRCH) return Status::NotFound(what + ": no such process");
  return Status::FromErrno(errno, what);
}

std::vector<std::string> SplitCommand(const std::string& command) {
  std::vector<std::string> args;
  std::istringstream in(command);
  for (std::string arg; in >> arg;) args.push_back(arg);
  return args;
}

// Starts argv in its own process group with default signal handling (the
// daemon blocks signals for its signalfd), stdin and stdout on /dev/null
// and stderr on `err`; the daemon's environment plus `env` ("NAME=value").
StatusOr<pid_t> Spawn(const std::vector<std::string>& args,
                      const std::vector<std::string>& env, int err) {
  std::vector<char*> argv;
  for (const std::string& a : args)
    argv.push_back(const_cast<char*>(a.c_str()));
  argv.push_back(nullptr);
  std::vector<char*> envp;
  for (char** e = environ; *e != nullptr; ++e) envp.push_back(*e);
  for (const std::string& e : env) envp.push_back(const_cast<char*>(e.c_str()));
  envp.push_back(nullptr);
  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0);
  posix_spawn_file_actions_addopen(&actions, 1, "/dev/null", O_WRONLY, 0);
  posix_spawn_file_actions_adddup2(&actions, err, 2);
  posix_spawnattr_t attr;
  posix_spawnattr_init(&attr);
  posix_spawnattr_setflags(&attr, POSIX_SPAWN_SETPGROUP |
                                      POSIX_SPAWN_SETSIGMASK |
                                      POSIX_SPAWN_SETSIGDEF);
  posix_spawnattr_setpgroup(&attr, 0);
  sigset_t none, all;
  sigemptyset(&none);
  sigfillset(&all);
  posix_spawnattr_setsigmask(&attr, &none);
  posix_spawnattr_setsigdefault(&attr, &all);
  pid_t pid = -1;
  int rc =
      posix_spawnp(&pid, argv[0], &actions, &attr, argv.data(), envp.data());
  posix_spawn_file_actions_destroy(&actions);
  posix_spawnattr_destroy(&attr);
  if (rc != 0) return Status::FromErrno(rc, "run " + args[0]);
  return pid;
}

// Appends what `fd` has now (non-blocking) to `out`, up to kMaxStderr.
// False at end of file.
bool Drain(int fd, std::string* out) {
  char buf[4096];
  for (;;) {
    ssize_t n = read(fd, buf, sizeof buf);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) return n < 0 && errno == EAGAIN;
    out->append(buf, std::min(static_cast<size_t>(n),
                              kMaxStderr - std::min(kMaxStderr, out->size())));
  }
}

UniqueFd StartTimer(Duration timeout) {
  UniqueFd timer(timerfd_create(CLOCK_MONOTONIC, TFD_CLOEXEC));
  const int64_t ns = std::max<int64_t>(1, timeout.count());
  struct itimerspec spec = {};
  spec.it_value.tv_sec = ns / 1000000000;
  spec.it_value.tv_nsec = ns % 1000000000;
  if (timer.get() >= 0) timerfd_settime(timer.get(), 0, &spec, nullptr);
  return timer;
}

// Waits for `pid` to exit (true) or the timer to fire (false), collecting
// stderr from `err`. Fails if it cannot wait with a timeout (pidfd_open
// needs Linux 5.3); the caller then kills the command rather than wait
// unbounded.
StatusOr<bool> WaitOrTimeout(pid_t pid, int err, Duration timeout,
                             std::string* text) {
  UniqueFd pidfd(static_cast<int>(syscall(SYS_pidfd_open, pid, 0)));
  if (pidfd.get() < 0) return Status::FromErrno(errno, "pidfd_open");
  UniqueFd timer = StartTimer(timeout);
  if (timer.get() < 0) return Status::FromErrno(errno, "timerfd");
  bool open = true;
  for (;;) {
    struct pollfd fds[3] = {{pidfd.get(), POLLIN, 0},
                            {timer.get(), POLLIN, 0},
                            {open ? err : -1, POLLIN, 0}};
    if (poll(fds, 3, -1) < 0) {
      if (errno == EINTR) continue;
      return Status::FromErrno(errno, "poll");
    }
    if (fds[2].revents) open = Drain(err, text);
    if (fds[0].revents) return true;
    if (fds[1].revents) return false;
  }
}

std::string JoinArgs(const std::vector<std::string>& args) {
  std::string out;
  for (const std::string& a : args) out += (out.empty() ? "" : " ") + a;
  return out;
}

std::string Describe(int status, const std::string& stderr_text) {
  std::string what =
      WIFEXITED(status)
          ? "exited with status " + std::to_string(WEXITSTATUS(status))
          : "was killed by signal " + std::to_string(WTERMSIG(status));
  std::string_view first = Trim(stderr_text);
  first = first.substr(0, first.find('\n'));
  if (!first.empty()) what += ": " + std::string(Trim(first));
  return what;
}

}  // namespace

Status SignalWriter(const std::string& pid_file, int signal) {
  UniqueFd fd(open(pid_file.c_str(),
                   O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_NOCTTY | O_CLOEXEC));
  if (fd.get() < 0) return Status::FromErrno(errno, "open " + pid_file);
  struct stat st;
  if (fstat(fd.get(), &st) != 0) {
    return Status::FromErrno(errno, "stat " + pid_file);
  }
  if (!S_ISREG(st.st_mode)) {
    return Status::Unsafe(pid_file + ": not a regular file");
  }
  char buf[64];
  ssize_t n = read(fd.get(), buf, sizeof buf);
  if (n < 0) return Status::FromErrno(errno, "read " + pid_file);
  const int pid = n < static_cast<ssize_t>(sizeof buf)
                      ? ParsePid(std::string_view(buf, static_cast<size_t>(n)))
                      : -1;
  if (pid < 0 || pid == getpid()) {
    return Status::InvalidArgument(pid_file + ": holds no writer's process id");
  }
  UniqueFd pidfd(static_cast<int>(syscall(SYS_pidfd_open, pid, 0)));
  if (pidfd.get() < 0 && errno == ESRCH) {
    return Status::NotFound("signal process " + std::to_string(pid) +
                            ": no such process");
  }
  if (st.st_uid != 0) {
    StatusOr<bool> owned = ProcessOwnedBy(pid, pidfd.get(), st.st_uid);
    if (!owned.ok()) return owned.status();
    if (!*owned) {
      return Status::Unsafe(pid_file + ": process " + std::to_string(pid) +
                            " does not belong to the pid file's owner");
    }
  }
  return SendSignal(pid, pidfd.get(), signal);
}

Status RunReopenCommand(const std::string& command, Duration timeout) {
  return RunCommand(SplitCommand(command), {}, timeout);
}

Status RunCommand(const std::vector<std::string>& args,
                  const std::vector<std::string>& env, Duration timeout) {
  if (args.empty()) return Status::InvalidArgument("empty command");
  const std::string command = JoinArgs(args);
  int fds[2];
  if (pipe2(fds, O_CLOEXEC) != 0) return Status::FromErrno(errno, "pipe");
  UniqueFd err(fds[0]);
  StatusOr<pid_t> pid = Spawn(args, env, fds[1]);
  close(fds[1]);
  if (!pid.ok()) return pid.status();
  fcntl(err.get(), F_SETFL, O_NONBLOCK);
  std::string text;
  StatusOr<bool> waited = WaitOrTimeout(*pid, err.get(), timeout, &text);
  const bool exited = waited.ok() && *waited;
  // The group, so that a shell's children go too.
  if (!exited) kill(-*pid, SIGKILL);
  int status = 0;
  while (waitpid(*pid, &status, 0) < 0 && errno == EINTR) {
  }
  Drain(err.get(), &text);
  if (!waited.ok()) return waited.status();
  if (!exited) {
    char secs[32];
    std::snprintf(secs, sizeof secs, "%.3g",
                  std::chrono::duration<double>(timeout).count());
    return Status::Aborted(command + ": timed out after " + secs + " s");
  }
  if (WIFEXITED(status) && WEXITSTATUS(status) == 0) return Status::Ok();
  return Status::IoError(command + " " + Describe(status, text));
}

}  // namespace retention
