// Helpers for the SQLite OS tests: a fresh temp directory per test, removed
// with everything in it when the test ends, and a side connection that edits
// a database behind StateDb's back (to tamper with the ledger, or to fake a
// newer schema), and the state database opened. Single-threaded test use only.
#pragma once

#include <stdlib.h>

#include <catch2/catch.hpp>
#include <filesystem>
#include <memory>
#include <string>

#include "core/state_db.h"
#include "sql/sqlite_connection.h"
#include "temp_dir.h"

namespace retention {

// A second connection to the database at `path`, for raw SQL.
inline std::unique_ptr<SqliteConnection> SideConnection(
    const std::string& path) {
  StatusOr<std::unique_ptr<SqliteConnection>> db =
      SqliteConnection::Open(path, SqliteConnection::OpenMode::kReadWrite);
  REQUIRE(db.ok());
  return std::move(*db);
}

// Runs value-free SQL on a side connection; the test fails if it fails.
inline void RawSql(const std::string& path, const std::string& sql) {
  Status st = SideConnection(path)->Exec(sql);
  INFO(st.ToString());
  REQUIRE(st.ok());
}

// Opens (creating or migrating) the state database at `path`; the test
// fails if it cannot.
inline std::unique_ptr<StateDb> OpenStateDb(const std::string& path) {
  StatusOr<std::unique_ptr<StateDb>> db = StateDb::Open(path);
  INFO(db.status().ToString());
  REQUIRE(db.ok());
  return std::move(*db);
}

}  // namespace retention
