#include "kinds/rows/rows_lease.h"

#include <algorithm>

#include "base/clock.h"

namespace retention {

Duration LeaseTtl(Duration every) {
  return std::max<Duration>(every / 4, kMinLeaseTtl);
}

std::optional<Duration> LeaseRetryIn(const LeaseGrant& grant,
                                     Duration every) {
  if (grant.granted || grant.left <= Duration::zero() || grant.left >= every) {
    return std::nullopt;
  }
  return grant.left + kLeaseRetrySlack;
}

bool HeldByOther(const std::optional<LeaseHolder>& lease,
                 const std::string& self, WallTime now) {
  return lease && lease->host != self && lease->until > now;
}

std::string HeldByText(const LeaseHolder& lease) {
  return "held by " + lease.host + " until " + FormatIso8601(lease.until) +
         "; this host deletes nothing";
}

}  // namespace retention
