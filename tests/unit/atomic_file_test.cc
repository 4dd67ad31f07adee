#include "os/atomic_file.h"

#include <catch2/catch.hpp>

#include "fakes/fake_clock.h"
#include "fakes/fake_filesystem.h"

namespace retention::atomic_file_test {
namespace {

struct Env {
  FakeClock clock;
  FakeFilesystem fs{clock};
  Env() {
    fs.AddFileWithContents("/var/lib/m/metrics.prom", "old\n", clock.Now());
  }
};

TEST_CASE("an atomic write replaces the file and leaves no temp file") {
  Env e;
  CHECK(WriteFileAtomically(e.fs, "/var/lib/m/metrics.prom", "new\n").ok());
  CHECK(e.fs.FileContents("/var/lib/m/metrics.prom") == "new\n");
  CHECK_FALSE(e.fs.Exists("/var/lib/m/.metrics.prom.tmp"));
}

TEST_CASE("an atomic write that hits a full disk keeps the old file") {
  Env e;
  e.fs.FailNext(FsOp::kWrite, ENOSPC);
  Status st = WriteFileAtomically(e.fs, "/var/lib/m/metrics.prom", "new\n");
  CHECK(st.IsNoSpace());
  CHECK(e.fs.FileContents("/var/lib/m/metrics.prom") == "old\n");
  CHECK_FALSE(e.fs.Exists("/var/lib/m/.metrics.prom.tmp"));
}

TEST_CASE("an atomic write whose fsync fails keeps the old file") {
  Env e;
  e.fs.FailNext(FsOp::kSync, EIO);
  CHECK_FALSE(
      WriteFileAtomically(e.fs, "/var/lib/m/metrics.prom", "new\n").ok());
  CHECK(e.fs.FileContents("/var/lib/m/metrics.prom") == "old\n");
}

TEST_CASE("a temp file left by a crash is replaced by the next atomic write") {
  Env e;
  e.fs.AddFileWithContents("/var/lib/m/.metrics.prom.tmp", "torn",
                           e.clock.Now());
  CHECK(WriteFileAtomically(e.fs, "/var/lib/m/metrics.prom", "new\n").ok());
  CHECK(e.fs.FileContents("/var/lib/m/metrics.prom") == "new\n");
}

TEST_CASE("an atomic write wants an absolute file path") {
  Env e;
  CHECK(WriteFileAtomically(e.fs, "metrics.prom", "x").code() ==
        Status::Code::kInvalidArgument);
  CHECK(WriteFileAtomically(e.fs, "/var/lib/m/", "x").code() ==
        Status::Code::kInvalidArgument);
  CHECK(WriteFileAtomically(e.fs, "/nowhere/m.prom", "x").IsNotFound());
}

}  // namespace
}  // namespace retention::atomic_file_test
