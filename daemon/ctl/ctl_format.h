// How retentionctl shows the daemon's replies to a person: the status
// header and policy table, reload, verify and confirm-clock lines, and error
// replies in words. Input is a reply's parameters as the daemon sent them;
// a field that is missing, null or of an unexpected type shows as "-"
// rather than failing, so an older or newer daemon still prints. Text from
// the daemon passes through Printable before it reaches the terminal.
//
// Pure functions; thread-safe; nothing here throws.
#pragma once

#include <cstdint>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>

#include "base/clock.h"
#include "control/varlink.h"
#include "core/progress.h"

namespace retention {

// The POLICY EVERY STATE NEXT RUN LAST RUN RESULT table of a
// ListPolicies or Status reply's `policies` array, times relative to `now`
// ("in 18s", "3m ago"), then a line per policy with a description ("POLICY:
// the promise") or an engaged brake (its reason); 80 columns, long lines
// wrapped. "no policies configured" when empty or not an array.
std::string FormatPolicyTable(const nlohmann::json& policies, WallTime now);

// Status: "version: ..." header lines (version, pid, started relative to
// `now`, config, state dir, clock brake, running, queued), a blank line, the
// policy table, then "POLICY: work held by HOST, lease ends in 15s" for each
// policy a fleet shares.
std::string FormatStatus(const nlohmann::json& status, WallTime now);
// A Status policy's "progress" object back as the daemon measured it;
// nullopt when the policy is not executing (or the daemon is older).
std::optional<ProgressSnapshot> ProgressOf(const nlohmann::json& policy);

// Reload: "reloaded: N policies".
std::string FormatReload(const nlohmann::json& reply);

// What confirm-clock says, on standard error, when no clock brake is
// engaged: it then changes nothing and exits kExitFailure, as a command
// that could not do what was asked.
inline constexpr char kClockNotEngaged[] =
    "no clock brake is engaged; nothing to confirm\n";

// ConfirmClock: whether a brake was released.
std::string FormatConfirmClock(const nlohmann::json& reply);
// Hold replies: `field` "hold" (one object) or "holds" (an array), as a
// table KIND TARGET SINCE BY REASON; "no holds" when empty.
std::string FormatHolds(const nlohmann::json& reply, const char* field);
// Release: which policy, and whether its brake was engaged.
std::string FormatRelease(const nlohmann::json& reply);

// A ledger check as `retentionctl verify` prints it, with or without the
// daemon: "ledger intact: N entries, head H" or "LEDGER BROKEN at entry N:
// problem".
std::string FormatLedgerCheck(bool ok, int64_t entries,
                              const std::string& head_hash,
                              int64_t first_bad_seq,
                              const std::string& problem);
// The same from a VerifyLedger reply; *ok receives its `ok` (false when
// missing).
std::string FormatVerifyReply(const nlohmann::json& reply, bool* ok);

// An error reply in words, one or more lines each starting "retentionctl: ",
// except ConfigInvalid's entries, which are printed as they are
// ("file:line: [section] key: message") before a closing line.
std::string FormatErrorReply(const Reply& reply);

// The exit code for an error reply: kExitNoPermission for PermissionDenied
// (retentiond's or org.varlink.service's), else kExitFailure.
int ExitCodeForErrorReply(const Reply& reply);

}  // namespace retention
