#include <signal.h>

#include "base/task_thread.h"

namespace retention {

TaskThread::TaskThread() {
  // A new thread inherits the creator's signal mask: start it with every
  // signal blocked, then restore the creator's.
  sigset_t all, old;
  sigfillset(&all);
  pthread_sigmask(SIG_BLOCK, &all, &old);
  thread_ = std::thread([this] { Loop(); });
  pthread_sigmask(SIG_SETMASK, &old, nullptr);
}

void TaskThread::Post(std::function<void()> work) {
  {
    std::lock_guard<std::mutex> lock(mu_);
    if (stop_) return;
    tasks_.push_back(std::move(work));
  }
  cv_.notify_one();
}

void TaskThread::Stop() {
  {
    std::lock_guard<std::mutex> lock(mu_);
    stop_ = true;
  }
  cv_.notify_all();
  if (thread_.joinable()) thread_.join();
  tasks_.clear();
}

void TaskThread::Loop() {
  for (;;) {
    std::function<void()> work;
    {
      std::unique_lock<std::mutex> lock(mu_);
      cv_.wait(lock, [this] { return stop_ || !tasks_.empty(); });
      if (stop_) return;
      work = std::move(tasks_.front());
      tasks_.pop_front();
    }
    work();
  }
}

}  // namespace retention
