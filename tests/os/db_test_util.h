// Helpers for the SQLite OS tests: a fresh temp directory per test, removed
// with everything in it when the test ends, and a side connection that edits
// a database behind StateDb's back (to tamper with the ledger, or to fake a
// newer schema). Single-threaded test use only.
#pragma once

#include <stdlib.h>

#include <catch2/catch.hpp>
#include <filesystem>
#include <memory>
#include <string>

#include "sqlite_db.h"

namespace retention {

class TempDir {
 public:
  TempDir() {
    char tmpl[] = "/tmp/retention-db-test-XXXXXX";
    const char* made = mkdtemp(tmpl);
    REQUIRE(made != nullptr);
    path_ = made;
  }
  ~TempDir() {
    std::error_code ignored;  // a leftover temp dir must not fail the test
    std::filesystem::remove_all(path_, ignored);
  }
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;

  const std::string& path() const { return path_; }
  std::string File(const std::string& name) const { return path_ + "/" + name; }

 private:
  std::string path_;
};

// A second connection to the database at `path`, for raw SQL.
inline std::unique_ptr<SqliteDb> SideConnection(const std::string& path) {
  StatusOr<std::unique_ptr<SqliteDb>> db =
      SqliteDb::Open(path, SqliteDb::OpenMode::kReadWrite);
  REQUIRE(db.ok());
  return std::move(*db);
}

// Runs value-free SQL on a side connection; the test fails if it fails.
inline void RawSql(const std::string& path, const std::string& sql) {
  Status st = SideConnection(path)->Exec(sql);
  INFO(st.ToString());
  REQUIRE(st.ok());
}

}  // namespace retention
