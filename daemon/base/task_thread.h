// TaskThread: one thread that runs posted work in order — the main loop's
// query thread, so reports and ledger checks never block the event loop.
//
// The thread blocks every signal: signals are the main loop's (signalfd),
// whichever thread creates a TaskThread and whenever (a policy built before
// the main loop blocked them, for one).
//
// Threading: Post() from any thread; Stop() (or the destructor) from the
// owner; work still queued at Stop() is dropped.
#pragma once

#include <condition_variable>
#include <deque>
#include <functional>
#include <mutex>
#include <thread>

namespace retention {

class TaskThread {
 public:
  TaskThread();
  ~TaskThread() { Stop(); }
  TaskThread(const TaskThread&) = delete;
  TaskThread& operator=(const TaskThread&) = delete;

  void Post(std::function<void()> work);
  // Finishes the task in progress, drops the rest, joins.
  void Stop();

 private:
  void Loop();

  std::mutex mu_;
  std::condition_variable cv_;
  std::deque<std::function<void()>> tasks_;
  bool stop_ = false;
  std::thread thread_;  // last: started once the rest exists
};

}  // namespace retention
