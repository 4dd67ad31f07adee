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

#include "base/escape.h"
#include "kinds/logs/log_rotation.h"
#include "os/command.h"
#include "os/file_posix.h"

extern char** environ;

namespace retention {
namespace {

using posix::UniqueFd;

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

}  // namespace retention
