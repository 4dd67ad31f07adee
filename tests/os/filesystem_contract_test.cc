// The Filesystem contract (filesystem.h, DESIGN.md's safe-deletion rules),
// run against the real filesystem in a temp dir and against FakeFilesystem,
// so that tests written on the fake hold for the daemon.
#include <algorithm>
#include <catch2/catch.hpp>

#include "os/filesystem_envs.h"

namespace retention::filesystem_contract_test {
namespace {

using Code = Status::Code;

std::vector<std::string> Sorted(std::vector<std::string> names) {
  std::sort(names.begin(), names.end());
  return names;
}

TEMPLATE_TEST_CASE("a symlink to a directory outside the root is never entered",
                   "[contract]", PosixEnv, FakeEnv) {
  TestType env;
  env.Dir("root");
  env.File("outside/secret", "keep me");
  env.Symlink("root/link", env.Path("outside"));
  auto root = OpenRootOf(env, "root");

  CHECK(env.fs().OpenDir(*root, "link").status().code() == Code::kUnsafe);
  FileInfo link = MustStat(env.fs(), *root, "link");
  CHECK(env.fs().OpenDir(*root, "link", &link).status().code() ==
        Code::kUnsafe);
  CHECK(env.Contents("outside/secret") == "keep me");
}

TEMPLATE_TEST_CASE("a directory rename moves only a directory", "[contract]",
                   PosixEnv, FakeEnv) {
  TestType env;
  env.Dir("root");
  env.File("outside/secret", "keep me");
  env.Symlink("root/link", env.Path("outside"));
  env.File("root/file", "F");
  env.File("root/dir/inner", "I");
  env.Dir("root/q");
  auto root = OpenRootOf(env, "root");
  auto q = env.fs().OpenDir(*root, "q");
  REQUIRE(q.ok());

  CHECK(env.fs().RenameDirAt(*root, "link", **q, "link").code() ==
        Code::kUnsafe);
  CHECK(env.fs().RenameDirAt(*root, "file", **q, "file").code() ==
        Code::kUnsafe);
  CHECK_FALSE(env.Exists("root/q/link"));
  CHECK_FALSE(env.Exists("root/q/file"));
  CHECK(env.fs().RenameDirAt(*root, "dir", **q, "dir").ok());
  CHECK(env.Contents("root/q/dir/inner") == "I");
  CHECK(env.fs().RenameDirAt(*root, "gone", **q, "x").code() ==
        Code::kNotFound);
  CHECK(env.Contents("outside/secret") == "keep me");
}

TEMPLATE_TEST_CASE(
    "a symlink below the root is removed itself, never its target",
    "[contract]", PosixEnv, FakeEnv) {
  TestType env;
  env.Dir("root");
  env.File("outside/target.txt", "precious");
  env.Symlink("root/link", env.Path("outside/target.txt"));
  auto root = OpenRootOf(env, "root");

  FileInfo link = MustStat(env.fs(), *root, "link");
  CHECK(link.type == FileType::kSymlink);
  CHECK(env.fs().RemoveAt(*root, "link", link).ok());
  CHECK_FALSE(env.Exists("root/link"));
  CHECK(env.Contents("outside/target.txt") == "precious");
}

TEMPLATE_TEST_CASE("a directory swapped after listing is not entered",
                   "[contract]", PosixEnv, FakeEnv) {
  TestType env;
  env.Dir("root/d");
  env.Dir("outside");
  auto root = OpenRootOf(env, "root");
  FileInfo listed = MustStat(env.fs(), *root, "d");

  SECTION("swapped for a symlink") {
    env.Erase("root/d");
    env.Symlink("root/d", env.Path("outside"));
  }
  SECTION("swapped for another directory") { env.Replace("root/d"); }
  SECTION("swapped for a file") {
    env.Erase("root/d");
    env.File("root/d", "x");
  }
  CHECK(env.fs().OpenDir(*root, "d", &listed).status().code() == Code::kUnsafe);
}

TEMPLATE_TEST_CASE("an unchanged directory opens with its listed identity",
                   "[contract]", PosixEnv, FakeEnv) {
  TestType env;
  env.File("root/d/a", "1");
  auto root = OpenRootOf(env, "root");
  FileInfo listed = MustStat(env.fs(), *root, "d");

  StatusOr<std::unique_ptr<Dir>> d = env.fs().OpenDir(*root, "d", &listed);
  REQUIRE(d.ok());
  CHECK((*d)->info().SameIdentity(listed));
  CHECK((*d)->path() == env.Path("root/d"));
  CHECK(MustStat(env.fs(), **d, "a").size == 1);
}

TEMPLATE_TEST_CASE("a file replaced by another inode after stat is not removed",
                   "[contract]", PosixEnv, FakeEnv) {
  TestType env;
  env.File("root/a.log", "old");
  auto root = OpenRootOf(env, "root");
  FileInfo examined = MustStat(env.fs(), *root, "a.log");
  env.Replace("root/a.log");

  CHECK(env.fs().RemoveAt(*root, "a.log", examined).code() == Code::kUnsafe);
  CHECK(env.Exists("root/a.log"));
}

TEMPLATE_TEST_CASE("a file is removed only as the type it was examined as",
                   "[contract]", PosixEnv, FakeEnv) {
  TestType env;
  env.File("root/a", "x");
  auto root = OpenRootOf(env, "root");
  FileInfo lie = MustStat(env.fs(), *root, "a");
  lie.type = FileType::kDirectory;

  CHECK(env.fs().RemoveAt(*root, "a", lie).code() == Code::kUnsafe);
  CHECK(env.Exists("root/a"));
}

TEMPLATE_TEST_CASE("a FIFO is neither removed nor opened", "[contract]",
                   PosixEnv, FakeEnv) {
  TestType env;
  env.Dir("root");
  env.Fifo("root/pipe");
  auto root = OpenRootOf(env, "root");
  FileInfo fifo = MustStat(env.fs(), *root, "pipe");

  CHECK(fifo.type == FileType::kOther);
  CHECK(env.fs().RemoveAt(*root, "pipe", fifo).code() == Code::kUnsafe);
  CHECK(env.fs().OpenFileAt(*root, "pipe").status().code() == Code::kUnsafe);
  CHECK(env.fs().IsLocked(*root, "pipe").status().code() == Code::kUnsafe);
  CHECK(env.Exists("root/pipe"));
}

TEMPLATE_TEST_CASE("a non-empty directory is busy and keeps its contents",
                   "[contract]", PosixEnv, FakeEnv) {
  TestType env;
  env.File("root/d/a", "x");
  auto root = OpenRootOf(env, "root");
  FileInfo d = MustStat(env.fs(), *root, "d");

  CHECK(env.fs().RemoveAt(*root, "d", d).code() == Code::kBusy);
  CHECK(env.Contents("root/d/a") == "x");

  env.Erase("root/d/a");
  CHECK(env.fs().RemoveAt(*root, "d", d).ok());
  CHECK_FALSE(env.Exists("root/d"));
}

TEMPLATE_TEST_CASE("removing what is already gone succeeds", "[contract]",
                   PosixEnv, FakeEnv) {
  TestType env;
  env.File("root/a", "x");
  auto root = OpenRootOf(env, "root");
  FileInfo a = MustStat(env.fs(), *root, "a");

  CHECK(env.fs().RemoveAt(*root, "a", a).ok());
  CHECK(env.fs().RemoveAt(*root, "a", a).ok());
  CHECK_FALSE(env.Exists("root/a"));
}

TEMPLATE_TEST_CASE("a rename never replaces an existing name", "[contract]",
                   PosixEnv, FakeEnv) {
  TestType env;
  env.File("root/a", "A");
  env.File("root/b", "B");
  env.Dir("root/q");
  auto root = OpenRootOf(env, "root");
  auto q = env.fs().OpenDir(*root, "q");
  REQUIRE(q.ok());

  CHECK(env.fs().RenameAt(*root, "a", *root, "b").code() == Code::kBusy);
  CHECK(env.Contents("root/a") == "A");
  CHECK(env.Contents("root/b") == "B");
  CHECK(env.fs().RenameAt(*root, "a", **q, "a").ok());
  CHECK(env.Contents("root/q/a") == "A");
  CHECK_FALSE(env.Exists("root/a"));
  CHECK(env.fs().RenameAt(*root, "gone", *root, "c").code() == Code::kNotFound);
}

TEMPLATE_TEST_CASE(
    "creating a file refuses an existing name and a planted symlink",
    "[contract]", PosixEnv, FakeEnv) {
  TestType env;
  env.File("root/a", "A");
  env.File("outside/victim", "V");
  env.Symlink("root/planted", env.Path("outside/victim"));
  env.Symlink("root/dangling", env.Path("outside/new"));
  auto root = OpenRootOf(env, "root");

  CHECK(env.fs().CreateFileAt(*root, "a", 0600).status().code() == Code::kBusy);
  CHECK(env.fs().CreateFileAt(*root, "planted", 0600).status().code() ==
        Code::kBusy);
  CHECK(env.fs().CreateFileAt(*root, "dangling", 0600).status().code() ==
        Code::kBusy);
  CHECK(env.Contents("root/a") == "A");
  CHECK(env.Contents("outside/victim") == "V");
  CHECK_FALSE(env.Exists("outside/new"));
}

TEMPLATE_TEST_CASE("a written file reads back whole", "[contract]", PosixEnv,
                   FakeEnv) {
  TestType env;
  env.Dir("root");
  auto root = OpenRootOf(env, "root");
  {
    auto out = env.fs().CreateFileAt(*root, "new", 0640);
    REQUIRE(out.ok());
    CHECK((*out)->Write("hello, ").ok());
    CHECK((*out)->Write("world").ok());
    CHECK((*out)->Sync().ok());
    auto info = (*out)->Stat();
    REQUIRE(info.ok());
    CHECK(info->size == 12);
    CHECK(info->type == FileType::kRegular);
  }
  CHECK(env.fs().SyncDir(*root).ok());
  auto in = env.fs().OpenFileAt(*root, "new");
  REQUIRE(in.ok());
  std::string a, b, end;
  CHECK((*in)->Read(7, &a).ok());
  CHECK((*in)->Read(100, &b).ok());
  CHECK((*in)->Read(100, &end).ok());
  CHECK(a == "hello, ");
  CHECK(b == "world");
  CHECK(end.empty());
}

TEMPLATE_TEST_CASE("a created file has its mode whatever the umask",
                   "[contract]", PosixEnv, FakeEnv) {
  TestType env;
  env.Dir("root");
  auto root = OpenRootOf(env, "root");
  const mode_t old = umask(0077);  // the unit's
  auto out = env.fs().CreateFileAt(*root, "metrics.prom", 0664);
  umask(old);
  REQUIRE(out.ok());
  auto info = (*out)->Stat();
  REQUIRE(info.ok());
  CHECK(info->mode == 0664u);
}

TEMPLATE_TEST_CASE("opening a symlink to read is refused", "[contract]",
                   PosixEnv, FakeEnv) {
  TestType env;
  env.Dir("root");
  env.File("outside/secret", "S");
  env.Symlink("root/link", env.Path("outside/secret"));
  auto root = OpenRootOf(env, "root");

  CHECK(env.fs().OpenFileAt(*root, "link").status().code() == Code::kUnsafe);
  CHECK(env.fs().IsLocked(*root, "link").status().code() == Code::kUnsafe);
}

TEMPLATE_TEST_CASE("a listing names every entry once, without dot entries",
                   "[contract]", PosixEnv, FakeEnv) {
  TestType env;
  env.File("root/a", "");
  env.Dir("root/d");
  env.Symlink("root/l", "a");
  auto root = OpenRootOf(env, "root");
  const std::vector<std::string> want = {"a", "d", "l"};

  auto first = env.fs().List(*root);
  auto second = env.fs().List(*root);  // starts again from the beginning
  REQUIRE(first.ok());
  REQUIRE(second.ok());
  CHECK(Sorted(*first) == want);
  CHECK(Sorted(*second) == want);
}

TEMPLATE_TEST_CASE("stat never follows a symlink", "[contract]", PosixEnv,
                   FakeEnv) {
  TestType env;
  env.File("root/a", "12345");
  env.Symlink("root/l", "a");
  auto root = OpenRootOf(env, "root");

  FileInfo a = MustStat(env.fs(), *root, "a");
  FileInfo l = MustStat(env.fs(), *root, "l");
  CHECK(a.type == FileType::kRegular);
  CHECK(a.size == 5);
  CHECK(l.type == FileType::kSymlink);
  CHECK_FALSE(l.SameIdentity(a));
  CHECK(l.dev == root->info().dev);
  CHECK_FALSE(l.mount_root);
}

TEMPLATE_TEST_CASE("names that are not a single component are refused",
                   "[contract]", PosixEnv, FakeEnv) {
  TestType env;
  env.File("root/d/a", "x");
  auto root = OpenRootOf(env, "root");
  FileInfo any = MustStat(env.fs(), *root, "d");

  for (const std::string name : {"", ".", "..", "d/a", "../root"}) {
    INFO("name: \"" << name << "\"");
    CHECK(env.fs().OpenDir(*root, name).status().code() ==
          Code::kInvalidArgument);
    CHECK(env.fs().StatAt(*root, name).status().code() ==
          Code::kInvalidArgument);
    CHECK(env.fs().RemoveAt(*root, name, any).code() == Code::kInvalidArgument);
    CHECK(env.fs().CreateFileAt(*root, name, 0600).status().code() ==
          Code::kInvalidArgument);
  }
  CHECK(env.Exists("root/d/a"));
}

TEMPLATE_TEST_CASE("a root must be an absolute path to a real directory",
                   "[contract]", PosixEnv, FakeEnv) {
  TestType env;
  env.File("real/a", "x");
  env.Symlink("link", env.Path("real"));
  Filesystem& fs = env.fs();

  CHECK(fs.OpenRoot(env.Path("link")).status().code() == Code::kUnsafe);
  CHECK(fs.OpenRoot(env.Path("link") + "/").status().code() == Code::kUnsafe);
  CHECK(fs.OpenRoot(env.Path("link/.")).status().code() ==
        Code::kInvalidArgument);
  CHECK(fs.OpenRoot("relative/path").status().code() == Code::kInvalidArgument);
  CHECK(fs.OpenRoot(env.Path("real/a")).status().code() ==
        Code::kInvalidArgument);
  CHECK(fs.OpenRoot(env.Path("missing")).status().code() == Code::kNotFound);
  auto root = OpenRootOf(env, "real/");
  CHECK(root->info().type == FileType::kDirectory);
  CHECK(MustStat(fs, *root, "a").size == 1);
}

TEMPLATE_TEST_CASE("symlinks in a root's parents are followed", "[contract]",
                   PosixEnv, FakeEnv) {
  TestType env;
  env.Dir("real/logs");
  env.Symlink("link", env.Path("real"));
  env.Symlink("rel", "real");

  auto abs = OpenRootOf(env, "link/logs");
  auto rel = OpenRootOf(env, "rel/logs");
  auto direct = OpenRootOf(env, "real/logs");
  CHECK(abs->info().SameIdentity(direct->info()));
  CHECK(rel->info().SameIdentity(direct->info()));
}

TEMPLATE_TEST_CASE("a directory is created once", "[contract]", PosixEnv,
                   FakeEnv) {
  TestType env;
  env.Dir("root");
  auto root = OpenRootOf(env, "root");

  CHECK(env.fs().MakeDirAt(*root, "q", 0700).ok());
  CHECK(env.fs().MakeDirAt(*root, "q", 0700).code() == Code::kBusy);
  FileInfo q = MustStat(env.fs(), *root, "q");
  CHECK(q.type == FileType::kDirectory);
  CHECK(q.mode == 0700);
}

TEMPLATE_TEST_CASE("what is missing is not found, keeping its errno",
                   "[contract]", PosixEnv, FakeEnv) {
  TestType env;
  env.Dir("root");
  auto root = OpenRootOf(env, "root");

  Status stat = env.fs().StatAt(*root, "nope").status();
  CHECK(stat.code() == Code::kNotFound);
  CHECK(stat.errno_value() == ENOENT);
  CHECK(env.fs().OpenDir(*root, "nope").status().code() == Code::kNotFound);
  CHECK(env.fs().OpenFileAt(*root, "nope").status().errno_value() == ENOENT);
  CHECK(env.fs().IsLocked(*root, "nope").status().code() == Code::kNotFound);
}

TEMPLATE_TEST_CASE("an unlocked file is not locked", "[contract]", PosixEnv,
                   FakeEnv) {
  TestType env;
  env.File("root/a", "x");
  auto root = OpenRootOf(env, "root");

  auto locked = env.fs().IsLocked(*root, "a");
  REQUIRE(locked.ok());
  CHECK_FALSE(*locked);
}

}  // namespace
}  // namespace retention::filesystem_contract_test
