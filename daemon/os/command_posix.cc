// RunCommand (command.h): posix_spawn into a process group, stderr
// collected, a timeout kept with a timerfd and a pidfd.
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
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

#include "base/escape.h"
#include "os/command.h"
#include "os/file_posix.h"

extern char** environ;

namespace retention {
namespace {

using posix::UniqueFd;

constexpr size_t kMaxStderr = 4096;

// Starts argv in its own process group with default signal handling (the
// daemon blocks signals for its signalfd), stdin on `in` (/dev/null when
// negative), stdout on /dev/null and stderr on `err`; the daemon's
// environment plus `env` ("NAME=value").
StatusOr<pid_t> Spawn(const std::vector<std::string>& args,
                      const std::vector<std::string>& env, int in, int err) {
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
  if (in < 0) {
    posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0);
  } else {
    posix_spawn_file_actions_adddup2(&actions, in, 0);
  }
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

// A sealed-off copy of `input` to read from its start (a memfd, so that a
// command that never reads cannot block the daemon on a full pipe).
StatusOr<UniqueFd> InputFile(std::string_view input) {
  UniqueFd fd(memfd_create("retentiond-input", MFD_CLOEXEC));
  if (fd.get() < 0) return Status::FromErrno(errno, "memfd_create");
  for (size_t done = 0; done < input.size();) {
    const ssize_t n = write(fd.get(), input.data() + done, input.size() - done);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) return Status::FromErrno(errno, "write the command's input");
    done += static_cast<size_t>(n);
  }
  if (lseek(fd.get(), 0, SEEK_SET) != 0) {
    return Status::FromErrno(errno, "lseek the command's input");
  }
  return fd;
}

Status Run(const std::vector<std::string>& args,
           const std::vector<std::string>& env, int in, Duration timeout) {
  if (args.empty()) return Status::InvalidArgument("empty command");
  const std::string command = JoinArgs(args);
  int fds[2];
  if (pipe2(fds, O_CLOEXEC) != 0) return Status::FromErrno(errno, "pipe");
  UniqueFd err(fds[0]);
  StatusOr<pid_t> pid = Spawn(args, env, in, fds[1]);
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

}  // namespace

Status RunCommand(const std::vector<std::string>& args,
                  const std::vector<std::string>& env, Duration timeout) {
  return Run(args, env, -1, timeout);
}

Status RunCommandWithInput(const std::vector<std::string>& args,
                           const std::vector<std::string>& env,
                           std::string_view input, Duration timeout) {
  StatusOr<UniqueFd> in = InputFile(input);
  if (!in.ok()) return in.status();
  return Run(args, env, in->get(), timeout);
}

}  // namespace retention
