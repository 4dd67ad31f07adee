#include "pg_cluster.h"

#include <unistd.h>

#include <catch2/catch.hpp>
#include <cstdlib>
#include <fstream>

namespace retention {
namespace {

constexpr char kUser[] = "retentiond-test";

int Run(const std::string& command) {
  INFO(command);
  return std::system(command.c_str());
}

std::string PgBin() {
  const char* env = std::getenv("RETENTION_PG_BIN");
  return env && *env ? env : "/usr/lib/postgresql/15/bin";
}

}  // namespace

PgCluster::PgCluster() : bin_(PgBin()) {
  if (access((bin_ + "/initdb").c_str(), X_OK) != 0) {
    FAIL("PostgreSQL is not installed (no " + bin_ +
         "/initdb): run .ci/install-deps; the pg tests never skip");
  }
  // Another test may add the user at the same moment: then it exists.
  const std::string exists = std::string("id -u ") + kUser + " >/dev/null 2>&1";
  if (Run(exists) != 0) {
    REQUIRE(Run(std::string("useradd --system --no-create-home --shell "
                            "/usr/sbin/nologin ") +
                kUser + " || " + exists) == 0);
  }
  const std::string& d = dir();
  REQUIRE(Run(std::string("chown ") + kUser + " " + d) == 0);
  // initdb, once per machine: a copy of its template (tests/pg/pg_initdb.sh).
  const std::string log = d + "/initdb.log";
  if (Run(std::string(RETENTION_SOURCE_DIR) + "/tests/pg/pg_initdb.sh " + bin_ +
          " " + kUser + " " + kPassword + " " + d + "/data > " + log +
          " 2>&1") != 0) {
    std::ifstream in(log);
    FAIL("initdb failed: " << in.rdbuf());
  }
  Start();
}

void PgCluster::Start() {
  const std::string& d = dir();
  const std::string opts =
      "-c listen_addresses='' -c unix_socket_directories='" + d +
      "' -c fsync=off -c synchronous_commit=off";
  if (Run(std::string("runuser -u ") + kUser + " -- " + bin_ + "/pg_ctl -D " +
          d + "/data -l " + d + "/server.log -w -o \"" + opts +
          "\" start > /dev/null 2>&1") != 0) {
    std::ifstream in(d + "/server.log");
    FAIL("pg_ctl start failed: " << in.rdbuf());
  }
  admin_ = Connect();
}

void PgCluster::Crash() {
  admin_.reset();
  // As a crash: no shutdown checkpoint, no WAL written from memory.
  (void)Run(std::string("runuser -u ") + kUser + " -- " + bin_ + "/pg_ctl -D " +
            dir() + "/data -m immediate stop > /dev/null 2>&1");
}

PgCluster::~PgCluster() {
  // Nothing to check: an immediate stop of a test cluster loses nothing
  // that matters.
  Crash();
}

std::string PgCluster::Uri(const std::string& password) const {
  return "postgresql://postgres:" + password + "@/postgres?host=" + dir();
}

std::unique_ptr<PgConnection> PgCluster::Connect() const {
  auto conn = PgConnection::Open(Uri());
  INFO(conn.status().ToString());
  REQUIRE(conn.ok());
  return std::move(*conn);
}

void PgCluster::Sql(const std::string& sql) {
  Status st = admin_->Exec(sql);
  INFO(sql << ": " << st.ToString());
  REQUIRE(st.ok());
}

std::string PgCluster::Value(const std::string& sql) {
  auto r = admin_->Query(sql);
  INFO(sql << ": " << r.status().ToString());
  REQUIRE(r.ok());
  REQUIRE(r->rows() > 0);
  return r->Text(0, 0);
}

}  // namespace retention
