// Group names from the configuration (socket_group, admin_group, a log's
// create_group) resolved to ids through NSS (getgrnam_r).
// Thread-safe.
#pragma once

#include <sys/types.h>

#include <string>

#include "base/status.h"

namespace retention {

// kNotFound "no group named 'x'" when NSS has no such group.
StatusOr<gid_t> LookupGroup(const std::string& name);

// A group given by number ("1000") or by name (LookupGroup); an empty text
// is kInvalidArgument. The one reading of a configured group.
StatusOr<gid_t> ResolveGroup(const std::string& name_or_id);

}  // namespace retention
