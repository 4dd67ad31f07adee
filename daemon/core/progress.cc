#include "core/progress.h"

#include <algorithm>
#include <cmath>

#include "base/human_format.h"
#include "core/verb.h"

namespace retention {

uint64_t ProgressItems(const Action& action) {
  const bool one = IsEvent(action.verb) || action.verb == Verb::kRotate ||
                   action.verb == Verb::kCompress;
  return one ? 1 : action.count;
}

namespace {

// "rows" for "row": HumanCountOf's plural, without its number.
std::string Plural(const std::string& unit) {
  return HumanCountOf(2, unit).substr(2);
}

}  // namespace

std::string FormatProgress(const ProgressSnapshot& p) {
  const std::string unit = p.unit.empty() ? "item" : p.unit;
  std::string out = p.policy + ": " + HumanCount(p.done) + " of " +
                    HumanCountOf(p.planned, unit);
  const uint64_t percent =
      p.planned == 0 ? 100 : std::min<uint64_t>(100, p.done * 100 / p.planned);
  out += " (" + std::to_string(percent) + "%)";
  if (p.rate) {
    out += ", " + HumanCount(static_cast<uint64_t>(std::llround(*p.rate))) +
           " " + Plural(unit) + "/s";
  }
  if (p.eta) out += ", " + HumanDuration(*p.eta) + " left";
  return out;
}

void ProgressBoard::SetUnit(const std::string& policy,
                            const std::string& unit) {
  std::lock_guard<std::mutex> lock(mu_);
  units_[policy] = unit;
}

void ProgressBoard::Begin(const std::string& policy, uint64_t planned) {
  std::lock_guard<std::mutex> lock(mu_);
  runs_[policy] = Run{planned, 0, clock_.BootNow()};
}

void ProgressBoard::Add(const std::string& policy, uint64_t items) {
  std::lock_guard<std::mutex> lock(mu_);
  auto it = runs_.find(policy);
  if (it == runs_.end()) return;
  it->second.done += items;
  NotifyLocked(policy, it->second);
}

void ProgressBoard::End(const std::string& policy) {
  std::lock_guard<std::mutex> lock(mu_);
  runs_.erase(policy);
  if (listener_ != nullptr && shown_ == policy) {
    listener_->Clear();
    shown_.clear();
    last_shown_.reset();
  }
}

std::vector<ProgressSnapshot> ProgressBoard::InFlight() const {
  std::lock_guard<std::mutex> lock(mu_);
  const Duration now = clock_.BootNow();
  std::vector<ProgressSnapshot> out;
  for (const auto& [policy, run] : runs_) {
    out.push_back(SnapshotLocked(policy, run, now));
  }
  return out;
}

std::optional<ProgressSnapshot> ProgressBoard::Find(
    const std::string& policy) const {
  std::lock_guard<std::mutex> lock(mu_);
  auto it = runs_.find(policy);
  if (it == runs_.end()) return std::nullopt;
  return SnapshotLocked(policy, it->second, clock_.BootNow());
}

void ProgressBoard::set_listener(ProgressListener* listener) {
  std::lock_guard<std::mutex> lock(mu_);
  listener_ = listener;
  shown_.clear();
  last_shown_.reset();
}

ProgressSnapshot ProgressBoard::SnapshotLocked(const std::string& policy,
                                               const Run& run,
                                               Duration now) const {
  ProgressSnapshot s;
  s.policy = policy;
  if (auto it = units_.find(policy); it != units_.end()) s.unit = it->second;
  s.done = run.done;
  s.planned = std::max(run.planned, run.done);
  s.elapsed = std::max(now - run.started, Duration::zero());
  const double seconds = std::chrono::duration<double>(s.elapsed).count();
  if (run.done == 0 || seconds <= 0) return s;
  s.rate = double(run.done) / seconds;
  s.eta = std::chrono::duration_cast<Duration>(
      std::chrono::duration<double>(double(s.planned - s.done) / *s.rate));
  return s;
}

void ProgressBoard::NotifyLocked(const std::string& policy, const Run& run) {
  if (listener_ == nullptr) return;
  const Duration now = clock_.BootNow();
  if (now - run.started < kProgressAfter) return;
  if (last_shown_ && now - *last_shown_ < kProgressRedraw) return;
  if (!shown_.empty() && shown_ != policy) listener_->Clear();
  listener_->Show(SnapshotLocked(policy, run, now));
  shown_ = policy;
  last_shown_ = now;
}

}  // namespace retention
