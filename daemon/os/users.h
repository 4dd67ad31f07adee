// User names from the configuration (create_owner of [logs.NAME]) resolved
// to ids through NSS (getpwnam_r), once at load and reload. Thread-safe.
#pragma once

#include <sys/types.h>

#include <string>

#include "base/status.h"

namespace retention {

// kNotFound "no user named 'x'" when NSS has no such user.
StatusOr<uid_t> LookupUser(const std::string& name);

// A user given by number ("1000") or by name (LookupUser); an empty text
// is kInvalidArgument. The one reading of a configured owner.
StatusOr<uid_t> ResolveUser(const std::string& name_or_id);

}  // namespace retention
