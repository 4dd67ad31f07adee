// Holds as JSON, the one shape the control protocol (Status, Hold,
// ListHolds) and the JSON report share: {"kind", "target", "reason", "by",
// "since"} with since as ISO-8601 UTC. Pure, thread-safe.
#pragma once

#include <nlohmann/json.hpp>
#include <vector>

#include "core/state_db.h"

namespace retention {

nlohmann::json HoldJson(const Hold& hold);
nlohmann::json HoldsJson(const std::vector<Hold>& holds);  // an array

}  // namespace retention
