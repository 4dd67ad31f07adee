#include <signal.h>
#include <spdlog/spdlog.h>
#include <sys/epoll.h>
#include <sys/signalfd.h>
#include <sys/timerfd.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include "logging.h"
#include "main_loop.h"
#include "options.h"
#include "run_summary.h"

namespace retention {
namespace {

sigset_t HandledSignals() {
  sigset_t set;
  sigemptyset(&set);
  sigaddset(&set, SIGTERM);
  sigaddset(&set, SIGINT);
  sigaddset(&set, SIGHUP);
  return set;
}

bool AddToEpoll(int epoll_fd, int fd) {
  struct epoll_event ev = {};
  ev.events = EPOLLIN;
  ev.data.fd = fd;
  return epoll_ctl(epoll_fd, EPOLL_CTL_ADD, fd, &ev) == 0;
}

}  // namespace

MainLoop::~MainLoop() {
  for (int fd : {epoll_fd_, timer_fd_, signal_fd_}) {
    if (fd >= 0) close(fd);
  }
}

bool MainLoop::Setup() {
  sigset_t set = HandledSignals();
  if (pthread_sigmask(SIG_BLOCK, &set, nullptr) != 0) return false;
  signal_fd_ = signalfd(-1, &set, SFD_CLOEXEC | SFD_NONBLOCK);
  timer_fd_ = timerfd_create(CLOCK_BOOTTIME, TFD_CLOEXEC | TFD_NONBLOCK);
  epoll_fd_ = epoll_create1(EPOLL_CLOEXEC);
  if (signal_fd_ < 0 || timer_fd_ < 0 || epoll_fd_ < 0) {
    spdlog::critical("main loop setup: {}", std::strerror(errno));
    return false;
  }
  return AddToEpoll(epoll_fd_, signal_fd_) && AddToEpoll(epoll_fd_, timer_fd_);
}

int MainLoop::Run() {
  if (!Setup()) return kExitFailure;
  SyncSchedule();
  worker_ = std::thread([this] { WorkerLoop(); });
  notifier_.Ready(StatusLine());
  const auto watchdog = notifier_.WatchdogInterval();
  const int timeout_ms =
      watchdog
          ? static_cast<int>(
                std::chrono::duration_cast<std::chrono::milliseconds>(*watchdog)
                    .count() /
                2)
          : -1;
  while (running_) {
    QueueDue();
    ArmTimer();
    struct epoll_event events[8];
    const int n = epoll_wait(epoll_fd_, events, 8, timeout_ms);
    if (n < 0 && errno != EINTR) {
      spdlog::critical("epoll_wait: {}", std::strerror(errno));
      break;
    }
    for (int i = 0; i < n; ++i) {
      if (events[i].data.fd == signal_fd_) HandleSignal();
      if (events[i].data.fd == timer_fd_) {
        uint64_t expirations;
        // Only draining the fd matters; the scheduler decides what is due.
        (void)!read(timer_fd_, &expirations, sizeof expirations);
      }
    }
    if (watchdog) notifier_.Watchdog();
  }
  Shutdown();
  return kExitOk;
}

void MainLoop::HandleSignal() {
  struct signalfd_siginfo info;
  while (read(signal_fd_, &info, sizeof info) == sizeof info) {
    if (info.ssi_signo == SIGHUP) {
      spdlog::info("SIGHUP from pid {}: reloading {}", info.ssi_pid,
                   "configuration");
      Reload();
    } else {
      spdlog::info("{} from pid {}: stopping", strsignal(info.ssi_signo),
                   info.ssi_pid);
      running_ = false;
    }
  }
}

void MainLoop::Reload() {
  notifier_.Reloading();
  std::vector<ConfigError> errors;
  Status st = daemon_.Reload(&errors);
  if (st.ok()) {
    SetLogLevel(daemon_.config()->daemon().GetString("log_level"));
    SyncSchedule();
    spdlog::info("configuration reloaded: {} policies",
                 daemon_.Schedule().size());
    Status rec = daemon_.Record("reload", "ok");
    if (!rec.ok()) spdlog::error("ledger: {}", rec.ToString());
  } else {
    for (const ConfigError& e : errors) spdlog::error("{}", e.ToString());
    if (errors.empty()) spdlog::error("reload: {}", st.ToString());
    spdlog::error("reload failed; keeping the running configuration");
    Status rec = daemon_.Record("reload-rejected", st.message());
    if (!rec.ok()) spdlog::error("ledger: {}", rec.ToString());
  }
  notifier_.Ready(StatusLine());
}

void MainLoop::SyncSchedule() {
  std::vector<std::string> ids;
  const Duration now = clock_.BootNow();
  for (const auto& [id, every] : daemon_.Schedule()) {
    scheduler_.Set(id, every, now);
    ids.push_back(id);
  }
  scheduler_.Retain(ids);
}

void MainLoop::QueueDue() {
  std::vector<std::string> due = scheduler_.TakeDue(clock_.BootNow());
  if (due.empty()) return;
  std::lock_guard<std::mutex> lock(mu_);
  for (std::string& id : due) {
    // Still queued or running from last time: that run covers this one.
    if (!queued_.insert(id).second) continue;
    queue_.push_back(std::move(id));
  }
  cv_.notify_one();
}

void MainLoop::ArmTimer() {
  struct itimerspec spec = {};
  if (auto next = scheduler_.NextDue()) {
    // An it_value of zero would disarm the timer: a deadline already
    // passed fires at the next nanosecond instead.
    const Duration at = std::max<Duration>(*next, Duration(1));
    spec.it_value.tv_sec =
        std::chrono::duration_cast<std::chrono::seconds>(at).count();
    spec.it_value.tv_nsec = (at % std::chrono::seconds(1)).count();
  }
  if (timerfd_settime(timer_fd_, TFD_TIMER_ABSTIME, &spec, nullptr) != 0) {
    spdlog::error("timerfd_settime: {}", std::strerror(errno));
  }
}

void MainLoop::WorkerLoop() {
  for (;;) {
    std::string id;
    {
      std::unique_lock<std::mutex> lock(mu_);
      cv_.wait(lock, [this] { return stop_ || !queue_.empty(); });
      if (stop_) return;
      id = queue_.front();
      queue_.pop_front();
    }
    if (auto policy = daemon_.Find(id)) {
      RunReport report = daemon_.Run(*policy, false, stop_);
      LogRunReport(report);
      std::lock_guard<std::mutex> lock(mu_);
      last_run_ = SummarizeRun(report);
    }
    {
      std::lock_guard<std::mutex> lock(mu_);
      queued_.erase(id);
    }
    notifier_.SetStatus(StatusLine());
  }
}

void MainLoop::Shutdown() {
  notifier_.Stopping();
  {
    std::lock_guard<std::mutex> lock(mu_);
    stop_ = true;
  }
  cv_.notify_all();
  if (worker_.joinable()) worker_.join();
  Status rec = daemon_.Record("stop", "signal");
  if (!rec.ok()) spdlog::error("ledger: {}", rec.ToString());
  spdlog::info("stopped");
}

std::string MainLoop::StatusLine() {
  std::string line = std::to_string(daemon_.Schedule().size()) + " policies";
  auto brake = daemon_.clock_brake().Engaged();
  if (brake.ok() && brake->has_value()) {
    line += "; CLOCK BRAKE ENGAGED (deletion paused: " + (*brake)->reason + ")";
  }
  std::lock_guard<std::mutex> lock(mu_);
  if (!last_run_.empty()) line += "; last: " + last_run_;
  return line;
}

}  // namespace retention
