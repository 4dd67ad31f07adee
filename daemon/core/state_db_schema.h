// How StateDb (state_db.h) sets up its connection and migrates its schema
// (state_db_schema.cc). For StateDb only.
#pragma once

#include <cstdint>

#include "base/status.h"
#include "sql/sqlite_connection.h"

namespace retention {

// Per-connection settings; they change nothing in the file.
Status SetConnectionPragmas(SqliteConnection& db);
// WAL is recorded in the file, so this runs only once the file is accepted.
Status EnableWal(SqliteConnection& db);
// Reads the version and, if it is behind, applies every migration due, all
// in one write transaction so two processes opening at once cannot both
// migrate. Returns the version reached.
StatusOr<int64_t> MigrateToNewest(SqliteConnection& db);

}  // namespace retention
