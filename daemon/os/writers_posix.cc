// Who writes a file. IsOpenForWriting asks the kernel with a read lease,
// which needs no access to other processes. The /proc/*/fd scan (following
// each descriptor's magic link with fstatat, so deleted and renamed files
// are found by identity, never by name) is the fallback where leases are
// refused, and names writers in messages: it sees only the processes the
// caller may inspect (without CAP_SYS_PTRACE, under ProtectProc=invisible:
// its own user's), and reports whether it saw them all.
#include <dirent.h>
#include <fcntl.h>
#include <signal.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <charconv>
#include <functional>
#include <memory>
#include <string_view>

#include "os/file_posix.h"

namespace retention {
namespace {

using posix::UniqueFd;

// A non-negative decimal number, or -1.
int ParseNumber(std::string_view name) {
  int n = -1;
  auto [end, ec] = std::from_chars(name.data(), name.data() + name.size(), n);
  if (ec != std::errc() || end != name.data() + name.size() || n < 0) {
    return -1;
  }
  return n;
}

// The names in the directory `dir`, without dots; empty if unreadable. A
// fresh open of "." gets its own offset and leaves `dir` untouched.
std::vector<std::string> ListNames(int dir) {
  std::vector<std::string> names;
  int fd = openat(dir, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (fd < 0) return names;
  DIR* stream = fdopendir(fd);
  if (stream == nullptr) {
    close(fd);
    return names;
  }
  std::unique_ptr<DIR, int (*)(DIR*)> closer(stream, closedir);
  while (const struct dirent* entry = readdir(stream)) {
    std::string_view name = entry->d_name;
    if (name != "." && name != "..") names.emplace_back(name);
  }
  return names;
}

// The open flags of descriptor `fd` of `pid` (the "flags:" line of
// /proc/PID/fdinfo/FD, octal), or -1 if unreadable.
long OpenFlags(int pid, int fd) {
  const std::string path =
      "/proc/" + std::to_string(pid) + "/fdinfo/" + std::to_string(fd);
  UniqueFd in(open(path.c_str(), O_RDONLY | O_CLOEXEC));
  if (in.get() < 0) return -1;
  char buf[512];
  ssize_t n = read(in.get(), buf, sizeof buf - 1);
  if (n <= 0) return -1;
  std::string_view text(buf, static_cast<size_t>(n));
  size_t at = text.find("flags:");
  if (at == std::string_view::npos) return -1;
  text.remove_prefix(at + 6);
  while (!text.empty() && (text[0] == ' ' || text[0] == '\t')) {
    text.remove_prefix(1);
  }
  long flags = -1;
  auto [end, ec] =
      std::from_chars(text.data(), text.data() + text.size(), flags, 8);
  return ec == std::errc() ? flags : -1;
}

bool Writes(long flags) {
  return flags >= 0 && (flags & O_ACCMODE) != O_RDONLY;
}

// A descriptor of another process that refers to the file: its pid and
// open flags (-1 if unreadable).
struct Holder {
  int pid;
  long flags;
};

// What the scan saw. `complete` is false when some process could not be
// inspected: its fd directory was refused, or /proc hides processes (pid 1
// is not listed: hidepid=invisible, ProtectProc=invisible).
struct HolderScan {
  std::vector<Holder> holders;
  bool complete = true;
};

StatusOr<HolderScan> ScanHolders(const FileInfo& file) {
  UniqueFd proc(open("/proc", O_RDONLY | O_DIRECTORY | O_CLOEXEC));
  if (proc.get() < 0) return Status::FromErrno(errno, "open /proc");
  const int self = getpid();
  HolderScan scan;
  bool saw_init = self == 1;
  for (const std::string& entry : ListNames(proc.get())) {
    const int pid = ParseNumber(entry);
    saw_init |= pid == 1;
    if (pid <= 0 || pid == self) continue;
    UniqueFd fds(openat(proc.get(), (entry + "/fd").c_str(),
                        O_RDONLY | O_DIRECTORY | O_CLOEXEC));
    if (fds.get() < 0) {
      // ENOENT: it exited since the listing. Anything else: not ours to see.
      if (errno != ENOENT) scan.complete = false;
      continue;
    }
    for (const std::string& fd_name : ListNames(fds.get())) {
      struct stat st;
      if (fstatat(fds.get(), fd_name.c_str(), &st, 0) != 0) continue;
      if (st.st_dev != file.dev || st.st_ino != file.ino) continue;
      scan.holders.push_back({pid, OpenFlags(pid, ParseNumber(fd_name))});
    }
  }
  if (!saw_init) scan.complete = false;
  return scan;
}

// Sorted, distinct pids of the holders `keep` accepts.
std::vector<int> Pids(const HolderScan& scan,
                      const std::function<bool(long flags)>& keep) {
  std::vector<int> pids;
  for (const Holder& h : scan.holders) {
    if (keep(h.flags)) pids.push_back(h.pid);
  }
  std::sort(pids.begin(), pids.end());
  pids.erase(std::unique(pids.begin(), pids.end()), pids.end());
  return pids;
}

// The fallback of IsOpenForWriting once the kernel refused a lease
// (`refusal` says why).
StatusOr<bool> ScanForWriters(const FileInfo& file, const Status& refusal) {
  StatusOr<HolderScan> scan = ScanHolders(file);
  if (!scan.ok()) return scan.status();
  // A descriptor whose flags could not be read may be a writer's.
  const bool writer = std::any_of(
      scan->holders.begin(), scan->holders.end(),
      [](const Holder& h) { return h.flags < 0 || Writes(h.flags); });
  if (writer) return true;
  if (scan->complete) return false;
  return Status::FailedPrecondition(
      "cannot tell whether a writer has it open: " + refusal.ToString() +
      ", and /proc shows only some processes");
}

// A read lease on `fd` (open read-only), released at once: granted only
// while no file description of the inode is open for writing. OK(false):
// granted; OK(true): refused because of a writer (EAGAIN); an error: the
// kernel refused leases here.
StatusOr<bool> TryReadLease(int fd, const std::string& path) {
  // The kernel signals a lease holder when someone opens the file for
  // writing, SIGIO by default, which would end the process. SIGURG is
  // ignored unless handled, and the lease is gone microseconds later.
  if (fcntl(fd, F_SETSIG, SIGURG) != 0) {
    return Status::FromErrno(errno, "fcntl F_SETSIG " + path);
  }
  if (fcntl(fd, F_SETLEASE, F_RDLCK) != 0) {
    if (errno == EAGAIN) return true;
    return Status::FromErrno(errno, "read lease on " + path);
  }
  // Closing the descriptor releases the lease as well; unlocking first
  // keeps a writer that opens right now from waiting for the close.
  (void)fcntl(fd, F_SETLEASE, F_UNLCK);
  return false;
}

}  // namespace

StatusOr<bool> posix::IsOpenForWriting(Dir& dir, const std::string& name,
                                       const FileInfo& file) {
  const std::string path = dir.path() + "/" + name;
  StatusOr<UniqueFd> fd = posix::OpenRegular(posix::DirFd(dir), name, path);
  if (!fd.ok()) return fd.status();
  StatusOr<FileInfo> now = posix::StatxAt(fd->get(), "", path);
  if (!now.ok()) return now.status();
  if (!now->SameIdentity(file)) {
    return Status::Aborted(path + ": replaced since it was examined");
  }
  StatusOr<bool> writer = TryReadLease(fd->get(), path);
  if (writer.ok()) return writer;
  return ScanForWriters(file, writer.status());
}

StatusOr<std::vector<int>> posix::VisibleWriters(const FileInfo& file) {
  StatusOr<HolderScan> scan = ScanHolders(file);
  if (!scan.ok()) return scan.status();
  return Pids(*scan, Writes);
}

StatusOr<std::vector<int>> posix::NonAppendWriters(const FileInfo& file) {
  StatusOr<HolderScan> scan = ScanHolders(file);
  if (!scan.ok()) return scan.status();
  return Pids(*scan,
              [](long flags) { return Writes(flags) && !(flags & O_APPEND); });
}

}  // namespace retention
