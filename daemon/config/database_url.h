// The `database` key of a section that reads an application database
// ([rows.NAME], [accounts], [occupancy]), resolved to what a backend opens.
#pragma once

#include <string>

#include "base/status.h"
#include "config/config.h"

namespace retention {

// The database path of a section's `database` key, resolved as above.
StatusOr<std::string> DatabasePathOf(const Section& section);

}  // namespace retention
