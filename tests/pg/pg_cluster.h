// PgCluster: a private PostgreSQL cluster for one test process — a new
// cluster in a fresh temp dir (a copy of initdb's template, made once per
// machine by tests/pg/pg_initdb.sh) owned by an unprivileged user (initdb
// refuses root: the system user retentiond-test is created when missing),
// pg_ctl start with
// a Unix socket in that dir and no TCP listener, password authentication
// (scram-sha-256) for the superuser "postgres". The destructor stops it
// (pg_ctl stop -m immediate) and removes the dir. A machine without
// PostgreSQL fails the test loudly: these tests never pass by skipping.
// Binaries: $RETENTION_PG_BIN, else /usr/lib/postgresql/15/bin.
#pragma once

#include <memory>
#include <string>

#include "sql/pg_connection.h"
#include "temp_dir.h"

namespace retention {

class PgCluster {
 public:
  static constexpr const char* kPassword = "s3cret-pw";
  PgCluster();  // REQUIREs a running cluster
  ~PgCluster();
  PgCluster(const PgCluster&) = delete;
  PgCluster& operator=(const PgCluster&) = delete;

  const std::string& dir() const { return tmp_.path(); }
  // Stops the server as a crash would (pg_ctl stop -m immediate: what is
  // not in the WAL on disk is lost), and starts it again (crash recovery).
  void Crash();
  void Start();
  // postgresql://postgres:PASSWORD@/postgres?host=DIR
  std::string Uri(const std::string& password = kPassword) const;
  // A new superuser session (the application's, in tests).
  std::unique_ptr<PgConnection> Connect() const;
  // Runs `sql` on the cluster's admin session; REQUIREs success.
  void Sql(const std::string& sql);
  // The first column of the first row of `sql`.
  std::string Value(const std::string& sql);

 private:
  TempDir tmp_;
  std::string bin_;
  std::unique_ptr<PgConnection> admin_;
};

}  // namespace retention
