#include <dirent.h>
#include <fcntl.h>
#include <fnmatch.h>
#include <sys/inotify.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <map>
#include <optional>

#include "core/size_watcher.h"

namespace retention {
namespace {

constexpr uint32_t kMask = IN_MODIFY | IN_CLOSE_WRITE | IN_CREATE |
                           IN_MOVED_TO | IN_ONLYDIR | IN_EXCL_UNLINK;

Duration MonotonicNow() {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return std::chrono::seconds(ts.tv_sec) + std::chrono::nanoseconds(ts.tv_nsec);
}

bool Matches(const SizeWatch& w, const std::string& name) {
  return std::any_of(w.globs.begin(), w.globs.end(), [&](const auto& g) {
    return fnmatch(g.c_str(), name.c_str(), FNM_PERIOD) == 0;
  });
}

// lstat of dir/name: a regular file's size, or nullopt (gone, a symlink,
// not a file). Symlinked live files are never followed.
std::optional<uint64_t> RegularFileSize(const std::string& dir,
                                        const std::string& name) {
  struct stat st;
  const std::string path = dir + "/" + name;
  if (lstat(path.c_str(), &st) != 0 || !S_ISREG(st.st_mode)) {
    return std::nullopt;
  }
  const uint64_t size = static_cast<uint64_t>(st.st_size);
  if (static_cast<uint64_t>(st.st_blocks) * 512 >= size) return size;
  // Sparse: a head never written (a writer without O_APPEND past a punched
  // head, kinds/logs) is not the file's size; its data from there is.
  const int fd = open(path.c_str(), O_RDONLY | O_NOFOLLOW | O_NONBLOCK |
                                        O_CLOEXEC);
  if (fd < 0) return size;
  const off_t data = lseek(fd, 0, SEEK_DATA);
  const int err = errno;
  close(fd);
  if (data < 0) return err == ENXIO ? 0 : size;
  return size - std::min<uint64_t>(static_cast<uint64_t>(data), size);
}

}  // namespace

StatusOr<std::unique_ptr<SizeWatcher>> SizeWatcher::Create() {
  const int fd = inotify_init1(IN_NONBLOCK | IN_CLOEXEC);
  if (fd < 0) return Status::FromErrno(errno, "inotify_init1");
  return std::unique_ptr<SizeWatcher>(new SizeWatcher(fd));
}

SizeWatcher::~SizeWatcher() {
  if (fd_ >= 0) close(fd_);
}

std::vector<std::string> SizeWatcher::SetWatches(
    std::vector<SizeWatch> watches) {
  for (const auto& [wd, indexes] : wds_) inotify_rm_watch(fd_, wd);
  wds_.clear();
  rates_.clear();
  watches_ = std::move(watches);
  std::vector<std::string> warnings;
  std::map<std::string, int> by_dir;  // directory -> wd
  for (size_t i = 0; i < watches_.size(); ++i) {
    const SizeWatch& w = watches_[i];
    if (w.cap == 0) continue;
    auto it = by_dir.find(w.dir);
    if (it == by_dir.end()) {
      const int wd = inotify_add_watch(fd_, w.dir.c_str(), kMask);
      if (wd < 0) {
        warnings.push_back(w.policy + ": cannot watch " + w.dir + ": " +
                           std::strerror(errno) +
                           "; its size cap is checked every run only");
        continue;
      }
      it = by_dir.emplace(w.dir, wd).first;
    }
    auto wd_it = std::find_if(wds_.begin(), wds_.end(), [&](const auto& e) {
      return e.first == it->second;
    });
    if (wd_it == wds_.end()) {
      wds_.push_back({it->second, {}});
      wd_it = wds_.end() - 1;
    }
    wd_it->second.push_back(i);
  }
  return warnings;
}

void SizeWatcher::CheckName(int wd, const std::string& name,
                            std::set<std::string>* due) {
  for (const auto& [watch_wd, indexes] : wds_) {
    if (watch_wd != wd) continue;
    for (size_t i : indexes) {
      const SizeWatch& w = watches_[i];
      if (due->count(w.policy) || !Matches(w, name)) continue;
      auto size = RegularFileSize(w.dir, name);
      if (size && Due(w, name, *size)) due->insert(w.policy);
    }
  }
}

bool SizeWatcher::Due(const SizeWatch& w, const std::string& name,
                      uint64_t size) {
  if (size >= w.cap) return true;
  if (!w.rotation_time_ns) return false;
  const std::string path = w.dir + "/" + name;
  WriteRate& rate = rates_[path];
  rate.Observe(MonotonicNow(), size);
  const uint64_t lead = RotationLead(
      rate.bytes_per_second(), Duration(w.rotation_time_ns->load()), w.cap,
      w.max_lead);
  if (lead == 0 || size + lead < w.cap) return false;
  early_.push_back({w.policy, path, size, rate.bytes_per_second(), lead});
  return true;
}

std::vector<EarlyCrossing> SizeWatcher::TakeEarly() {
  std::vector<EarlyCrossing> out;
  out.swap(early_);
  return out;
}

void SizeWatcher::CheckWatch(const SizeWatch& w, std::set<std::string>* due) {
  if (w.cap == 0 || due->count(w.policy)) return;
  DIR* d = opendir(w.dir.c_str());
  if (d == nullptr) return;  // the periodic run reports it
  while (const dirent* e = readdir(d)) {
    const std::string name = e->d_name;
    if (name == "." || name == ".." || !Matches(w, name)) continue;
    auto size = RegularFileSize(w.dir, name);
    if (size && Due(w, name, *size)) {
      due->insert(w.policy);
      break;
    }
  }
  closedir(d);
}

std::set<std::string> SizeWatcher::CheckAll() {
  std::set<std::string> due;
  for (const SizeWatch& w : watches_) CheckWatch(w, &due);
  return due;
}

std::set<std::string> SizeWatcher::HandleEvents() {
  std::set<std::string> due;
  // (wd, name) pairs seen in this batch: a busy writer produces thousands
  // of IN_MODIFY events per second for the same file; stat each once.
  std::set<std::pair<int, std::string>> seen;
  bool overflow = false;
  alignas(inotify_event) char buffer[64 * 1024];
  for (;;) {
    const ssize_t n = read(fd_, buffer, sizeof(buffer));
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) break;  // EAGAIN: drained
    for (ssize_t at = 0; at < n;) {
      const auto* e = reinterpret_cast<const inotify_event*>(buffer + at);
      at += static_cast<ssize_t>(sizeof(inotify_event) + e->len);
      if (e->mask & IN_Q_OVERFLOW) {
        overflow = true;
        continue;
      }
      if (e->len == 0 || (e->mask & IN_ISDIR)) continue;
      seen.emplace(e->wd, std::string(e->name));
    }
  }
  if (overflow) {
    ++overflows_;
    return CheckAll();
  }
  for (const auto& [wd, name] : seen) CheckName(wd, name, &due);
  return due;
}

}  // namespace retention
