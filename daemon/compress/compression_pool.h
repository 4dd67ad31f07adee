// CompressionPool: the threads that compress rotated logs, shared by every
// [logs.*] policy, so that 50 policies cost as many threads as one. Work is
// run in the order it was posted (FIFO across owners; an owner's pieces one
// at a time, in their order), by at most
// `threads` threads, started when work first arrives: a daemon with
// nothing to compress has none, and an idle thread blocks without waking.
//
// A piece of work may ask to run again later (a reopened archive whose
// writer has not let go yet): it returns the delay, and the thread is free
// for other work meanwhile; only then does a thread wait with a timeout.
//
// The threads run kCompressNice below the daemon's CPU priority, and at
// the lowest best-effort I/O priority: rotations and the application come
// first.
//
// Threading: Post, Withdraw and SetThreads from any thread. Withdraw(owner)
// must be called before an owner that posted work is destroyed. The
// threads block every signal (signals are the main loop's).
#pragma once

#include <condition_variable>
#include <cstddef>
#include <deque>
#include <functional>
#include <mutex>
#include <optional>
#include <thread>
#include <vector>

#include "base/clock.h"

namespace retention {

class CompressionPool {
 public:
  // nullopt: done; a duration: run again that much later.
  using Work = std::function<std::optional<Duration>()>;

  // How much nicer than the daemon the threads are (capped at 19).
  static constexpr int kCompressNice = 10;
  // The default size: the number of cores (at least 1).
  static size_t DefaultThreads();

  explicit CompressionPool(size_t threads = DefaultThreads());
  ~CompressionPool();  // drops queued work, joins the threads
  CompressionPool(const CompressionPool&) = delete;
  CompressionPool& operator=(const CompressionPool&) = delete;

  // At most `threads` (>= 1) threads from now on; threads already started
  // beyond that stay until the pool goes (a reload does not stop work).
  void SetThreads(size_t threads);
  // Queues `work` for `owner` (any address that identifies it).
  void Post(const void* owner, Work work);
  // Drops `owner`'s queued work and waits until none of its work runs.
  // The owner makes the running work stop soon (its own abort flag).
  void Withdraw(const void* owner);
  // Threads started so far (tests, the bench).
  size_t started() const;

 private:
  struct Item {
    const void* owner = nullptr;
    Work work;
    Duration not_before{};  // the pool's own monotonic time; 0: at once
    uint64_t seq = 0;       // posting order
  };
  void Loop();
  // The next item a thread may run now, or nullopt with *wait_until set to
  // when one becomes runnable (Duration::max(): none queued). mu_ held.
  std::optional<Item> Take(Duration now, Duration* wait_until);
  Duration Now() const;  // monotonic, in the *_posix.cc

  mutable std::mutex mu_;
  std::condition_variable cv_;     // work queued, or stop
  std::condition_variable ended_;  // a piece of work ended
  std::deque<Item> queue_;
  std::vector<const void*> running_;  // owners of work at work, one per run
  std::vector<const void*> withdrawing_;  // owners whose reruns are dropped
  size_t max_threads_;
  uint64_t next_seq_ = 0;
  bool stop_ = false;
  std::vector<std::thread> threads_;
};

}  // namespace retention
