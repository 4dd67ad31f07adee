// RunProgressWatcher (ctl_run_progress.h).
#include "ctl/ctl_run_progress.h"

#include "control/control_protocol.h"
#include "ctl/ctl_client.h"
#include "ctl/ctl_format.h"
#include "os/terminal.h"

namespace retention {

RunProgressWatcher::RunProgressWatcher(std::string socket_path,
                                       std::string name)
    : socket_path_(std::move(socket_path)), name_(std::move(name)) {
  if (StderrIsTerminal()) thread_ = std::thread([this] { Watch(); });
}

RunProgressWatcher::~RunProgressWatcher() {
  if (!thread_.joinable()) return;
  {
    std::lock_guard<std::mutex> lock(mu_);
    stop_ = true;
  }
  wake_.notify_all();
  thread_.join();
}

void RunProgressWatcher::Watch() {
  bool shown = false;
  std::unique_lock<std::mutex> lock(mu_);
  while (!wake_.wait_for(lock, kProgressRedraw, [this] { return stop_; })) {
    lock.unlock();
    const bool now_shown = DrawOnce();
    if (shown && !now_shown) EraseStatusLine();
    shown = now_shown;
    lock.lock();
  }
  if (shown) EraseStatusLine();
}

bool RunProgressWatcher::DrawOnce() {
  StatusOr<Reply> reply =
      CallDaemon(socket_path_, kMethodStatus, nlohmann::json::object());
  if (!reply.ok() || !reply->error.empty()) return false;
  auto policies = reply->parameters.find("policies");
  if (policies == reply->parameters.end() || !policies->is_array()) {
    return false;
  }
  for (const nlohmann::json& p : *policies) {
    const std::optional<ProgressSnapshot> progress = ProgressOf(p);
    if (!progress) continue;
    const std::string& id = progress->policy;
    const bool named = id == name_ || id.ends_with("." + name_);
    if (!named || progress->elapsed < kProgressAfter) continue;
    DrawStatusLine(FormatProgress(*progress));
    return true;
  }
  return false;
}

}  // namespace retention
