// What only the fake offers: injected failures, the removal record, attacks
// (Replace, MarkMount), locks and times under test control. The contract it
// shares with the real filesystem is in os/filesystem_contract_test.cc.
#include "fakes/fake_filesystem.h"

#include <catch2/catch.hpp>
#include <functional>

#include "status_printers.h"

namespace retention::fake_filesystem_test {
namespace {

using Code = Status::Code;
using std::chrono::hours;

struct Fixture {
  Fixture() : fs(clock) {
    fs.AddFile("/data/a.log", 10, clock.Now());
    fs.AddDir("/data/d");
    auto opened = fs.OpenRoot("/data");
    REQUIRE(opened.ok());
    root = std::move(opened).value();
  }
  FileInfo Stat(const std::string& name) {
    auto info = fs.StatAt(*root, name);
    REQUIRE(info.ok());
    return *info;
  }

  FakeClock clock;
  FakeFilesystem fs;
  std::unique_ptr<Dir> root;
};

TEST_CASE("an injected ENOSPC fails the next write only") {
  Fixture f;
  auto file = f.fs.CreateFileAt(*f.root, "new", 0600);
  REQUIRE(file.ok());
  f.fs.FailNext(FsOp::kWrite, ENOSPC);

  Status full = (*file)->Write("abc");
  CHECK(full.code() == Code::kNoSpace);
  CHECK(full.errno_value() == ENOSPC);
  CHECK(f.fs.FileContents("/data/new").empty());
  CHECK((*file)->Write("abc").ok());
  CHECK(f.fs.FileContents("/data/new") == "abc");
}

TEST_CASE("injected failures queue up and are consumed in order") {
  Fixture f;
  f.fs.FailNext(FsOp::kList, EIO);
  f.fs.FailNext(FsOp::kList, EACCES);

  CHECK(f.fs.List(*f.root).status().code() == Code::kIoError);
  CHECK(f.fs.List(*f.root).status().code() == Code::kPermissionDenied);
  CHECK(f.fs.List(*f.root).ok());
}

TEST_CASE("every operation can be failed on demand") {
  Fixture f;
  auto writer = f.fs.CreateFileAt(*f.root, "w", 0600);
  auto reader = f.fs.OpenFileAt(*f.root, "a.log");
  REQUIRE(writer.ok());
  REQUIRE(reader.ok());
  Filesystem& fs = f.fs;
  Dir& root = *f.root;
  std::string out;
  const std::vector<std::pair<FsOp, std::function<Status()>>> ops = {
      {FsOp::kOpenRoot, [&] { return fs.OpenRoot("/data").status(); }},
      {FsOp::kOpenDir, [&] { return fs.OpenDir(root, "d").status(); }},
      {FsOp::kList, [&] { return fs.List(root).status(); }},
      {FsOp::kStat, [&] { return fs.StatAt(root, "a.log").status(); }},
      {FsOp::kStat, [&] { return (*reader)->Stat().status(); }},
      {FsOp::kRemove, [&] { return fs.RemoveAt(root, "d", f.Stat("d")); }},
      {FsOp::kRename, [&] { return fs.RenameAt(root, "w", root, "w2"); }},
      {FsOp::kMakeDir, [&] { return fs.MakeDirAt(root, "m", 0700); }},
      {FsOp::kCreate,
       [&] { return fs.CreateFileAt(root, "c", 0600).status(); }},
      {FsOp::kOpen, [&] { return fs.OpenFileAt(root, "a.log").status(); }},
      {FsOp::kWrite, [&] { return (*writer)->Write("x"); }},
      {FsOp::kRead, [&] { return (*reader)->Read(1, &out); }},
      {FsOp::kSync, [&] { return (*writer)->Sync(); }},
      {FsOp::kSyncDir, [&] { return fs.SyncDir(root); }},
      {FsOp::kSpace, [&] { return fs.Space(root).status(); }},
      {FsOp::kIsLocked, [&] { return fs.IsLocked(root, "a.log").status(); }},
      {FsOp::kLockedInodes, [&] { return fs.LockedInodes(root).status(); }},
      {FsOp::kIsOpenForWriting,
       [&] {
         return fs.IsOpenForWritingAt(root, "a.log", f.Stat("a.log")).status();
       }},
  };
  for (const auto& [op, call] : ops) {
    INFO("operation #" << static_cast<int>(op));
    f.fs.FailNext(op, EIO);
    Status failed = call();
    CHECK(failed.code() == Code::kIoError);
    CHECK(failed.errno_value() == EIO);
    CHECK(call().ok());
  }
}

TEST_CASE("a fake writer is seen until it closes, on that inode only") {
  Fixture f;
  const FileInfo before = f.Stat("a.log");
  CHECK(*f.fs.IsOpenForWritingAt(*f.root, "a.log", before) == false);
  f.fs.SetWriting("/data/a.log", true);
  CHECK(*f.fs.IsOpenForWritingAt(*f.root, "a.log", before) == true);
  f.fs.SetWriting("/data/a.log", false);
  CHECK(*f.fs.IsOpenForWritingAt(*f.root, "a.log", before) == false);
  f.fs.Replace("/data/a.log");
  CHECK(f.fs.IsOpenForWritingAt(*f.root, "a.log", before).status().code() ==
        Code::kAborted);
  CHECK(f.fs.IsOpenForWritingAt(*f.root, "gone", before).status().code() ==
        Code::kNotFound);
}

TEST_CASE("removals are recorded in order, outside erasures are not") {
  Fixture f;
  f.fs.AddFile("/data/d/x", 1, f.clock.Now());
  f.fs.AddFile("/data/b.log", 1, f.clock.Now());
  auto d = f.fs.OpenDir(*f.root, "d");
  REQUIRE(d.ok());

  CHECK(f.fs.RemoveAt(**d, "x", *f.fs.StatAt(**d, "x")).ok());
  CHECK(f.fs.RemoveAt(*f.root, "a.log", f.Stat("a.log")).ok());
  f.fs.Erase("/data/b.log");
  CHECK(f.fs.RemoveAt(*f.root, "d", f.Stat("d")).ok());
  CHECK(f.fs.removed() ==
        std::vector<std::string>{"/data/d/x", "/data/a.log", "/data/d"});
  CHECK_FALSE(f.fs.Exists("/data/d"));
}

TEST_CASE("a refused removal is not recorded") {
  Fixture f;
  FileInfo a = f.Stat("a.log");
  f.fs.Replace("/data/a.log");

  CHECK(f.fs.RemoveAt(*f.root, "a.log", a).code() == Code::kUnsafe);
  CHECK(f.fs.removed().empty());
  CHECK(f.fs.Exists("/data/a.log"));
}

TEST_CASE("a replaced directory is caught by OpenDir and by RemoveAt") {
  Fixture f;
  f.fs.AddFile("/data/d/x", 1, f.clock.Now());
  FileInfo d = f.Stat("d");
  f.fs.Replace("/data/d");

  CHECK(f.fs.OpenDir(*f.root, "d", &d).status().code() == Code::kUnsafe);
  CHECK(f.fs.RemoveAt(*f.root, "d", d).code() == Code::kUnsafe);
  CHECK(f.fs.Exists("/data/d/x"));  // the entries moved to the new inode
  CHECK_FALSE(f.Stat("d").SameIdentity(d));
}

TEST_CASE("a marked mount is another filesystem that is never entered") {
  Fixture f;
  f.fs.AddFile("/data/m/x", 1, f.clock.Now());
  f.fs.MarkMount("/data/m");
  FileInfo m = f.Stat("m");

  CHECK(m.mount_root);
  CHECK(m.dev != f.root->info().dev);
  CHECK(f.fs.StatPath("/data/m/x")->dev == m.dev);
  CHECK(f.fs.OpenDir(*f.root, "m").status().code() == Code::kUnsafe);
  CHECK(f.fs.RemoveAt(*f.root, "m", m).code() == Code::kUnsafe);
  CHECK(f.fs.RenameAt(*f.root, "m", *f.root, "n").code() == Code::kBusy);
  auto mount = f.fs.OpenRoot("/data/m");  // a root may itself be a mount
  REQUIRE(mount.ok());
  CHECK(f.fs.RenameAt(*f.root, "a.log", **mount, "a.log").code() ==
        Code::kUnsafe);
}

TEST_CASE("a lock set by the test is reported until released") {
  Fixture f;
  f.fs.SetLocked("/data/a.log", true);
  CHECK(*f.fs.IsLocked(*f.root, "a.log"));
  f.fs.SetLocked("/data/a.log", false);
  CHECK_FALSE(*f.fs.IsLocked(*f.root, "a.log"));
}

TEST_CASE("what the code creates or writes is dated by the clock") {
  Fixture f;
  f.clock.Advance(hours(24 * 395));
  REQUIRE(f.fs.MakeDirAt(*f.root, "q", 0700).ok());
  auto file = f.fs.CreateFileAt(*f.root, "new", 0600);
  REQUIRE(file.ok());
  CHECK(f.Stat("q").mtime == f.clock.Now());
  CHECK(f.Stat("new").mtime == f.clock.Now());

  f.clock.Advance(hours(1));
  REQUIRE((*file)->Write("x").ok());
  CHECK((*file)->Stat()->mtime == f.clock.Now());
}

TEST_CASE("added files keep the size and time they were given") {
  Fixture f;
  const WallTime old = f.clock.Now() - hours(24 * 400);
  f.fs.AddFile("/data/big.log", 200'000'001, old);
  f.fs.SetMtime("/data/a.log", old);

  FileInfo big = f.Stat("big.log");
  CHECK(big.size == 200'000'001);
  CHECK(big.blocks == 200'000'000 / 512 + 1);  // rounded up
  CHECK(big.mtime == old);
  CHECK(f.Stat("a.log").mtime == old);
  auto in = f.fs.OpenFileAt(*f.root, "big.log");
  REQUIRE(in.ok());
  std::string head;
  REQUIRE((*in)->Read(4, &head).ok());
  CHECK(head == std::string(4, '\0'));
}

TEST_CASE("free bytes are what the test set") {
  Fixture f;
  f.fs.SetSpace({12345, 67890});
  CHECK(f.fs.Space(*f.root)->available == 12345);
  CHECK(f.fs.Space(*f.root)->total == 67890);
}

TEST_CASE("a directory cannot be renamed below itself") {
  Fixture f;
  f.fs.AddDir("/data/d/e");
  auto e = f.fs.OpenRoot("/data/d/e");
  REQUIRE(e.ok());
  CHECK(f.fs.RenameAt(*f.root, "d", **e, "d").code() == Code::kInvalidArgument);
  CHECK(f.fs.Exists("/data/d/e"));
}

TEST_CASE(
    "a handle keeps its directory across a rename, as a descriptor does") {
  Fixture f;
  f.fs.AddDir("/data/q");
  auto d = f.fs.OpenDir(*f.root, "d");
  REQUIRE(d.ok());
  REQUIRE(f.fs.RenameAt(*f.root, "d", *f.root, "moved").ok());

  REQUIRE(f.fs.MakeDirAt(**d, "inside", 0700).ok());
  CHECK(f.fs.Exists("/data/moved/inside"));
}

TEST_CASE("a handle to a removed directory can create nothing") {
  Fixture f;
  auto d = f.fs.OpenDir(*f.root, "d");
  REQUIRE(d.ok());
  REQUIRE(f.fs.RemoveAt(*f.root, "d", f.Stat("d")).ok());

  CHECK(f.fs.List(**d)->empty());
  CHECK(f.fs.MakeDirAt(**d, "x", 0700).code() == Code::kNotFound);
  CHECK(f.fs.CreateFileAt(**d, "x", 0600).status().code() == Code::kNotFound);
}

}  // namespace
}  // namespace retention::fake_filesystem_test
