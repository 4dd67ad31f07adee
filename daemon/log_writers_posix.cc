// Who holds a file: AnyProcessHolds and NonAppendWriters scan /proc/*/fd,
// following each descriptor's magic link with fstatat (so deleted and
// renamed files are found by identity, never by name). Processes that exit
// mid-scan or may not be inspected are skipped: the answer is what the
// caller could see.
#include <dirent.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <charconv>
#include <functional>
#include <memory>
#include <string_view>

#include "file_posix.h"
#include "log_rotation.h"

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

// Calls `visit(pid, fd)` for each descriptor of another process that refers
// to `file`; stops early when `visit` returns false.
using HolderFn = std::function<bool(int pid, int fd)>;
Status ForEachHolder(const FileInfo& file, const HolderFn& visit) {
  UniqueFd proc(open("/proc", O_RDONLY | O_DIRECTORY | O_CLOEXEC));
  if (proc.get() < 0) return Status::FromErrno(errno, "open /proc");
  const int self = getpid();
  for (const std::string& entry : ListNames(proc.get())) {
    const int pid = ParseNumber(entry);
    if (pid <= 0 || pid == self) continue;
    UniqueFd fds(openat(proc.get(), (entry + "/fd").c_str(),
                        O_RDONLY | O_DIRECTORY | O_CLOEXEC));
    if (fds.get() < 0) continue;  // exited, or not ours to inspect
    for (const std::string& fd_name : ListNames(fds.get())) {
      struct stat st;
      if (fstatat(fds.get(), fd_name.c_str(), &st, 0) != 0) continue;
      if (st.st_dev != file.dev || st.st_ino != file.ino) continue;
      if (!visit(pid, ParseNumber(fd_name))) return Status::Ok();
    }
  }
  return Status::Ok();
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

}  // namespace

StatusOr<bool> AnyProcessHolds(const FileInfo& file) {
  bool held = false;
  RETENTION_RETURN_IF_ERROR(ForEachHolder(file, [&](int, int) {
    held = true;
    return false;
  }));
  return held;
}

StatusOr<std::vector<int>> NonAppendWriters(const FileInfo& file) {
  std::vector<int> pids;
  RETENTION_RETURN_IF_ERROR(ForEachHolder(file, [&](int pid, int fd) {
    long flags = OpenFlags(pid, fd);
    if (flags >= 0 && (flags & O_ACCMODE) != O_RDONLY && !(flags & O_APPEND)) {
      pids.push_back(pid);
    }
    return true;
  }));
  std::sort(pids.begin(), pids.end());
  pids.erase(std::unique(pids.begin(), pids.end()), pids.end());
  return pids;
}

}  // namespace retention
