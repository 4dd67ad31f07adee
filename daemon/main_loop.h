// MainLoop: the daemon's event loop. The main thread waits in epoll on a
// timerfd (armed, on CLOCK_BOOTTIME, for the scheduler's next deadline) and
// a signalfd (SIGTERM/SIGINT stop, SIGHUP reloads); later the control
// socket and inotify join the same epoll set. Due policies are queued to a
// worker thread, so a long run never delays signals or the watchdog.
// SIGTERM lets the running policy finish its current item, starts nothing
// new, records "stop" in the ledger and returns 0.
//
// Threading: Run() on the main thread; it owns the worker thread.
#pragma once

#include <atomic>
#include <condition_variable>
#include <deque>
#include <mutex>
#include <set>
#include <string>
#include <thread>

#include "daemon.h"
#include "scheduler.h"
#include "service_notifier.h"

namespace retention {

class MainLoop {
 public:
  MainLoop(Daemon& daemon, Clock& clock, ServiceNotifier& notifier)
      : daemon_(daemon), clock_(clock), notifier_(notifier) {}
  ~MainLoop();

  // Blocks the handled signals in the calling thread — call it before any
  // other thread exists — and serves until SIGTERM or SIGINT. Returns the
  // process exit code; kExitFailure if the loop could not be set up.
  int Run();

 private:
  bool Setup();
  void HandleSignal();
  void QueueDue();
  void ArmTimer();
  void Reload();
  void SyncSchedule();
  void WorkerLoop();
  void Shutdown();
  std::string StatusLine();

  Daemon& daemon_;
  Clock& clock_;
  ServiceNotifier& notifier_;
  Scheduler scheduler_;
  int epoll_fd_ = -1;
  int timer_fd_ = -1;
  int signal_fd_ = -1;
  bool running_ = true;

  std::atomic<bool> stop_{false};
  std::mutex mu_;  // guards queue_, queued_, last_run_
  std::condition_variable cv_;
  std::deque<std::string> queue_;
  std::set<std::string> queued_;  // queued or running
  std::string last_run_;
  std::thread worker_;
};

}  // namespace retention
