// RowsLease: the pure decisions of a rows policy's lease, the row in
// `<schema>.retentiond_leases` that says which host of a fleet deletes a
// policy's rows now (rows_database.h: Database::AcquireLease). A run
// acquires the lease before its first batch and every batch renews it in
// its own transaction, checking the fencing token; a host that does not
// hold it deletes nothing. Thread-safe (no state).
#pragma once

#include <optional>
#include <string>

#include "base/clock.h"

namespace retention {

// Who holds a policy's lease, and until when (the server's clock).
struct LeaseHolder {
  std::string host;
  int64_t token = 0;  // fencing token: grows with every acquisition
  WallTime until{};
};

// The result of an acquisition: `granted` with our token, or the lease is
// someone else's (`holder` says whose).
struct LeaseGrant {
  bool granted = false;
  LeaseHolder holder;
  // Not granted: how long the holder's lease has left (server's clock).
  Duration left{};
};

// Floor of LeaseTtl: a lease must outlast the gap between two renewals of
// a working run (a batch, its pause, a ledger flush, a busy back-off).
inline constexpr Duration kMinLeaseTtl = std::chrono::seconds(5);

// How long a lease lasts past its last renewal: a quarter of the policy's
// `every`, at least kMinLeaseTtl. A killed holder's lease is free again
// within that time; a host refused the lease runs again when it expires
// within the period (LeaseRetryIn), so another takes over within one lease
// of the kill, well within one `every` (for every >= 4 * kMinLeaseTtl;
// shorter periods get at most kMinLeaseTtl).
Duration LeaseTtl(Duration every);

// How much after the refused lease's expiry a retry comes: the server's
// clock and ours differ by the time a reply takes.
inline constexpr Duration kLeaseRetrySlack = std::chrono::milliseconds(200);

// When a run refused the lease should run again (rather than at its next
// run, `every` later): just after the lease expires, when it expires within
// this period; nullopt otherwise (granted, or a lease longer than the
// period). A holder killed mid-run is then replaced within one lease of the
// kill, whatever the phases of the hosts' schedules, and a live holder's
// renewals cost the others one short run per lease.
std::optional<Duration> LeaseRetryIn(const LeaseGrant& grant, Duration every);

// True when `lease` is held now by a host other than `self`.
bool HeldByOther(const std::optional<LeaseHolder>& lease,
                 const std::string& self, WallTime now);

// "held by HOST until 2026-12-05T02:00:00Z; this host deletes nothing".
std::string HeldByText(const LeaseHolder& lease);

}  // namespace retention
