#include "kinds/rows/rows_lease.h"

#include <algorithm>

#include "base/clock.h"

namespace retention {

Duration LeaseTtl(Duration every) {
  return std::max<Duration>(every / 4, kMinLeaseTtl);
}

bool WaitForLease(const LeaseGrant& grant, Duration every) {
  return !grant.granted && grant.left > Duration::zero() && grant.left < every;
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
