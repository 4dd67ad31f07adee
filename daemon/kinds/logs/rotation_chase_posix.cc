// The head of a truncate rotation copied ahead of its cut (HeadChase,
// log_rotator.h): into an unnamed file beside the archive while the writer
// still fills the live file, written back to disk as it goes, so that the
// cut itself only copies and syncs what came since.
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <optional>
#include <thread>

#include "core/write_rate.h"
#include "kinds/logs/rotation_io_posix.h"

namespace retention::posix {
namespace {

using Steady = std::chrono::steady_clock;

// The head is written back to disk in chunks of this size as it is
// copied (and so are the live file's own dirty pages there), with two
// chunks in flight at most: the cut's syncs then have little left to write.
constexpr uint64_t kWriteBackEvery = 8u << 20;
// How long one wait for the writer may last: the cut is decided at most
// this late (at 100 MB/s, 2M).
constexpr Duration kMaxPoll = std::chrono::milliseconds(20);
constexpr Duration kMinPoll = std::chrono::milliseconds(1);
// The filesystem's journal is committed this often while the head is
// chased: the intent's fsync at the cut then commits only what came since
// (a commit can take hundreds of milliseconds on a busy disk, more with
// the `discard` mount option after large deletions).
constexpr Duration kCommitEvery = std::chrono::milliseconds(100);
// The cut itself waits for about this many journal commits (the archive
// with its intent and carry, synced together, then its rename). The periodic
// commit above is timed: when the disk is slower now than in the recent
// cuts (another writer's fsyncs flush its data first), the cut is planned
// from that many such commits instead of HeadChase::finish_time.
constexpr int kCommitsAtCut = 2;
// The head is compared with the live file at both ends of what was copied
// before the cut: a live file truncated and rewritten meanwhile (another
// rotation tool's copytruncate) fails the comparison.
constexpr uint64_t kCompared = 64u << 10;

Duration Since(Steady::time_point t) {
  return std::chrono::duration_cast<Duration>(Steady::now() - t);
}

// Writes [from, to) of `fd` back to disk; `wait`: until it is written.
// Write-back errors are the cut's fsync's to report.
void WriteBack(int fd, uint64_t from, uint64_t to, bool wait) {
  const unsigned flags =
      wait ? SYNC_FILE_RANGE_WAIT_BEFORE | SYNC_FILE_RANGE_WRITE |
                 SYNC_FILE_RANGE_WAIT_AFTER
           : SYNC_FILE_RANGE_WRITE;
  if (to > from) {
    sync_file_range(fd, static_cast<off_t>(from),
                    static_cast<off_t>(to - from), flags);
  }
}

// How far the head (and the live file's same bytes) is written back.
struct WrittenBack {
  uint64_t started = 0;  // write-back started up to here
  uint64_t written = 0;  // and done up to here
};

// The live file's pages of [from, to), written: dropped from the page cache,
// which the collapse would otherwise do with the writer waiting.
void Forget(int live, uint64_t from, uint64_t to) {
  posix_fadvise(live, static_cast<off_t>(from), static_cast<off_t>(to - from),
                POSIX_FADV_DONTNEED);
}

// Writes back whole chunks of the `copied` bytes, waiting for the chunk
// before each one it starts.
void KeepWritingBack(int live, int tmp, uint64_t carry, uint64_t copied,
                     WrittenBack* w) {
  while (copied - w->started >= kWriteBackEvery) {
    const uint64_t next = w->started + kWriteBackEvery;
    WriteBack(tmp, carry + w->started, carry + next, false);
    WriteBack(live, w->started, next, false);
    WriteBack(tmp, carry + w->written, carry + w->started, true);
    WriteBack(live, w->written, w->started, true);
    Forget(live, w->written, w->started);
    w->written = w->started;
    w->started = next;
  }
}

// How long to wait before looking again: half the time the writer needs
// to bring the file to its cut, within [kMinPoll, kMaxPoll].
Duration PollAfter(uint64_t size, uint64_t cut_at, double rate) {
  if (rate <= 0) return kMaxPoll;
  const double seconds = static_cast<double>(cut_at - size) / rate / 2;
  const auto d = std::chrono::duration_cast<Duration>(
      std::chrono::duration<double>(seconds));
  return std::clamp<Duration>(d, kMinPoll, kMaxPoll);
}

// Where the chase decides to cut: the cap less what the writer adds, at
// `rate`, in the time planned for the cut itself, `finish` (at most half
// the cap).
uint64_t CutAt(const HeadChase& chase, double rate, Duration finish) {
  const double finish_bytes =
      rate * std::chrono::duration<double>(finish).count();
  return chase.cap - std::min<uint64_t>(chase.cap / 2,
                                        static_cast<uint64_t>(finish_bytes));
}

Status CheckStillHead(int live, const ChasedHead& head, uint64_t carry,
                      const std::string& path) {
  const uint64_t n = std::min(head.copied, kCompared);
  StatusOr<bool> first = SameRange(live, 0, head.tmp.get(), carry, n);
  StatusOr<bool> last =
      first.ok() && *first
          ? SameRange(live, head.copied - n, head.tmp.get(),
                      carry + head.copied - n, n)
          : first;
  if (!last.ok()) return last.status();
  if (!*last) {
    return Status::Aborted(path +
                           ": rewritten while its head was copied; not cut");
  }
  return Status::Ok();
}

}  // namespace

StatusOr<UniqueFd> CreateArchiveTmpfile(const RotationTarget& t,
                                        const FileInfo& like) {
  UniqueFd fd(openat(t.archive_dir, ".", O_TMPFILE | O_RDWR | O_CLOEXEC,
                     0600));
  if (fd.get() < 0) {
    return Status::FromErrno(errno, "unnamed temp beside " + t.archive_path);
  }
  // As CreateArchiveTemp: a refused chown keeps the caller's owner.
  if (fchown(fd.get(), like.uid, like.gid) != 0 && errno != EPERM) {
    return Status::FromErrno(errno, "chown unnamed temp of " + t.archive_path);
  }
  if (fchmod(fd.get(), like.mode) != 0) {
    return Status::FromErrno(errno, "chmod unnamed temp of " + t.archive_path);
  }
  return fd;
}

Status LinkArchiveTemp(const RotationTarget& t, int tmp,
                       const std::string& name) {
  // Through /proc, which needs no privilege (AT_EMPTY_PATH needs
  // CAP_DAC_READ_SEARCH); linkat never replaces a name (EEXIST), as
  // O_EXCL.
  const std::string self = "/proc/self/fd/" + std::to_string(tmp);
  if (linkat(AT_FDCWD, self.c_str(), t.archive_dir, name.c_str(),
             AT_SYMLINK_FOLLOW) == 0) {
    return Status::Ok();
  }
  const int err = errno;
  if (err != ENOENT || linkat(tmp, "", t.archive_dir, name.c_str(),
                              AT_EMPTY_PATH) != 0) {
    return Status::FromErrno(err, "link temp " + name);
  }
  return Status::Ok();
}

StatusOr<std::optional<ChasedHead>> ChaseHead(const RotationTarget& t,
                                              int live, const FileInfo& like,
                                              int carry, uint64_t carry_size,
                                              const HeadChase& chase) {
  if (chase.cap <= like.size) return std::optional<ChasedHead>();
  const Steady::time_point start = Steady::now();
  StatusOr<UniqueFd> tmp = CreateArchiveTmpfile(t, like);
  // Without unnamed files here, the head is copied at the cut.
  if (!tmp.ok()) return std::optional<ChasedHead>();
  ChasedHead head;
  head.tmp = std::move(tmp).value();
  RETENTION_RETURN_IF_ERROR(
      CopyRange(carry, head.tmp.get(), 0, carry_size, t.live_path));
  WriteRate rate;
  WrittenBack back;
  Steady::time_point committed = start;
  // The slowest of the recent periodic commits (decaying by a quarter at
  // each one), and the finish planned from it.
  Duration commit{};
  Duration finish = chase.finish_time;
  for (;;) {
    StatusOr<FileInfo> now = StatxAt(live, "", t.live_path);
    if (!now.ok()) return now.status();
    if (now->size < head.copied) {
      return Status::Aborted(t.live_path +
                             ": shrank while its head was copied; not cut");
    }
    const Duration at = Since(start);
    rate.Observe(at, now->size);
    RETENTION_RETURN_IF_ERROR(CopyRange(live, head.tmp.get(), head.copied,
                                        now->size - head.copied, t.live_path));
    head.copied = now->size;
    KeepWritingBack(live, head.tmp.get(), carry_size, head.copied, &back);
    if (Since(committed) >= kCommitEvery) {
      const Steady::time_point before = Steady::now();
      RETENTION_RETURN_IF_ERROR(SyncFd(head.tmp.get(), t.archive_path));
      committed = Steady::now();
      commit = std::max(Since(before), commit - commit / 4);
      // No finish planned (0): cut at the cap, as asked.
      if (chase.finish_time > Duration::zero()) {
        finish = std::max(chase.finish_time, kCommitsAtCut * commit);
      }
    }
    const uint64_t cut_at = CutAt(chase, rate.bytes_per_second(), finish);
    if (head.copied >= cut_at || at >= chase.max_wait ||
        (chase.stopping && chase.stopping())) {
      break;
    }
    const Duration pause = PollAfter(head.copied, cut_at,
                                     rate.bytes_per_second());
    const Steady::time_point before = Steady::now();
    std::this_thread::sleep_for(pause);
    head.waited += Since(before);
  }
  RETENTION_RETURN_IF_ERROR(
      CheckStillHead(live, head, carry_size, t.live_path));
  return std::optional<ChasedHead>(std::move(head));
}

StatusOr<Duration> WaitForCap(int live, const std::string& path,
                              const HeadChase& chase) {
  const Steady::time_point start = Steady::now();
  WriteRate rate;
  Duration waited{};
  for (;;) {
    StatusOr<FileInfo> now = StatxAt(live, "", path);
    if (!now.ok()) return now.status();
    const Duration at = Since(start);
    rate.Observe(at, now->size);
    const uint64_t cut_at =
        CutAt(chase, rate.bytes_per_second(), chase.finish_time);
    if (now->size >= cut_at || at >= chase.max_wait ||
        (chase.stopping && chase.stopping())) {
      return waited;
    }
    const Duration pause =
        PollAfter(now->size, cut_at, rate.bytes_per_second());
    const Steady::time_point before = Steady::now();
    std::this_thread::sleep_for(pause);
    waited += Since(before);
  }
}

Status TrimChased(const RotationTarget& t, const ChasedHead& head,
                  uint64_t carry, uint64_t cut, int tmp) {
  if (head.copied <= cut) return Status::Ok();
  const off_t end = static_cast<off_t>(carry + cut);
  if (ftruncate(tmp, end) != 0 || lseek(tmp, end, SEEK_SET) < 0) {
    return Status::FromErrno(errno, "trim the head of " + t.archive_path);
  }
  return Status::Ok();
}

}  // namespace retention::posix
