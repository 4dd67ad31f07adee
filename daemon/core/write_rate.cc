#include "core/write_rate.h"

#include <algorithm>

namespace retention {

void WriteRate::Observe(Duration at, uint64_t size) {
  if (!at_ || size < size_) {
    at_ = at;
    size_ = size;
    return;
  }
  const Duration elapsed = at - *at_;
  if (elapsed < kMinInterval) return;
  const double seconds = std::chrono::duration<double>(elapsed).count();
  const double rate = static_cast<double>(size - size_) / seconds;
  rate_ = rate_ == 0 ? rate : (rate_ + rate) / 2;
  at_ = at;
  size_ = size;
}

uint64_t RotationLead(double bytes_per_second, Duration rotation_time,
                      uint64_t cap, uint64_t max_lead) {
  const double lead =
      bytes_per_second * std::chrono::duration<double>(rotation_time).count();
  const uint64_t most = max_lead == 0 ? cap / 2 : std::min(max_lead, cap);
  return static_cast<uint64_t>(std::min(lead, static_cast<double>(most)));
}

}  // namespace retention
