#include "control/control_protocol.h"

namespace retention {

const MethodSpec* FindManagerMethod(std::string_view method) {
  for (const MethodSpec& spec : kManagerMethods) {
    if (spec.name == method) return &spec;
  }
  return nullptr;
}

bool ChangesState(std::string_view method) {
  const MethodSpec* spec = FindManagerMethod(method);
  return spec != nullptr && spec->changes_state;
}

// Reply payloads are deliberately small; fields may be added (clients ignore
// fields they do not know), none removed or retyped.
const std::string_view kManagerInterface =
    R"(# Control interface of retentiond, the retention daemon.
interface io.retentiond.Manager

# One configured policy: its schedule, whether it is queued or running now,
# its newest real (not dry) run, and its brake, if engaged. holder: for a
# policy a fleet shares (rows on PostgreSQL), which host holds its lease
# and until when, as this host last saw it; null otherwise. description:
# the policy's promise in the privacy policy's words, if configured.
# progress: while a run executes, its items done of planned (in unit, the
# kind's item), the seconds since it began, its rate since then and the
# seconds left at that rate (null until anything is done); null otherwise.
# alerts: the conditions standing now that an operator must act on, by
# name (a logs policy: budget, writer_without_o_append), each with what is
# wrong and at risk, as the last completed run left them (kept across
# restarts); empty when none. alerts_since: when each was first seen.
type Progress (
  done: int,
  planned: int,
  unit: string,
  elapsed_seconds: float,
  rate_per_second: ?float,
  eta_seconds: ?float
)

type WorkHolder (
  host: string,
  until: string
)

type Policy (
  id: string,
  kind: string,
  every: string,
  state: string,
  next_run: ?string,
  last_run: ?string,
  last_result: ?string,
  brake: ?string,
  holder: ?WorkHolder,
  description: ?string,
  progress: ?Progress,
  alerts: [string]string,
  alerts_since: [string]string
)

# One action of a run's plan, with the reason an auditor reads.
type PlannedAction (
  action: string,
  target: string,
  bytes: int,
  count: int,
  reason: string
)

# What a run did with one action, as recorded in the ledger: count is in
# the kind's unit (a row batch counts its rows). target: the first such
# action's target; worst_lateness_seconds: how late the latest removal was
# past its deadline, when the kind knows.
type Performed (
  action: string,
  count: int,
  bytes: int,
  target: ?string,
  worst_lateness_seconds: ?int
)

# One run: the plan (every action a real run performs, or performed) and,
# unless dry, what was done. outcome: ok, dry-run, braked, stopped, error.
# unit: what the kind counts ("row", "file", "user"); destructive: false for
# a kind that only measures.
type Run (
  policy: string,
  dry_run: bool,
  outcome: string,
  error: string,
  scope: int,
  planned: []PlannedAction,
  warnings: []string,
  done: int,
  failed: int,
  bytes: int,
  errors: []string,
  unit: string,
  destructive: bool,
  performed: []Performed
)

# Checkpoints sent off the host since the daemon started: sinks that
# refused one, the last refusal and why, the last one every sink took.
type CheckpointSends (
  send_failures: int,
  last_failure: ?string,
  last_error: ?string,
  last_sent: ?string
)

# The daemon's state. Times are ISO-8601 UTC. clock_brake is the reason
# while deletions are paused until the clock is confirmed.
method Status() -> (
  version: string,
  pid: int,
  started: string,
  config: string,
  state_dir: string,
  clock_brake: ?string,
  running: ?string,
  queued: []string,
  holds: []HoldInfo,
  checkpoints: CheckpointSends,
  policies: []Policy
)

# The configured policies.
method ListPolicies() -> (policies: []Policy)

# Runs one policy now, by id ("files.backups") or bare name, and replies
# when the run ends. With dry_run, plans without deleting.
method RunPolicy(name: string, dry_run: ?bool) -> (run: Run)

# Rereads the configuration. An invalid one is refused with ConfigInvalid
# and the running one kept.
method Reload() -> (policies: int)

# Confirms the wall clock after a jump, releasing the clock brake (at once,
# or when the current run ends). was_engaged: the brake was engaged; when it
# was not, nothing changes and nothing is recorded.
method ConfirmClock() -> (was_engaged: bool)

# Releases the mass-deletion brake of one policy (by id or bare name): the
# brake is cleared, and the policy's next real run may delete beyond its
# max_delete_fraction, once. was_engaged: the brake was engaged.
method Release(name: string) -> (policy: string, was_engaged: bool)

# A hold excludes targets from every deletion until released. kind: policy
# (target: a policy id or bare name), path (an absolute path: it and
# everything below it) or account (an account id).
type HoldInfo (
  kind: string,
  target: string,
  reason: string,
  by: string,
  since: string
)

# Places a hold (replacing one on the same kind and target).
method Hold(kind: string, target: string, reason: string) -> (hold: HoldInfo)

# Removes a hold. was_held: there was one.
method ReleaseHold(kind: string, target: string) -> (was_held: bool)

# Every hold in place.
method ListHolds() -> (holds: []HoldInfo)

# The retention report for the period ending now. since: a duration
# ("30d", the default). format: text (default), json or html.
method Report(since: ?string, format: ?string) -> (
  format: string,
  report: string
)

# Checks the ledger's hash chain from its first entry.
method VerifyLedger() -> (
  ok: bool,
  entries: int,
  head_hash: string,
  first_bad_seq: ?int,
  problem: ?string
)

# Metrics in the Prometheus text exposition format (0.0.4).
method Metrics() -> (text: string)

# One user's storage in the newest [occupancy] measurement, in bytes.
# percent: of the quota, null without a quota; trend: the change in
# allocated bytes over the last day.
type UserOccupancy (
  user: string,
  allocated: int,
  apparent: int,
  files: int,
  dirs: int,
  quota: int,
  percent: ?float,
  over: bool,
  trend: int
)

# The newest occupancy measurement, largest users first. user: only that
# user; top: only the N largest; over: only users over quota. finished is
# null before the first measurement.
method Occupancy(user: ?string, top: ?int, over: ?bool) -> (
  finished: ?string,
  duration_ms: int,
  entries: int,
  warnings: int,
  users: []UserOccupancy
)

# No policy has this name.
error NoSuchPolicy (name: string)

# The caller may not call this method.
error PermissionDenied (method: string)

# A parameter is missing, of the wrong type or has a bad value.
error InvalidParameter (parameter: string, reason: string)

# The message is not a valid Varlink call (bad JSON, bad shape, too large).
# After a message too large the connection is closed.
error InvalidMessage (reason: string)

# The configuration was refused; each entry is "file:line: [section] key:
# message".
error ConfigInvalid (errors: []string)

# The daemon cannot do this now: the policy is already queued or running,
# too many connections, or it is shutting down.
error Busy (reason: string)

# An unexpected failure inside the daemon.
error Internal (message: string)
)";

const std::string_view kServiceInterface =
    R"(# The Varlink Service Interface is provided by every varlink service. It
# describes the service and the interfaces it implements.
interface org.varlink.service

# Get a list of all the interfaces a service provides and information
# about the implementation.
method GetInfo() -> (
  vendor: string,
  product: string,
  version: string,
  url: string,
  interfaces: []string
)

# Get the description of an interface that is implemented by this service.
method GetInterfaceDescription(interface: string) -> (description: string)

# The requested interface was not found.
error InterfaceNotFound (interface: string)

# The requested method was not found
error MethodNotFound (method: string)

# The interface defines the requested method, but the service does not
# implement it.
error MethodNotImplemented (method: string)

# One of the passed parameters is invalid.
error InvalidParameter (parameter: string)

# Client is denied access
error PermissionDenied ()

# Method is expected to be called with 'more' set to true, but wasn't
error ExpectedMore ()
)";

}  // namespace retention
