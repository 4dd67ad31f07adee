// The control socket's wire protocol: the one place that names the Varlink
// interface io.retentiond.Manager served on /run/retentiond/control.sock —
// its methods, which of them change state (and so need root or the admin
// group), its errors, and the interface description text that
// org.varlink.service.GetInterfaceDescription returns. The standard
// org.varlink.service names live here too, so server and client spell every
// name from this header. Framing and parsing are in varlink.h.
//
// Threading: constants and pure functions only; thread-safe.
#pragma once

#include <span>
#include <string_view>

namespace retention {

// What org.varlink.service.GetInfo reports besides the version.
inline constexpr std::string_view kVarlinkVendor = "retentiond";
inline constexpr std::string_view kVarlinkProduct = "retentiond";
// GetInfo's url: empty, as the project has no public site yet.
inline constexpr std::string_view kVarlinkUrl = "";

// The standard service interface every Varlink service implements.
inline constexpr std::string_view kServiceInterfaceName = "org.varlink.service";
inline constexpr std::string_view kMethodGetInfo =
    "org.varlink.service.GetInfo";
inline constexpr std::string_view kMethodGetInterfaceDescription =
    "org.varlink.service.GetInterfaceDescription";
inline constexpr std::string_view kServiceErrorInterfaceNotFound =
    "org.varlink.service.InterfaceNotFound";  // (interface: string)
inline constexpr std::string_view kServiceErrorMethodNotFound =
    "org.varlink.service.MethodNotFound";  // (method: string)
inline constexpr std::string_view kServiceErrorMethodNotImplemented =
    "org.varlink.service.MethodNotImplemented";  // (method: string)
inline constexpr std::string_view kServiceErrorInvalidParameter =
    "org.varlink.service.InvalidParameter";  // (parameter: string)

// retentiond's own interface.
inline constexpr std::string_view kManagerInterfaceName =
    "io.retentiond.Manager";

inline constexpr std::string_view kMethodStatus =
    "io.retentiond.Manager.Status";
inline constexpr std::string_view kMethodListPolicies =
    "io.retentiond.Manager.ListPolicies";
inline constexpr std::string_view kMethodRunPolicy =
    "io.retentiond.Manager.RunPolicy";
inline constexpr std::string_view kMethodReload =
    "io.retentiond.Manager.Reload";
inline constexpr std::string_view kMethodConfirmClock =
    "io.retentiond.Manager.ConfirmClock";
inline constexpr std::string_view kMethodRelease =
    "io.retentiond.Manager.Release";
inline constexpr std::string_view kMethodHold = "io.retentiond.Manager.Hold";
inline constexpr std::string_view kMethodReleaseHold =
    "io.retentiond.Manager.ReleaseHold";
inline constexpr std::string_view kMethodListHolds =
    "io.retentiond.Manager.ListHolds";
inline constexpr std::string_view kMethodReport =
    "io.retentiond.Manager.Report";
inline constexpr std::string_view kMethodVerifyLedger =
    "io.retentiond.Manager.VerifyLedger";
inline constexpr std::string_view kMethodMetrics =
    "io.retentiond.Manager.Metrics";
inline constexpr std::string_view kMethodOccupancy =
    "io.retentiond.Manager.Occupancy";

inline constexpr std::string_view kErrorNoSuchPolicy =
    "io.retentiond.Manager.NoSuchPolicy";  // (name)
inline constexpr std::string_view kErrorPermissionDenied =
    "io.retentiond.Manager.PermissionDenied";  // (method)
inline constexpr std::string_view kErrorInvalidParameter =
    "io.retentiond.Manager.InvalidParameter";  // (parameter, reason)
inline constexpr std::string_view kErrorInvalidMessage =
    "io.retentiond.Manager.InvalidMessage";  // (reason)
inline constexpr std::string_view kErrorConfigInvalid =
    "io.retentiond.Manager.ConfigInvalid";  // (errors: []string)
inline constexpr std::string_view kErrorBusy =
    "io.retentiond.Manager.Busy";  // (reason)
inline constexpr std::string_view kErrorInternal =
    "io.retentiond.Manager.Internal";  // (message)

// Report formats accepted by Report(format:).
inline constexpr std::string_view kReportFormats[] = {"text", "json", "html"};

// One method of io.retentiond.Manager: its name, who may call it, and the
// parameters it takes (any other is refused with InvalidParameter before
// its handler runs). A method that changes state is refused unless the
// caller is root or in the configured admin group; the others need only
// membership of the socket's group. The handlers are ManagerService's
// (manager_service.cc), one per name; the interface text below declares
// the types.
struct MethodSpec {
  std::string_view name;  // full name: "io.retentiond.Manager.RunPolicy"
  bool changes_state;
  std::span<const std::string_view> params;
};

namespace method_params {
inline constexpr std::string_view kRunPolicy[] = {"name", "dry_run"};
inline constexpr std::string_view kName[] = {"name"};
inline constexpr std::string_view kHold[] = {"kind", "target", "reason"};
inline constexpr std::string_view kReleaseHold[] = {"kind", "target"};
inline constexpr std::string_view kReport[] = {"since", "format"};
inline constexpr std::string_view kOccupancy[] = {"user", "top", "over"};
}  // namespace method_params

inline constexpr MethodSpec kManagerMethods[] = {
    {kMethodStatus, false, {}},
    {kMethodListPolicies, false, {}},
    {kMethodRunPolicy, true, method_params::kRunPolicy},
    {kMethodReload, true, {}},
    {kMethodConfirmClock, true, {}},
    {kMethodReport, false, method_params::kReport},
    {kMethodVerifyLedger, false, {}},
    {kMethodMetrics, false, {}},
    {kMethodRelease, true, method_params::kName},
    {kMethodHold, true, method_params::kHold},
    {kMethodReleaseHold, true, method_params::kReleaseHold},
    {kMethodListHolds, false, {}},
    {kMethodOccupancy, false, method_params::kOccupancy},
};

// The spec of the Manager method with full name `method`, or nullptr when
// io.retentiond.Manager has no such method.
const MethodSpec* FindManagerMethod(std::string_view method);

// True for the Manager methods that change state (RunPolicy, Reload,
// ConfirmClock, Release, Hold, ReleaseHold). False for read methods and for
// names that are no method.
bool ChangesState(std::string_view method);

// The Varlink interface descriptions, verbatim as GetInterfaceDescription
// returns them.
extern const std::string_view kManagerInterface;
extern const std::string_view kServiceInterface;

}  // namespace retention
