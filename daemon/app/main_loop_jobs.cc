// MainLoop's jobs (main_loop.h): what the control socket asks of it
// (reload, the policy list, a run), and the queues and worker threads that
// run policies, one worker per Policy::lane.
#include <spdlog/spdlog.h>

#include "app/main_loop.h"
#include "base/logging.h"
#include "kinds/logs/keep_free_planner.h"
#include "report/run_summary.h"

namespace retention {

Status MainLoop::Reload(std::vector<ConfigError>* errors) {
  notifier_.Reloading();
  Status st = daemon_.Reload(errors);
  if (st.ok()) {
    SetLogLevel(daemon_.config()->daemon().GetString("log_level"));
    SyncSchedule();
    SyncWatches();
    if (service_) {
      service_->set_rules(AccessRulesFromConfig(*daemon_.config(), geteuid()));
    }
    spdlog::info("configuration reloaded: {} policies",
                 daemon_.Schedule().size());
    Status rec = daemon_.Record("reload", "ok");
    if (!rec.ok()) spdlog::error("ledger: {}", rec.ToString());
  } else {
    for (const ConfigError& e : *errors) spdlog::error("{}", e.ToString());
    if (errors->empty()) spdlog::error("reload: {}", st.ToString());
    spdlog::error("reload failed; keeping the running configuration");
    Status rec = daemon_.Record("reload-rejected", st.message());
    if (!rec.ok()) spdlog::error("ledger: {}", rec.ToString());
  }
  notifier_.Ready(StatusLine());
  return st;
}

std::vector<PolicyView> MainLoop::Policies() {
  const Duration boot_now = clock_.BootNow();
  const WallTime wall_now = clock_.Now();
  std::vector<PolicyView> views;
  std::lock_guard<std::mutex> lock(mu_);
  for (const auto& [id, every] : daemon_.Schedule()) {
    PolicyView view;
    view.id = id;
    view.state = IsRunning(id)           ? "running"
                 : queued_.count(id) > 0 ? "queued"
                                         : "idle";
    if (auto next = scheduler_.NextDueOf(id)) {
      const Duration wait = std::max(*next - boot_now, Duration::zero());
      view.next_run =
          wall_now + std::chrono::duration_cast<WallTime::duration>(wait);
    }
    views.push_back(std::move(view));
  }
  return views;
}

Status MainLoop::QueueRun(const std::string& id, bool dry_run,
                          std::function<void(const RunReport&)> done) {
  {
    std::lock_guard<std::mutex> lock(mu_);
    if (stop_) return Status::Busy("retentiond is stopping");
    if (!queued_.insert(id).second) {
      return Status::Busy(id + " is already " +
                          (IsRunning(id) ? "running" : "queued"));
    }
    Enqueue(Job{id, dry_run, std::move(done)});
  }
  cv_.notify_all();
  return Status::Ok();
}

void MainLoop::Defer(std::function<void()> work) {
  if (queries_) queries_->Post(std::move(work));
}

Lane MainLoop::LaneOf(const std::string& id) const {
  const std::shared_ptr<Policy> policy = daemon_.Find(id);
  return policy ? policy->lane() : Lane::kGeneral;
}

void MainLoop::Enqueue(Job job) {
  queues_[static_cast<int>(LaneOf(job.id))].push_back(std::move(job));
}

bool MainLoop::IsRunning(const std::string& id) const {
  for (const std::string& running : running_ids_) {
    if (running == id) return true;
  }
  return false;
}

void MainLoop::WorkerLoop(Lane worker_lane) {
  const int lane = static_cast<int>(worker_lane);
  std::deque<Job>& queue = queues_[lane];
  for (;;) {
    Job job;
    {
      std::unique_lock<std::mutex> lock(mu_);
      cv_.wait(lock, [&] { return stop_ || !queue.empty(); });
      if (stop_) return;
      job = std::move(queue.front());
      queue.pop_front();
      running_ids_[lane] = job.id;
    }
    RunReport report;
    if (auto policy = daemon_.Find(job.id)) {
      report = daemon_.Run(*policy, job.dry_run, stop_);
      LogRunReport(report);
    } else {  // removed by a reload while queued
      report.policy = job.id;
      report.dry_run = job.dry_run;
      report.outcome = Outcome::kError;
      report.error = "no longer configured";
    }
    // A log policy's run added archives or bytes to its filesystem: check
    // the free space now rather than within a minute.
    const bool keep_free_next = !job.dry_run && report.result.done > 0 &&
                                worker_lane == Lane::kRotation &&
                                job.id != kKeepFreePolicyId &&
                                daemon_.Find(kKeepFreePolicyId);
    {
      std::lock_guard<std::mutex> lock(mu_);
      if (!job.dry_run) {
        last_run_ = SummarizeRun(report);
        if (report.outcome == Outcome::kError) {
          failing_.insert(job.id);
        } else {
          failing_.erase(job.id);
        }
      }
      queued_.erase(job.id);
      running_ids_[lane].clear();
      if (keep_free_next && queued_.insert(kKeepFreePolicyId).second) {
        Enqueue(Job{kKeepFreePolicyId, false, nullptr});
        cv_.notify_all();
      }
    }
    if (job.done) job.done(report);
    notifier_.SetStatus(StatusLine());
    if (!job.dry_run) RunEnded(job.id);
  }
}

void MainLoop::SettleEnded() {
  std::vector<std::string> ended;
  {
    std::lock_guard<std::mutex> lock(mu_);
    ended.swap(ended_);
  }
  // A watched set idles until its next wake. An unwatched file (inotify
  // unavailable, a directory not there yet) is seen only by looking: those
  // sets keep their every. A policy that watches nothing may ask for an
  // earlier run after this one (a rows policy refused a lease that runs
  // out soon).
  const bool watching = watcher_ && watch_warnings_.empty();
  for (const std::string& id : ended) {
    auto policy = daemon_.Find(id);
    if (!policy) continue;
    const bool idles = !policy->watches().empty();
    if (idles && !watching) continue;
    {
      std::lock_guard<std::mutex> lock(mu_);
      if (failing_.count(id)) continue;  // retried every `every`
    }
    const WallTime wall_now = clock_.Now();
    auto wake = policy->NextWake(wall_now);
    if (!wake) continue;
    const Duration at = clock_.BootNow() + (*wake - wall_now);
    if (idles) {
      scheduler_.SetNext(id, at);
    } else {
      scheduler_.WakeAt(id, at);
    }
  }
}

}  // namespace retention
