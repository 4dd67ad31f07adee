// CompressionPool (compression_pool.h): its threads and their clock.
#include <signal.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <chrono>

#include "compress/compression_pool.h"

namespace retention {
namespace {

// Lowers the calling thread's CPU priority by kCompressNice (at most to
// 19) and puts its I/O in the lowest best-effort level: compressing an
// archive can wait, a rotation racing its writer and the application
// cannot (Debian's logrotate.service runs with Nice=19 and
// IOSchedulingPriority=7 for the same reason). Best effort: a refusal
// leaves the thread as it was.
void LowerThreadPriority() {
  const auto tid = static_cast<id_t>(syscall(SYS_gettid));
  errno = 0;
  const int nice = getpriority(PRIO_PROCESS, tid);
  if (errno == 0) {
    (void)setpriority(PRIO_PROCESS, tid,
                      std::min(19, nice + CompressionPool::kCompressNice));
  }
  // ioprio_set has no glibc wrapper: IOPRIO_WHO_PROCESS (1), a thread id,
  // class best effort (2) << 13 | level 7.
  (void)syscall(SYS_ioprio_set, 1, tid, (2 << 13) | 7);
}

}  // namespace

size_t CompressionPool::DefaultThreads() {
  return std::max(1u, std::thread::hardware_concurrency());
}

CompressionPool::CompressionPool(size_t threads)
    : max_threads_(std::max<size_t>(1, threads)) {}

CompressionPool::~CompressionPool() {
  {
    std::lock_guard<std::mutex> lock(mu_);
    stop_ = true;
    queue_.clear();
  }
  cv_.notify_all();
  for (std::thread& t : threads_) t.join();
}

void CompressionPool::SetThreads(size_t threads) {
  std::lock_guard<std::mutex> lock(mu_);
  max_threads_ = std::max<size_t>(1, threads);
}

size_t CompressionPool::started() const {
  std::lock_guard<std::mutex> lock(mu_);
  return threads_.size();
}

Duration CompressionPool::Now() const {
  return std::chrono::duration_cast<Duration>(
      std::chrono::steady_clock::now().time_since_epoch());
}

void CompressionPool::Post(const void* owner, Work work) {
  {
    std::lock_guard<std::mutex> lock(mu_);
    if (stop_) return;
    queue_.push_back(Item{owner, std::move(work), Duration{}, next_seq_++});
    // A thread more while every started one may be busy.
    if (threads_.size() < max_threads_ &&
        threads_.size() < running_.size() + queue_.size()) {
      // A new thread inherits the creator's signal mask: start it with
      // every signal blocked, then restore the creator's.
      sigset_t all, old;
      sigfillset(&all);
      pthread_sigmask(SIG_BLOCK, &all, &old);
      threads_.emplace_back([this] {
        LowerThreadPriority();
        Loop();
      });
      pthread_sigmask(SIG_SETMASK, &old, nullptr);
    }
  }
  cv_.notify_one();
}

void CompressionPool::Withdraw(const void* owner) {
  std::unique_lock<std::mutex> lock(mu_);
  auto mine = [&](const Item& i) { return i.owner == owner; };
  std::erase_if(queue_, mine);
  // A running piece that asks to run again is dropped as it ends, not
  // queued: the mutex is not fair, and a worker could otherwise rerun it
  // many times before this thread gets the lock back.
  withdrawing_.push_back(owner);
  ended_.wait(lock, [&] {
    return std::find(running_.begin(), running_.end(), owner) ==
           running_.end();
  });
  withdrawing_.erase(
      std::find(withdrawing_.begin(), withdrawing_.end(), owner));
}

std::optional<CompressionPool::Item> CompressionPool::Take(
    Duration now, Duration* wait_until) {
  *wait_until = Duration::max();
  auto best = queue_.end();
  for (auto it = queue_.begin(); it != queue_.end(); ++it) {
    // One piece of an owner's work at a time: it keeps its own order.
    if (std::find(running_.begin(), running_.end(), it->owner) !=
        running_.end()) {
      continue;
    }
    if (it->not_before > now) {
      *wait_until = std::min(*wait_until, it->not_before);
      continue;
    }
    if (best == queue_.end() || it->seq < best->seq) best = it;
  }
  if (best == queue_.end()) return std::nullopt;
  Item item = std::move(*best);
  queue_.erase(best);
  return item;
}

void CompressionPool::Loop() {
  std::unique_lock<std::mutex> lock(mu_);
  while (!stop_) {
    Duration wait_until;
    std::optional<Item> item = Take(Now(), &wait_until);
    if (!item) {
      if (wait_until == Duration::max()) {
        cv_.wait(lock);  // no timeout: an idle pool never wakes
      } else {
        cv_.wait_for(lock, wait_until - Now());
      }
      continue;
    }
    running_.push_back(item->owner);
    lock.unlock();
    std::optional<Duration> again = item->work();
    lock.lock();
    running_.erase(std::find(running_.begin(), running_.end(), item->owner));
    bool withdrawn = std::find(withdrawing_.begin(), withdrawing_.end(),
                               item->owner) != withdrawing_.end();
    if (again && !stop_ && !withdrawn) {
      // Keeps its place in the order: it runs first once it may.
      item->not_before = Now() + *again;
      queue_.push_back(std::move(*item));
    }
    ended_.notify_all();
    // Work of this owner, or a delayed piece, may be runnable by another
    // thread now.
    cv_.notify_all();
  }
}

}  // namespace retention
