// Real processes around log rotation tests: Child (a forked function, killed
// and reaped when the test ends), Become (a child takes another user's ids
// and chosen capabilities; the tests run as root), LineWriter (a child
// appending numbered lines to a log as fast as it can) and CheckLines (every
// line exactly once and in order). Tests only; single-threaded; children never
// return into Catch (they _exit).
#pragma once

#include <fcntl.h>
#include <grp.h>
#include <linux/capability.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdio>
#include <cstring>
#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

namespace retention {

// A forked child running `body`, then _exit(0); _exit(99) if `body`
// throws (a failed REQUIRE), so that no child ever runs on into Catch and
// the test's destructors (which unmount and remove its directory).
class Child {
 public:
  explicit Child(const std::function<void()>& body) {
    pid_ = fork();
    if (pid_ == 0) {
      try {
        body();
      } catch (...) {
        _exit(99);
      }
      _exit(0);
    }
  }
  ~Child() {
    if (pid_ > 0 && !reaped_) Kill(SIGKILL);
  }
  Child(const Child&) = delete;
  Child& operator=(const Child&) = delete;

  pid_t pid() const { return pid_; }
  // Sends `sig` and reaps the child; returns its wait status.
  int Kill(int sig) {
    kill(pid_, sig);
    return Wait();
  }
  int Wait() {
    int status = 0;
    while (waitpid(pid_, &status, 0) < 0 && errno == EINTR) {
    }
    reaped_ = true;
    return status;
  }

 private:
  pid_t pid_ = -1;
  bool reaped_ = false;
};

// Line n: nine digits, a space, n % 23 'x' (so lines vary in length and
// never align with blocks), a newline.
inline std::string LogLine(uint64_t n) {
  char buf[48];
  int len = std::snprintf(buf, sizeof buf, "%09llu %.*s\n",
                          static_cast<unsigned long long>(n),
                          static_cast<int>(n % 23), "xxxxxxxxxxxxxxxxxxxxxxx");
  return std::string(buf, static_cast<size_t>(len));
}

// "" if `data` is lines 0, 1, ... each exactly once in order with no NUL
// byte; else the first problem. Sets `*count` to the lines read.
inline std::string CheckLines(std::string_view data, uint64_t* count) {
  *count = 0;
  if (data.find('\0') != std::string_view::npos) {
    return "NUL byte at offset " + std::to_string(data.find('\0'));
  }
  size_t at = 0;
  while (at < data.size()) {
    const std::string want = LogLine(*count);
    if (data.compare(at, want.size(), want) != 0) {
      size_t nl = data.find('\n', at);
      return "line " + std::to_string(*count) + " expected, found \"" +
             std::string(
                 data.substr(at, nl == std::string_view::npos ? 40 : nl - at)) +
             "\" at offset " + std::to_string(at);
    }
    at += want.size();
    ++*count;
  }
  return "";
}

// Like CheckLines, but lines may be missing (a lossy rotation ran): ""
// if every line is well formed, numbers strictly increase and no NUL byte
// is there. Sets `*count` to the lines read and `*last` to the last number.
inline std::string CheckIncreasingLines(std::string_view data, uint64_t* count,
                                        int64_t* last) {
  *count = 0;
  *last = -1;
  if (data.find('\0') != std::string_view::npos) return "NUL byte";
  size_t at = 0;
  while (at < data.size()) {
    unsigned long long n = 0;
    if (std::sscanf(std::string(data.substr(at, 9)).c_str(), "%9llu", &n) != 1)
      return "bad line at offset " + std::to_string(at);
    const std::string want = LogLine(n);
    if (data.compare(at, want.size(), want) != 0 ||
        static_cast<int64_t>(n) <= *last) {
      return "line " + std::to_string(n) + " torn or out of order at offset " +
             std::to_string(at);
    }
    *last = static_cast<int64_t>(n);
    at += want.size();
    ++*count;
  }
  return "";
}

// For a lossy rotation: "" if each piece (an archive, or the live file
// last) is whole lines but for a torn last line in an archive (a copy can
// end inside a write that then is truncated away) and numbers strictly
// increase across pieces. Adds the whole lines seen to `*count`.
inline std::string CheckLossyPieces(const std::vector<std::string>& pieces,
                                    uint64_t* count, int64_t* last) {
  *count = 0;
  *last = -1;
  for (size_t i = 0; i < pieces.size(); ++i) {
    std::string_view piece = pieces[i];
    if (i + 1 < pieces.size() && !piece.empty() && piece.back() != '\n') {
      piece = piece.substr(0, piece.rfind('\n') + 1);  // drop the torn line
    }
    uint64_t lines = 0;
    int64_t piece_last = -1;
    std::string problem = CheckIncreasingLines(piece, &lines, &piece_last);
    if (!problem.empty()) return "piece " + std::to_string(i) + ": " + problem;
    if (lines > 0 && piece_last <= *last) {
      return "piece " + std::to_string(i) + " repeats line " +
             std::to_string(piece_last);
    }
    if (lines > 0) *last = piece_last;
    *count += lines;
  }
  return "";
}

// Whom a child runs as: root, or `uid` (gid the same) with only `caps` (a
// bit mask of CAP_*), still visible in /proc to its own user.
struct Creds {
  bool root = true;
  uid_t uid = 0;
  uint64_t caps = 0;
};

inline Creds As(uid_t uid, uint64_t caps = 0) { return {false, uid, caps}; }

// In a child: becomes `who`; _exit(30..) if it cannot.
inline void Become(const Creds& who) {
  if (who.root) return;
  if (prctl(PR_SET_KEEPCAPS, 1) != 0 || setgroups(0, nullptr) != 0 ||
      setresgid(who.uid, who.uid, who.uid) != 0 ||
      setresuid(who.uid, who.uid, who.uid) != 0) {
    _exit(30);
  }
  __user_cap_header_struct header = {_LINUX_CAPABILITY_VERSION_3, 0};
  __user_cap_data_struct data[2] = {};
  for (int i = 0; i < 2; ++i) {
    data[i].effective = data[i].permitted =
        static_cast<uint32_t>(who.caps >> (32 * i));
  }
  if (syscall(SYS_capset, &header, data) != 0) _exit(31);
  // A process that changed its ids is not dumpable: its /proc/PID/fd would
  // be root's, and no scan by its own user could see it.
  if (prctl(PR_SET_DUMPABLE, 1) != 0) _exit(32);
}

// A child holding `path` open with `flags`, as `who`, until it is killed.
class Holder {
 public:
  Holder(const std::string& path, int flags, const Creds& who = {}) {
    int fds[2];
    if (pipe(fds) != 0) std::abort();
    child_ = std::make_unique<Child>([&] {
      close(fds[0]);
      Become(who);
      if (open(path.c_str(), flags) < 0) _exit(1);
      if (write(fds[1], "R", 1) != 1) _exit(2);
      for (;;) pause();
    });
    close(fds[1]);
    char ready = 0;
    ok_ = read(fds[0], &ready, 1) == 1;
    close(fds[0]);
  }
  bool ok() const { return ok_; }
  pid_t pid() const { return child_->pid(); }
  void Stop() { child_->Kill(SIGKILL); }
  // Reaps the child once it ended; its wait status.
  int Wait() { return child_->Wait(); }

 private:
  std::unique_ptr<Child> child_;
  bool ok_ = false;
};

// A child process that writes LogLine(0), LogLine(1), ... to `path`, one
// write(2) per line, as fast as it can. With `append` it opens O_APPEND.
// With a `pid_file` it writes its pid there and reopens `path` on SIGUSR1,
// acknowledging each reopen (AwaitReopen).
class LineWriter {
 public:
  explicit LineWriter(std::string path, bool append = true,
                      std::string pid_file = "")
      : path_(std::move(path)), pid_file_(std::move(pid_file)) {
    int fds[2];
    if (pipe(fds) != 0) std::abort();
    child_ = std::make_unique<Child>([&] {
      close(fds[0]);
      Run(fds[1], append);
    });
    close(fds[1]);
    from_child_ = fds[0];
    char ready = 0;
    if (read(from_child_, &ready, 1) != 1 || ready != 'R') std::abort();
  }
  ~LineWriter() { close(from_child_); }

  pid_t pid() const { return child_->pid(); }

  // Stops the writer; returns how many lines it wrote (or -1).
  int64_t Stop() {
    kill(child_->pid(), SIGTERM);
    int64_t n = -1;
    if (read(from_child_, &n, sizeof n) != sizeof n) n = -1;
    int status = child_->Wait();
    return WIFEXITED(status) && WEXITSTATUS(status) == 0 ? n : -1;
  }

  // Blocks until the writer reopened its file after a SIGUSR1; false if it
  // died instead.
  bool AwaitReopen() {
    char ack = 0;
    return read(from_child_, &ack, 1) == 1 && ack == 'A';
  }

 private:
  static inline volatile sig_atomic_t stop_ = 0;
  static inline volatile sig_atomic_t reopen_ = 0;

  static void OnSignal(int sig) {
    if (sig == SIGTERM) stop_ = 1;
    if (sig == SIGUSR1) reopen_ = 1;
  }

  int Open(bool append) {
    int flags = O_WRONLY | O_CREAT | O_CLOEXEC | (append ? O_APPEND : 0);
    int fd = open(path_.c_str(), flags, 0644);
    if (fd < 0) _exit(10);
    if (!append && lseek(fd, 0, SEEK_END) < 0) _exit(11);
    return fd;
  }

  void WritePidFile() {
    const std::string tmp = pid_file_ + ".tmp";
    FILE* f = std::fopen(tmp.c_str(), "w");
    if (f == nullptr) _exit(12);
    std::fprintf(f, "%d\n", getpid());
    if (std::fclose(f) != 0 || rename(tmp.c_str(), pid_file_.c_str()) != 0) {
      _exit(13);
    }
  }

  [[noreturn]] void Run(int to_parent, bool append) {
    struct sigaction sa = {};
    sa.sa_handler = OnSignal;
    sigaction(SIGTERM, &sa, nullptr);
    sigaction(SIGUSR1, &sa, nullptr);
    int fd = Open(append);
    if (!pid_file_.empty()) WritePidFile();
    if (write(to_parent, "R", 1) != 1) _exit(14);
    int64_t n = 0;
    while (!stop_) {
      if (reopen_) {
        reopen_ = 0;
        close(fd);
        fd = Open(append);
        if (write(to_parent, "A", 1) != 1) _exit(15);
      }
      const std::string line = LogLine(static_cast<uint64_t>(n));
      if (write(fd, line.data(), line.size()) !=
          static_cast<ssize_t>(line.size())) {
        _exit(16);
      }
      ++n;
    }
    if (write(to_parent, &n, sizeof n) != sizeof n) _exit(17);
    _exit(0);
  }

  std::string path_;
  std::string pid_file_;
  std::unique_ptr<Child> child_;
  int from_child_ = -1;
};

}  // namespace retention
