// org.varlink.service answered by retentiond itself, and the errors for
// calls no handler takes. See varlink.h.
#include "control/control_protocol.h"
#include "control/varlink.h"

namespace retention {
namespace {

std::string GetInfoReply(std::string_view version) {
  return EncodeReply(
      {{"vendor", kVarlinkVendor},
       {"product", kVarlinkProduct},
       {"version", version},
       {"url", kVarlinkUrl},
       {"interfaces", {kServiceInterfaceName, kManagerInterfaceName}}});
}

std::string GetInterfaceDescriptionReply(const Request& request) {
  StatusOr<std::string> name = StringParam(request, "interface", true);
  if (!name.ok()) {
    return EncodeError(kServiceErrorInvalidParameter,
                       {{"parameter", "interface"}});
  }
  if (*name == kServiceInterfaceName) {
    return EncodeReply({{"description", kServiceInterface}});
  }
  if (*name == kManagerInterfaceName) {
    return EncodeReply({{"description", kManagerInterface}});
  }
  return EncodeError(kServiceErrorInterfaceNotFound, {{"interface", *name}});
}

}  // namespace

std::optional<std::string> DispatchServiceInterface(const Request& request,
                                                    std::string_view version) {
  if (request.interface != kServiceInterfaceName) return std::nullopt;
  if (request.method == kMethodGetInfo) return GetInfoReply(version);
  if (request.method == kMethodGetInterfaceDescription) {
    return GetInterfaceDescriptionReply(request);
  }
  return EncodeError(kServiceErrorMethodNotFound, {{"method", request.method}});
}

std::string EncodeUnknownMethod(const Request& request) {
  if (request.interface != kServiceInterfaceName &&
      request.interface != kManagerInterfaceName) {
    return EncodeError(kServiceErrorInterfaceNotFound,
                       {{"interface", request.interface}});
  }
  return EncodeError(kServiceErrorMethodNotFound, {{"method", request.method}});
}

}  // namespace retention
