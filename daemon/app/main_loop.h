// MainLoop: the daemon's event loop. The main thread waits in epoll on a
// timerfd (armed, on CLOCK_BOOTTIME, for the scheduler's next deadline), a
// signalfd (SIGTERM/SIGINT stop, SIGHUP reloads), the control socket's
// descriptors, and the SizeWatcher's inotify descriptor (a log crossing its
// size cap queues its policy at once). Due policies, and runs an
// operator asks for over the socket, are queued to worker threads, so a
// long run never delays signals, the watchdog or the control socket. Log
// rotation has a worker of its own: a long prune or scan never holds up a
// rotation that keeps a byte budget;
// reports, ledger checks and the daily report file run on a query thread.
// A policy with size watches whose files are all watched is put off after
// each of its runs to its NextWake (a settled log set: its next deadline,
// not every `every`): an eventfd tells the main thread that runs ended.
// SIGTERM lets the running policy finish its current item, starts nothing
// new, records "stop" in the ledger and returns 0.
//
// Threading: Run() on the main thread; it owns the worker and query
// threads. ManagerHost methods are called on the main thread.
#pragma once

#include <atomic>
#include <condition_variable>
#include <deque>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <set>
#include <string>
#include <thread>

#include "app/service_notifier.h"
#include "base/task_thread.h"
#include "control/control_server.h"
#include "control/manager_service.h"
#include "core/daemon.h"
#include "core/scheduler.h"
#include "core/size_watcher.h"

namespace retention {

class MainLoop : public ManagerHost {
 public:
  MainLoop(Daemon& daemon, Clock& clock, ServiceNotifier& notifier)
      : daemon_(daemon), clock_(clock), notifier_(notifier) {}
  ~MainLoop() override;

  // Blocks the handled signals in the calling thread — call it before any
  // other thread exists — binds the control socket, and serves until
  // SIGTERM or SIGINT. Returns the process exit code; kExitFailure if the
  // loop or the socket could not be set up.
  int Run();

  // ManagerHost.
  std::vector<PolicyView> Policies() override;
  Status Reload(std::vector<ConfigError>* errors) override;
  Status QueueRun(const std::string& id, bool dry_run,
                  std::function<void(const RunReport&)> done) override;
  void Defer(std::function<void()> work) override;

 private:
  // Which worker runs a policy: its Policy::lane (general if it is gone).
  Lane LaneOf(const std::string& id) const;

  struct Job {
    std::string id;
    bool dry_run = false;
    std::function<void(const RunReport&)> done;  // may be empty
  };

  bool Setup();
  bool SetupControl();
  void HandleSignal();
  void QueueDue();
  void ArmTimer();
  int WaitTimeoutMs();
  void MaybeWriteDailyReport();
  // Every [daemon] checkpoint_every (boot time), on the query thread.
  void MaybeCheckpoint();
  void SyncSchedule();
  // Brings `id`'s next run forward to its policy's NextWake, if any.
  void ScheduleWake(const std::string& id);
  void SyncWatches();
  void RetryWatches();
  void QueueWatched(const std::set<std::string>& due);
  void WorkerLoop(Lane lane);
  // Worker side: `id`'s real run ended (the main thread settles it).
  void RunEnded(const std::string& id);
  // Main thread, on ran_fd_: for each ended run that did not fail, puts
  // the policy off to its NextWake when all of its files are watched, or
  // brings its next run forward to it when it watches nothing.
  void SettleEnded();
  // Appends a job to its lane; precondition: mu_ held, id in queued_.
  void Enqueue(Job job);
  bool IsRunning(const std::string& id) const;  // mu_ held
  void Shutdown();
  std::string StatusLine();

  Daemon& daemon_;
  Clock& clock_;
  ServiceNotifier& notifier_;
  Scheduler scheduler_;
  int epoll_fd_ = -1;
  int timer_fd_ = -1;
  int signal_fd_ = -1;
  int ran_fd_ = -1;  // eventfd: runs ended (ended_)
  bool running_ = true;
  Duration next_report_check_{};  // boot time
  Duration next_checkpoint_{};    // boot time; the first one is at start

  // Declared before the server: it refers to the service and must go first.
  std::unique_ptr<ManagerService> service_;
  std::unique_ptr<ControlServer> server_;
  std::unique_ptr<TaskThread> queries_;
  std::unique_ptr<SizeWatcher> watcher_;  // null when inotify is unavailable
  // Directories that could not be watched (not there yet, say) are tried
  // again every kWatchRetry; the warnings are logged when they change.
  std::vector<std::string> watch_warnings_;
  Duration next_watch_retry_{};  // boot time

  std::atomic<bool> stop_{false};
  std::mutex mu_;  // guards queues_, queued_, running_ids_, last_run_,
                  // failing_, ended_
  std::condition_variable cv_;
  std::deque<Job> queues_[kLanes];
  std::set<std::string> queued_;     // queued or running
  std::string running_ids_[kLanes];  // the id each lane runs, or empty
  std::string last_run_;
  // Policies whose last run failed: the watcher does not queue them again
  // (a failing rotation would otherwise rerun on every write); their
  // scheduled runs go on, and a success clears the entry.
  std::set<std::string> failing_;
  std::vector<std::string> ended_;  // real runs ended, for SettleEnded
  std::thread workers_[kLanes];
};

// For --once, which has no main loop: SIGTERM and SIGINT set *stop (the
// policies check it between actions). Async-signal-safe; *stop outlives the
// process's handlers.
void StopOnTermSignals(std::atomic<bool>* stop);

}  // namespace retention
