// The pure decisions of a rows policy's lease (rows_lease.h).
#include "kinds/rows/rows_lease.h"

#include <catch2/catch.hpp>

namespace retention::rows_lease_test {
namespace {

using std::chrono::minutes;
using std::chrono::seconds;
const WallTime kNow = FromUnixSeconds(1767225600);

TEST_CASE("a lease lasts a quarter of the policy's every, at least 5 s") {
  CHECK(LeaseTtl(minutes(1)) == seconds(15));
  CHECK(LeaseTtl(minutes(20)) == minutes(5));
  CHECK(LeaseTtl(seconds(8)) == kMinLeaseTtl);
  // A holder killed mid-run is replaced within one every when the next
  // run of another host falls after the TTL.
  CHECK(LeaseTtl(minutes(1)) < minutes(1));
}

TEST_CASE("a lease is held by another only while it has not expired") {
  const LeaseHolder b{"host-b", 3, kNow + seconds(10)};
  CHECK(HeldByOther(b, "host-a", kNow));
  CHECK_FALSE(HeldByOther(b, "host-b", kNow));                // ours
  CHECK_FALSE(HeldByOther(b, "host-a", kNow + seconds(10)));  // expired
  CHECK_FALSE(HeldByOther(std::nullopt, "host-a", kNow));     // never taken
}

TEST_CASE("a lease held elsewhere is said with its holder and expiry") {
  CHECK(HeldByText({"host-b", 3, kNow}) ==
        "held by host-b until 2026-01-01T00:00:00Z; this host deletes "
        "nothing");
}

TEST_CASE("a refused run runs again just after a lease that expires within its period") {
  LeaseGrant refused{false, {"host-b", 3, kNow}, seconds(4)};
  REQUIRE(LeaseRetryIn(refused, minutes(1)));
  CHECK(*LeaseRetryIn(refused, minutes(1)) == seconds(4) + kLeaseRetrySlack);
  refused.left = minutes(2);  // a long lease: try at the next run
  CHECK_FALSE(LeaseRetryIn(refused, minutes(1)));
  refused.left = Duration::zero();
  CHECK_FALSE(LeaseRetryIn(refused, minutes(1)));
  CHECK_FALSE(
      LeaseRetryIn({true, {"host-a", 4, kNow}, seconds(4)}, minutes(1)));
}

}  // namespace
}  // namespace retention::rows_lease_test
