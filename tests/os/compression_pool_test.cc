// The compression pool every log policy shares: its threads are started
// only when work arrives and never exceed its size, work runs in posting
// order across owners and one piece per owner at a time, a delayed piece
// frees its thread, and Withdraw leaves nothing of an owner behind.
#include <sys/resource.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <catch2/catch.hpp>
#include <chrono>
#include <condition_variable>
#include <mutex>
#include <string>
#include <vector>

#include "compress/compression_pool.h"

namespace retention::compression_pool_test {
namespace {

// Records the order pieces ran in; Wait() until `n` have.
struct Log {
  std::mutex mu;
  std::condition_variable cv;
  std::vector<std::string> order;
  void Add(const std::string& what) {
    std::lock_guard<std::mutex> lock(mu);
    order.push_back(what);
    cv.notify_all();
  }
  void Wait(size_t n) {
    std::unique_lock<std::mutex> lock(mu);
    cv.wait(lock, [&] { return order.size() >= n; });
  }
};

// A piece that blocks until released, so that a test controls when the
// pool's threads are busy.
struct Gate {
  std::mutex mu;
  std::condition_variable cv;
  bool open = false;
  void Pass() {
    std::unique_lock<std::mutex> lock(mu);
    cv.wait(lock, [&] { return open; });
  }
  void Open() {
    std::lock_guard<std::mutex> lock(mu);
    open = true;
    cv.notify_all();
  }
};

CompressionPool::Work Note(Log& log, std::string what) {
  return [&log, what]() -> std::optional<Duration> {
    log.Add(what);
    return std::nullopt;
  };
}

}  // namespace

TEST_CASE("the compression pool's threads run nicer than the daemon, at the lowest best-effort I/O level") {
  const int mine = getpriority(PRIO_PROCESS, 0);
  std::atomic<int> nice{-100}, ioprio{-1};
  Log log;
  {
    CompressionPool pool(1);
    pool.Post(&log, [&]() -> std::optional<Duration> {
      const auto tid = static_cast<id_t>(syscall(SYS_gettid));
      nice = getpriority(PRIO_PROCESS, tid);
      ioprio = static_cast<int>(syscall(SYS_ioprio_get, 1, tid));
      log.Add("ran");
      return std::nullopt;
    });
    log.Wait(1);
  }
  CHECK(nice == std::min(19, mine + CompressionPool::kCompressNice));
  CHECK(ioprio == ((2 << 13) | 7));  // best effort, level 7
  CHECK(getpriority(PRIO_PROCESS, 0) == mine);  // the caller's is kept
}

TEST_CASE("the compression pool starts no thread before work arrives") {
  CompressionPool pool(4);
  CHECK(pool.started() == 0);
  Log log;
  pool.Post(&log, Note(log, "a"));
  log.Wait(1);
  CHECK(pool.started() == 1);
}

TEST_CASE("fifty owners' work runs on no more threads than the pool's size") {
  CompressionPool pool(2);
  Gate gate;
  Log log;
  int owners[50];
  for (int& owner : owners) {
    pool.Post(&owner, [&]() -> std::optional<Duration> {
      gate.Pass();
      log.Add("x");
      return std::nullopt;
    });
  }
  gate.Open();
  log.Wait(50);
  CHECK(pool.started() == 2);
}

TEST_CASE("the pool runs work in posting order across owners") {
  CompressionPool pool(1);
  Gate gate;
  Log log;
  int a = 0, b = 0, blocker = 0;
  pool.Post(&blocker, [&]() -> std::optional<Duration> {
    gate.Pass();
    return std::nullopt;
  });
  pool.Post(&a, Note(log, "a1"));
  pool.Post(&b, Note(log, "b1"));
  pool.Post(&a, Note(log, "a2"));
  pool.Post(&b, Note(log, "b2"));
  gate.Open();
  log.Wait(4);
  CHECK(log.order == std::vector<std::string>{"a1", "b1", "a2", "b2"});
}

TEST_CASE("one owner's work never runs on two threads at once") {
  CompressionPool pool(4);
  std::atomic<int> at_work{0}, most{0};
  Log log;
  int owner = 0;
  for (int i = 0; i < 20; ++i) {
    pool.Post(&owner, [&]() -> std::optional<Duration> {
      const int now = ++at_work;
      most = std::max(most.load(), now);
      --at_work;
      log.Add("x");
      return std::nullopt;
    });
  }
  log.Wait(20);
  CHECK(most == 1);
}

TEST_CASE("a piece that asks to run later frees its thread meanwhile") {
  CompressionPool pool(1);
  Log log;
  int waiter = 0, other = 0;
  int asks = 0;
  pool.Post(&waiter, [&]() -> std::optional<Duration> {
    if (++asks < 3) return std::chrono::milliseconds(20);
    log.Add("waiter done");
    return std::nullopt;
  });
  pool.Post(&other, Note(log, "other"));
  log.Wait(2);
  CHECK(log.order == std::vector<std::string>{"other", "waiter done"});
  CHECK(asks == 3);
}

TEST_CASE("withdrawing an owner drops its queued work and waits for its running") {
  CompressionPool pool(1);
  Gate gate;
  Log log;
  std::atomic<bool> ran_after{false};
  int owner = 0;
  int runs = 0;
  pool.Post(&owner, [&]() -> std::optional<Duration> {
    log.Add("running");
    gate.Pass();
    // Would run again at once: a worker that requeued it would rerun it
    // before Withdraw got the lock back (the mutex is not fair).
    if (++runs < 20) return Duration{};
    return std::nullopt;
  });
  pool.Post(&owner, [&]() -> std::optional<Duration> {
    ran_after = true;
    return std::nullopt;
  });
  log.Wait(1);
  std::thread opener([&] {
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
    gate.Open();
  });
  pool.Withdraw(&owner);  // returns only once the running piece ended
  opener.join();
  Log after;
  pool.Post(&after, Note(after, "later"));
  after.Wait(1);
  // The rerun it asked for would have run by now.
  std::this_thread::sleep_for(std::chrono::milliseconds(30));
  CHECK_FALSE(ran_after);
  CHECK(log.order.size() == 1);  // the delayed rerun was dropped too
}

}  // namespace retention::compression_pool_test
