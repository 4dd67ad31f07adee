// An audit (core/audit.h) as JSON, the one shape `retentionctl audit
// --json` and the report's "audit" member share:
//   {"ok": bool, "time": ISO-8601, "policies": [{"policy", "kind", "ok",
//    "checked", "error", "overdue", "bytes", "held", "kept", "extra",
//    "oldest", "oldest_age_seconds"}]}
// ok is true only when every promise holds and was checked. Pure,
// thread-safe.
#pragma once

#include <nlohmann/json.hpp>
#include <vector>

#include "core/audit.h"

namespace retention {

nlohmann::json AuditJson(const std::vector<AuditFinding>& findings,
                         WallTime now);

}  // namespace retention
