// The head of a truncate rotation copied ahead of its cut (HeadChase,
// log_rotator.h): into an unnamed file beside the archive while the writer
// still fills the live file, written back to disk as it goes (by a thread
// of its own, so that no wait for the disk delays the decision to cut),
// so that the cut itself only syncs what came since.
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cerrno>
#include <chrono>
#include <condition_variable>
#include <mutex>
#include <optional>
#include <thread>

#include "core/write_rate.h"
#include "kinds/logs/rotation_io_posix.h"

namespace retention::posix {
namespace {

using Steady = std::chrono::steady_clock;

// The head is written back to disk in chunks of this size as it is
// copied (and so are the live file's own dirty pages there), with two
// chunks in flight at most.
constexpr uint64_t kWriteBackEvery = 8u << 20;
// The cut archives at most this much of the head beyond what is written
// back already: the rest stays in the live file for the next archive. On
// a disk busy with another writer's data the copy and its write-back fall
// behind; the cut then still comes on time and syncs little, and the
// archive ends below the cap.
constexpr uint64_t kUnwrittenAtCut = 2 * kWriteBackEvery;
// A cut that would take less than half the cap waits for the write-back
// until the writer is within this share of the planned finish time of the
// cap.
constexpr int kFinishShare = 4;
// The filesystem's journal is committed this often while the head is
// chased (by the write-back thread): the cut's sync then commits only
// what came since (one commit after large deletions took 380 ms on ext4
// mounted with `discard`, with the writer adding to the live file). Not
// more often than every kCommitSpacing times the last commit took: on a
// disk busy with another writer's fsyncs each commit waits for its data,
// and the thread's write-back would stall behind them.
constexpr Duration kCommitEvery = std::chrono::milliseconds(100);
constexpr int kCommitSpacing = 10;
// The chase's own estimate of the writer's rate is its growth since the
// chase began, once it has watched this long (before, the watcher's):
// rates over a few milliseconds of a writer throttled in bursts read
// several times too high, and cut at once.
constexpr Duration kOwnRateAfter = std::chrono::milliseconds(100);
// At most this much is copied between two looks at the live file's size.
constexpr uint64_t kCopyStep = 4u << 20;
// How long one wait for the writer may last: the cut is decided at most
// this late (at 100 MB/s, 2M).
constexpr Duration kMaxPoll = std::chrono::milliseconds(20);
constexpr Duration kMinPoll = std::chrono::milliseconds(1);
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

// The live file's pages of [from, to), written: dropped from the page cache,
// which the collapse would otherwise do with the writer waiting.
void Forget(int live, uint64_t from, uint64_t to) {
  posix_fadvise(live, static_cast<off_t>(from), static_cast<off_t>(to - from),
                POSIX_FADV_DONTNEED);
}

}  // namespace

// Follows the copy on a thread of its own: writes back whole chunks of
// the copied head and of the live file's same bytes, waiting for the chunk
// before each one it starts, commits the journal every kCommitEvery, and
// says how far the head is written. Works on its own duplicates of both
// descriptors.
class WriteBackFollower {
 public:
  WriteBackFollower(int live, int tmp, uint64_t carry)
      : live_(dup(live)), tmp_(dup(tmp)), carry_(carry) {
    thread_ = std::thread([this] { Loop(); });
  }
  ~WriteBackFollower() {
    Stop();
    thread_.join();
  }
  // The head holds live[0, copied) now.
  void Copied(uint64_t copied) {
    {
      std::lock_guard lock(mu_);
      copied_ = copied;
    }
    cv_.notify_one();
  }
  // Live bytes of the head written back (a lower bound).
  uint64_t written() const { return written_.load(); }
  // No further chunk is started; the one in flight finishes.
  void Stop() {
    {
      std::lock_guard lock(mu_);
      stop_ = true;
    }
    cv_.notify_one();
  }

 private:
  void Loop() {
    uint64_t started = 0;
    uint64_t waited = 0;  // both files written back up to here
    Steady::time_point committed = Steady::now();
    Duration commit_every = kCommitEvery;
    for (;;) {
      bool chunk = false;
      uint64_t copied = 0;
      {
        std::unique_lock lock(mu_);
        cv_.wait_until(lock, committed + commit_every, [&] {
          return stop_ || copied_ - started >= kWriteBackEvery;
        });
        if (stop_) return;
        copied = copied_;
        chunk = copied - started >= kWriteBackEvery;
      }
      // Only while little is left to write back: a commit must not write
      // back what the chunks have not (on a busy disk that took seconds,
      // and the cut waits for the write-back in flight).
      if (Since(committed) >= commit_every &&
          copied - waited <= kUnwrittenAtCut) {
        const Steady::time_point before = Steady::now();
        // Errors are the cut's fsync's to report.
        if (fsync(tmp_.get()) == 0 && copied > written_.load()) {
          written_.store(copied);
        }
        committed = Steady::now();
        commit_every = std::max(kCommitEvery, kCommitSpacing * Since(before));
      }
      if (!chunk) continue;
      const uint64_t done = started;
      started += kWriteBackEvery;
      WriteBack(tmp_.get(), carry_ + done, carry_ + started, false);
      WriteBack(live_.get(), done, started, false);
      WriteBack(tmp_.get(), carry_ + waited, carry_ + done, true);
      WriteBack(live_.get(), waited, done, true);
      Forget(live_.get(), waited, done);
      waited = done;
      if (done > written_.load()) written_.store(done);
    }
  }

  const UniqueFd live_;
  const UniqueFd tmp_;
  const uint64_t carry_;
  std::mutex mu_;
  std::condition_variable cv_;
  uint64_t copied_ = 0;
  bool stop_ = false;
  std::atomic<uint64_t> written_{0};
  std::thread thread_;  // last: started once the rest exists
};

ChasedHead::ChasedHead() = default;
ChasedHead::~ChasedHead() = default;
ChasedHead::ChasedHead(ChasedHead&&) noexcept = default;

namespace {

// How long to wait before looking again: half the time the writer needs
// to bring the file to its cut, within [kMinPoll, kMaxPoll].
Duration PollAfter(uint64_t size, uint64_t cut_at, double rate) {
  if (rate <= 0) return kMaxPoll;
  const double seconds = static_cast<double>(cut_at - size) / rate / 2;
  const auto d = std::chrono::duration_cast<Duration>(
      std::chrono::duration<double>(seconds));
  return std::clamp<Duration>(d, kMinPoll, kMaxPoll);
}

// The time the writer needs to bring the file from `size` to `cut_at`.
Duration TimeLeft(uint64_t size, uint64_t cut_at, double rate) {
  if (rate <= 0) return Duration::max();
  const double seconds = static_cast<double>(cut_at - size) / rate;
  if (seconds > 1e6) return Duration::max();
  return std::chrono::duration_cast<Duration>(
      std::chrono::duration<double>(seconds));
}

// One wait for the writer: the caller's work meanwhile (HeadChase) if a
// piece of it fits, a sleep otherwise. Returns how long it took.
Duration WaitForWriter(const HeadChase& chase, uint64_t size,
                       uint64_t cut_at, double rate) {
  const Steady::time_point before = Steady::now();
  if (!chase.meanwhile || !chase.meanwhile(TimeLeft(size, cut_at, rate))) {
    std::this_thread::sleep_for(PollAfter(size, cut_at, rate));
  }
  return Since(before);
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

// On a busy disk the write-back falls behind, and a cut decided at the cut
// point (planned from the slowest recent cut) took only what was written
// back: 16 MiB of a 200M cap, again at each rotation, while the file
// stayed near its cut point, until it passed the cap.
uint64_t ChaseDueAt(const HeadChase& chase, double rate, uint64_t size,
                    uint64_t written) {
  const uint64_t cut_at = CutAt(chase, rate, chase.finish_time);
  const uint64_t cut = std::min(size, written + kUnwrittenAtCut);
  if (size < cut_at || cut >= std::min(size, chase.cap / 2)) return cut_at;
  return CutAt(chase, rate, chase.finish_time / kFinishShare);
}

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
  head.follower = std::make_unique<WriteBackFollower>(live, head.tmp.get(),
                                                      carry_size);
  double rate = chase.bytes_per_second;
  for (;;) {
    StatusOr<FileInfo> now = StatxAt(live, "", t.live_path);
    if (!now.ok()) return now.status();
    if (now->size < head.copied) break;  // said below
    const Duration at = Since(start);
    if (at >= kOwnRateAfter) {
      const uint64_t grown = now->size > like.size ? now->size - like.size : 0;
      rate = static_cast<double>(grown) /
             std::chrono::duration<double>(at).count();
    }
    const uint64_t step = std::min(now->size - head.copied, kCopyStep);
    RETENTION_RETURN_IF_ERROR(
        CopyRange(live, head.tmp.get(), head.copied, step, t.live_path));
    head.copied += step;
    head.follower->Copied(head.copied);
    // Decided on the live file's size, whether or not the copy keeps up.
    // No finish planned (0): cut at the cap, as asked.
    const uint64_t due_at =
        ChaseDueAt(chase, rate, now->size, head.follower->written());
    if (now->size >= due_at || at >= chase.max_wait ||
        (chase.stopping && chase.stopping())) {
      break;
    }
    if (head.copied < now->size) continue;  // behind the writer
    head.waited += WaitForWriter(chase, head.copied, due_at, rate);
  }
  head.decided = Steady::now();
  head.follower->Stop();
  // The head ends where the live file does now, or where the cut can sync
  // soon.
  StatusOr<FileInfo> now = StatxAt(live, "", t.live_path);
  if (!now.ok()) return now.status();
  if (now->size < head.copied) {
    return Status::Aborted(t.live_path +
                           ": shrank while its head was copied; not cut");
  }
  const uint64_t upto =
      std::min(now->size, head.follower->written() + kUnwrittenAtCut);
  if (upto > head.copied) {
    RETENTION_RETURN_IF_ERROR(CopyRange(live, head.tmp.get(), head.copied,
                                        upto - head.copied, t.live_path));
  }
  head.copied = upto;
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
    // The watcher's rate until the chase has one of its own: "unknown"
    // would let a long deletion run meanwhile (DeleteMeanwhile).
    const double bytes_per_second = rate.bytes_per_second() > 0
                                        ? rate.bytes_per_second()
                                        : chase.bytes_per_second;
    const uint64_t cut_at = CutAt(chase, bytes_per_second, chase.finish_time);
    if (now->size >= cut_at || at >= chase.max_wait ||
        (chase.stopping && chase.stopping())) {
      return waited;
    }
    waited += WaitForWriter(chase, now->size, cut_at, bytes_per_second);
  }
}

Status TrimChased(const RotationTarget& t, const ChasedHead& head,
                  uint64_t carry, uint64_t cut, int tmp) {
  // Never longer: a cut past what was copied is copied after the trim.
  const off_t end = static_cast<off_t>(carry + std::min(cut, head.copied));
  if (ftruncate(tmp, end) != 0 || lseek(tmp, end, SEEK_SET) < 0) {
    return Status::FromErrno(errno, "trim the head of " + t.archive_path);
  }
  return Status::Ok();
}

}  // namespace retention::posix
