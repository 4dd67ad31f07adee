// The accounts kind's part of `retentionctl audit` (core/audit.h): what
// the plan cannot show because a purge "done" is never planned again — an
// account purged whose data directory is back, or (account_row = delete)
// whose row, still marked deleted, is back. Read-only: stats the data
// directory, reads the accounts marked deleted on a read-only connection
// and the purge records in the state database. The rows of the cascade
// tables are not counted. Thread-compatible.
#pragma once

#include <string>
#include <vector>

#include "config/config.h"
#include "core/policy.h"

namespace retention {

// One line per violation ("account 42 purged 2026-…: data directory
// /data/users/42 is back"). Fails without the state database.
StatusOr<std::vector<std::string>> AuditAccounts(const Section& section,
                                                 Services& services,
                                                 WallTime now);

}  // namespace retention
