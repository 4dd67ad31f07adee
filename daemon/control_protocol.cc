#include "control_protocol.h"

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

# One configured policy and its last run.
type Policy (
  name: string,
  kind: string,
  schedule: string,
  next_run: ?string,
  last_run: ?string,
  last_result: ?string
)

# The daemon's state: version, start time, whether deletions are braked
# until the clock is confirmed, and its policies.
method Status() -> (
  version: string,
  started: string,
  clock_confirmed: bool,
  policies: []Policy
)

# The configured policies.
method ListPolicies() -> (policies: []Policy)

# Runs one policy now. With dry_run, plans and reports without deleting.
method RunPolicy(name: string, dry_run: ?bool) -> (
  run_id: int,
  dry_run: bool,
  result: string,
  summary: string
)

# Rereads the configuration; an invalid one is refused and the old one kept.
method Reload() -> ()

# Confirms the wall clock after a jump, releasing the clock brake.
method ConfirmClock() -> ()

# What was deleted and why, since a time or duration ("2026-11-01", "7d").
# format: text, json or html; text when absent.
method Report(since: ?string, format: ?string) -> (
  format: string,
  report: string
)

# Checks the ledger's hash chain from its first entry.
method VerifyLedger() -> (
  ok: bool,
  entries: int,
  first_bad: ?int,
  message: ?string
)

# Metrics in the Prometheus text exposition format.
method Metrics() -> (text: string)

# No policy has this name.
error NoSuchPolicy (name: string)

# The caller may not call this method.
error PermissionDenied (method: string)

# A parameter is missing, of the wrong type or has a bad value.
error InvalidParameter (parameter: string, reason: string)

# The configuration was refused; each entry is "file:line: key: message".
error ConfigInvalid (errors: []string)

# The daemon cannot do this now, e.g. the policy is already running.
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
