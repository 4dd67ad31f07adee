#include "core/scheduler.h"

#include <algorithm>
#include <functional>
#include <set>

namespace retention {

Duration Scheduler::Jitter(const std::string& id, Duration every) {
  const Duration spread =
      std::min<Duration>(every / 10, std::chrono::seconds(30));
  if (spread <= Duration::zero()) return Duration::zero();
  // FNV-1a: stable across runs and platforms, unlike std::hash.
  uint64_t h = 1469598103934665603ull;
  for (unsigned char c : id) h = (h ^ c) * 1099511628211ull;
  return Duration(
      static_cast<int64_t>(h % static_cast<uint64_t>(spread.count())));
}

void Scheduler::Set(const std::string& id, Duration every, Duration now) {
  auto it = entries_.find(id);
  if (it != entries_.end() && it->second.every == every) return;
  entries_[id] = Entry{every, now + Jitter(id, every)};
}

void Scheduler::Retain(const std::vector<std::string>& keep) {
  std::set<std::string> wanted(keep.begin(), keep.end());
  std::erase_if(entries_,
                [&](const auto& kv) { return !wanted.count(kv.first); });
}

void Scheduler::MakeDue(const std::string& id, Duration now) {
  auto it = entries_.find(id);
  if (it != entries_.end()) it->second.next = now;
}

void Scheduler::WakeAt(const std::string& id, Duration at) {
  auto it = entries_.find(id);
  if (it != entries_.end() && at < it->second.next) it->second.next = at;
}

void Scheduler::SetNext(const std::string& id, Duration at) {
  auto it = entries_.find(id);
  if (it != entries_.end()) it->second.next = at;
}

std::vector<std::string> Scheduler::TakeDue(Duration now) {
  std::vector<std::pair<Duration, std::string>> due;
  for (auto& [id, entry] : entries_) {
    if (entry.next > now) continue;
    due.emplace_back(entry.next, id);
    entry.next = now + entry.every;
  }
  std::sort(due.begin(), due.end());
  std::vector<std::string> ids;
  for (auto& d : due) ids.push_back(std::move(d.second));
  return ids;
}

std::optional<Duration> Scheduler::NextDue() const {
  std::optional<Duration> next;
  for (const auto& [id, entry] : entries_) {
    if (!next || entry.next < *next) next = entry.next;
  }
  return next;
}

std::optional<Duration> Scheduler::NextDueOf(const std::string& id) const {
  auto it = entries_.find(id);
  if (it == entries_.end()) return std::nullopt;
  return it->second.next;
}

}  // namespace retention
