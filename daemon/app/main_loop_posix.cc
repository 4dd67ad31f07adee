#include <signal.h>
#include <spdlog/spdlog.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <sys/signalfd.h>
#include <sys/timerfd.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <filesystem>

#include "app/main_loop.h"
#include "app/options.h"
#include "base/logging.h"
#include "kinds/logs/keep_free_planner.h"
#include "report/daily_report.h"
#include "report/run_summary.h"

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

constexpr auto kDailyReportCheck = std::chrono::hours(1);
constexpr auto kWatchRetry = std::chrono::minutes(1);

}  // namespace

MainLoop::~MainLoop() {
  if (queries_) queries_->Stop();
  server_.reset();
  for (int fd : {epoll_fd_, timer_fd_, signal_fd_, ran_fd_}) {
    if (fd >= 0) close(fd);
  }
}

bool MainLoop::Setup() {
  sigset_t set = HandledSignals();
  if (pthread_sigmask(SIG_BLOCK, &set, nullptr) != 0) return false;
  signal_fd_ = signalfd(-1, &set, SFD_CLOEXEC | SFD_NONBLOCK);
  timer_fd_ = timerfd_create(CLOCK_BOOTTIME, TFD_CLOEXEC | TFD_NONBLOCK);
  epoll_fd_ = epoll_create1(EPOLL_CLOEXEC);
  ran_fd_ = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
  if (signal_fd_ < 0 || timer_fd_ < 0 || epoll_fd_ < 0 || ran_fd_ < 0) {
    spdlog::critical("main loop setup: {}", std::strerror(errno));
    return false;
  }
  if (!AddToEpoll(epoll_fd_, signal_fd_) || !AddToEpoll(epoll_fd_, timer_fd_) ||
      !AddToEpoll(epoll_fd_, ran_fd_)) {
    spdlog::critical("main loop setup: epoll_ctl: {}", std::strerror(errno));
    return false;
  }
  auto watcher = SizeWatcher::Create();
  if (watcher.ok() && AddToEpoll(epoll_fd_, (*watcher)->fd())) {
    watcher_ = std::move(*watcher);
  } else {
    spdlog::warn(
        "inotify unavailable ({}); log size caps are checked on "
        "each policy's schedule only",
        watcher.ok() ? std::strerror(errno) : watcher.status().ToString());
  }
  return SetupControl();
}

bool MainLoop::SetupControl() {
  auto config = daemon_.config();
  const Section& d = config->daemon();
  service_ = std::make_unique<ManagerService>(
      daemon_, *this, clock_,
      ServiceInfo{RETENTION_VERSION, getpid(), clock_.Now(),
                  std::filesystem::absolute(daemon_.config_path())
                      .lexically_normal()
                      .string()},
      AccessRulesFromConfig(*config, geteuid()));
  const std::string& path = d.GetStringOrEmpty("control_socket");
  if (path.empty()) {
    spdlog::info("control socket disabled (control_socket is empty)");
    return true;
  }
  ControlSocketOptions options;
  options.path = path;
  const AccessRules rules = AccessRulesFromConfig(*config, geteuid());
  options.group = rules.socket_gid;
  options.admin_group = rules.admin_gid;
  options.max_connections =
      static_cast<size_t>(d.GetInt("control_max_connections"));
  options.max_per_user =
      static_cast<size_t>(d.GetInt("control_max_connections_per_user"));
  options.idle_timeout = d.GetDuration("control_idle_timeout");
  options.request_timeout = d.GetDuration("control_request_timeout");
  server_ = std::make_unique<ControlServer>(*service_, clock_);
  Status st = server_->Listen(options);
  if (st.ok()) st = server_->AttachTo(epoll_fd_);
  if (!st.ok()) {
    spdlog::critical("control socket {}: {}", path, st.ToString());
    return false;
  }
  spdlog::info("control socket {}{}", path,
               server_->socket_activated() ? " (from systemd)" : "");
  return true;
}

int MainLoop::Run() {
  if (!Setup()) return kExitFailure;
  SyncSchedule();
  SyncWatches();
  for (int lane = 0; lane < kLanes; ++lane) {
    workers_[lane] =
        std::thread([this, lane] { WorkerLoop(static_cast<Lane>(lane)); });
  }
  queries_ = std::make_unique<TaskThread>();
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
    MaybeWriteDailyReport();
    MaybeCheckpoint();
    RetryWatches();
    int wait_ms = WaitTimeoutMs();
    if (timeout_ms >= 0 && (wait_ms < 0 || timeout_ms < wait_ms)) {
      wait_ms = timeout_ms;
    }
    struct epoll_event events[64];
    const int n = epoll_wait(epoll_fd_, events, 64, wait_ms);
    if (n < 0 && errno != EINTR) {
      spdlog::critical("epoll_wait: {}", std::strerror(errno));
      break;
    }
    for (int i = 0; i < n; ++i) {
      const int fd = events[i].data.fd;
      if (fd == signal_fd_) {
        HandleSignal();
      } else if (watcher_ && fd == watcher_->fd()) {
        QueueWatched(watcher_->HandleEvents());
      } else if (fd == ran_fd_) {
        uint64_t ended;
        // Only draining the fd matters; ended_ says which runs ended.
        (void)!read(ran_fd_, &ended, sizeof ended);
        SettleEnded();
      } else if (fd == timer_fd_) {
        uint64_t expirations;
        // Only draining the fd matters; the scheduler decides what is due.
        (void)!read(timer_fd_, &expirations, sizeof expirations);
      } else if (server_) {
        server_->OnEvent(fd, events[i].events);
      }
    }
    if (watchdog) notifier_.Watchdog();
  }
  Shutdown();
  return kExitOk;
}

void MainLoop::RunEnded(const std::string& id) {
  {
    std::lock_guard<std::mutex> lock(mu_);
    ended_.push_back(id);
  }
  const uint64_t one = 1;
  // Cannot fail but at 2^64 - 1 unread; the main thread drains it.
  (void)!write(ran_fd_, &one, sizeof one);
}

void MainLoop::HandleSignal() {
  struct signalfd_siginfo info;
  while (read(signal_fd_, &info, sizeof info) == sizeof info) {
    if (info.ssi_signo == SIGHUP) {
      spdlog::info("SIGHUP from pid {}: reloading {}", info.ssi_pid,
                   "configuration");
      std::vector<ConfigError> errors;
      (void)Reload(&errors);
    } else {
      spdlog::info("{} from pid {}: stopping", strsignal(info.ssi_signo),
                   info.ssi_pid);
      running_ = false;
    }
  }
}

// Checked hourly (and at start); writes at most one report per UTC day.
void MainLoop::MaybeWriteDailyReport() {
  const Duration now = clock_.BootNow();
  if (now < next_report_check_) return;
  next_report_check_ = now + kDailyReportCheck;
  if (!daemon_.config()->daemon().GetBool("daily_report")) return;
  Defer([this] {
    auto written =
        WriteDailyReport(daemon_.fs(), *daemon_.config(), daemon_.state(),
                         daemon_.ledger(), clock_.Now(),
                         [this] { return daemon_.Audit(); });
    if (!written.ok()) {
      spdlog::warn("daily report: {}", written.status().ToString());
    } else if (*written) {
      spdlog::info("daily report written to {}/{}/",
                   daemon_.config()->daemon().GetString("state_dir"),
                   kReportsDir);
    }
  });
}

void MainLoop::MaybeCheckpoint() {
  const Duration now = clock_.BootNow();
  if (now < next_checkpoint_) return;
  next_checkpoint_ = now + daemon_.checkpoint_every();
  Defer([this] {
    auto written = daemon_.WriteCheckpoint();
    if (!written.ok()) {
      spdlog::error("checkpoint: {}", written.status().ToString());
    } else {
      spdlog::debug("checkpoint of ledger seq {}", written->seq);
    }
  });
}

namespace {

// Milliseconds from boot time `now` until `at`, rounded up; 0 when past.
int MsUntil(Duration at, Duration now) {
  return static_cast<int>(std::max<int64_t>(
      0,
      std::chrono::duration_cast<std::chrono::milliseconds>(at - now).count() +
          1));
}

}  // namespace

int MainLoop::WaitTimeoutMs() {
  int ms = server_ ? server_->ExpireIdle() : -1;
  const Duration now = clock_.BootNow();
  for (Duration at : {next_report_check_, next_checkpoint_}) {
    const int until = MsUntil(at, now);
    if (ms < 0 || until < ms) ms = until;
  }
  if (!watch_warnings_.empty()) {
    ms = std::min(ms, MsUntil(next_watch_retry_, now));
  }
  return ms;
}

void MainLoop::SyncSchedule() {
  std::vector<std::string> ids;
  const Duration now = clock_.BootNow();
  for (const auto& [id, every] : daemon_.Schedule()) {
    scheduler_.Set(id, every, now);
    ScheduleWake(id);
    ids.push_back(id);
  }
  scheduler_.Retain(ids);
}

void MainLoop::ScheduleWake(const std::string& id) {
  auto policy = daemon_.Find(id);
  if (!policy) return;
  const WallTime wall_now = clock_.Now();
  auto wake = policy->NextWake(wall_now);
  if (!wake) return;
  // Boot time does not jump with the wall clock; the next run recomputes
  // the boundary from the wall clock again.
  scheduler_.WakeAt(id, clock_.BootNow() + (*wake - wall_now));
}

void MainLoop::SyncWatches() {
  if (!watcher_) return;
  std::vector<std::string> warnings = watcher_->SetWatches(daemon_.Watches());
  if (warnings != watch_warnings_) {
    for (const std::string& w : warnings) spdlog::warn("{}", w);
  }
  watch_warnings_ = std::move(warnings);
  next_watch_retry_ = clock_.BootNow() + kWatchRetry;
  // Files already over their cap (at start, or newly configured) are due.
  QueueWatched(watcher_->CheckAll());
}

void MainLoop::RetryWatches() {
  if (watch_warnings_.empty() || clock_.BootNow() < next_watch_retry_) return;
  SyncWatches();
}

void MainLoop::QueueWatched(const std::set<std::string>& due) {
  if (due.empty()) return;
  // Before the runs are queued, so that they see it.
  for (const EarlyCrossing& early : watcher_->TakeEarly()) {
    if (auto policy = daemon_.Find(early.policy))
      policy->OnEarlyCrossing(early);
  }
  if (watcher_ && watcher_->overflows() > 0) {
    spdlog::debug("inotify queue overflowed {} times", watcher_->overflows());
  }
  std::lock_guard<std::mutex> lock(mu_);
  if (stop_) return;
  for (const std::string& id : due) {
    // A failing policy waits for its schedule; queued or running: that run
    // sees the file as it is then.
    if (failing_.count(id) || !queued_.insert(id).second) continue;
    spdlog::debug("{}: a log reached its size cap", id);
    Enqueue(Job{id, false, nullptr});
  }
  cv_.notify_all();
}

void MainLoop::QueueDue() {
  const Duration now = clock_.BootNow();
  std::vector<std::string> due = scheduler_.TakeDue(now);
  if (due.empty()) return;
  for (const std::string& id : due) {
    ScheduleWake(id);
    // Sooner than every when the lateness bound needs it (lateness.h).
    const Duration interval = daemon_.RunInterval(id);
    if (interval < Duration::max()) scheduler_.WakeAt(id, now + interval);
  }
  std::lock_guard<std::mutex> lock(mu_);
  for (std::string& id : due) {
    // Still queued or running from last time: that run covers this one.
    if (!queued_.insert(id).second) continue;
    Enqueue(Job{std::move(id), false, nullptr});
  }
  cv_.notify_all();
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

void MainLoop::Shutdown() {
  notifier_.Stopping();
  {
    std::lock_guard<std::mutex> lock(mu_);
    stop_ = true;
  }
  cv_.notify_all();
  for (std::thread& worker : workers_) {
    if (worker.joinable()) worker.join();
  }
  if (queries_) queries_->Stop();
  Status rec = daemon_.Record("stop", "signal");
  if (!rec.ok()) spdlog::error("ledger: {}", rec.ToString());
  if (rec.ok()) rec = daemon_.WriteCheckpoint().status();
  if (!rec.ok()) spdlog::error("checkpoint at stop: {}", rec.ToString());
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
