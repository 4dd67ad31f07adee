// WalkTree and DirCursor on the fake filesystem: what a snapshot holds
// (symlinks listed not followed, mounts not entered, the enter filter),
// paths (elided past kMaxPathBytes without losing the prefix), post-order,
// the bound on open handles down a deep chain and back up, and a directory
// swapped after the walk refused by identity.
#include "os/tree_walk.h"

#include <catch2/catch.hpp>
#include <set>

#include "fakes/fake_clock.h"
#include "fakes/fake_filesystem.h"
#include "os/dir_cursor.h"

namespace retention::tree_walk_test {
namespace {

struct TreeFixture {
  FakeClock clock;
  FakeFilesystem fs{clock};
  std::unique_ptr<Dir> root;

  TreeFixture() { fs.AddDir("/r"); }
  void Open() {
    auto r = fs.OpenRoot("/r");
    REQUIRE(r.ok());
    root = std::move(*r);
  }
  TreeSnapshot Walk(WalkOptions options = {}) {
    Open();
    auto tree = WalkTree(fs, *root, options);
    REQUIRE(tree.ok());
    return std::move(*tree);
  }
};

std::set<std::string> EntryPaths(const TreeSnapshot& t) {
  std::set<std::string> out;
  for (const TreeEntry& e : t.entries)
    out.insert(RelativePath(t, e.dir, e.name));
  return out;
}

std::set<std::string> EnteredDirs(const TreeSnapshot& t) {
  std::set<std::string> out;
  for (uint32_t i = 1; i < t.dirs.size(); ++i) {
    if (t.dirs[i].entered) out.insert(RelativePath(t, i));
  }
  return out;
}

TEST_CASE("a tree walk lists every entry, never follows a symlink") {
  TreeFixture f;
  f.fs.AddFile("/r/a/1", 10, f.clock.Now());
  f.fs.AddFile("/r/a/b/2", 10, f.clock.Now());
  f.fs.AddDir("/r/a/b/empty");
  f.fs.AddDir("/outside");
  f.fs.AddFile("/outside/secret", 10, f.clock.Now());
  f.fs.AddSymlink("/r/a/link", "/outside");
  f.fs.AddSpecial("/r/fifo");
  TreeSnapshot t = f.Walk();
  CHECK(EntryPaths(t) ==
        std::set<std::string>{"a/1", "a/b/2", "a/link", "fifo"});
  CHECK(EnteredDirs(t) == std::set<std::string>{"a", "a/b", "a/b/empty"});
  CHECK(t.dirs[0].entered);
  CHECK(t.warnings.empty());
}

TEST_CASE("a mount point is listed but not entered") {
  TreeFixture f;
  f.fs.AddFile("/r/m/inside", 10, f.clock.Now());
  f.fs.MarkMount("/r/m");
  TreeSnapshot t = f.Walk();
  CHECK(t.entries.empty());
  REQUIRE(t.dirs.size() == 2);
  CHECK_FALSE(t.dirs[1].entered);
  REQUIRE(t.warnings.size() == 1);
  CHECK_THAT(t.warnings[0], Catch::Contains("/r/m: a mount point"));
}

TEST_CASE("the enter filter keeps the walk out of a directory") {
  TreeFixture f;
  f.fs.AddFile("/r/keep/x", 1, f.clock.Now());
  f.fs.AddFile("/r/skip/y", 1, f.clock.Now());
  WalkOptions options;
  options.enter = [](const TreeDir&, const std::string& name) {
    return name != "skip";
  };
  TreeSnapshot t = f.Walk(options);
  CHECK(EntryPaths(t) == std::set<std::string>{"keep/x"});
  CHECK(EnteredDirs(t) == std::set<std::string>{"keep"});
  CHECK(t.dirs.size() == 3);  // skip is listed, not entered
}

TEST_CASE("an unreadable subdirectory is a warning, not a failure") {
  TreeFixture f;
  f.fs.AddFile("/r/a/x", 1, f.clock.Now());
  f.fs.AddFile("/r/b/y", 1, f.clock.Now());
  f.Open();
  f.fs.FailNext(FsOp::kOpenDir, EACCES);
  auto t = WalkTree(f.fs, *f.root);
  REQUIRE(t.ok());
  CHECK(EntryPaths(*t) == std::set<std::string>{"b/y"});
  REQUIRE(t->warnings.size() == 1);
  CHECK_THAT(t->warnings[0], Catch::Contains("/r/a"));
}

TEST_CASE("post-order puts every directory after its subdirectories") {
  TreeFixture f;
  for (const char* d : {"/r/a/b/c", "/r/a/d", "/r/e/f/g/h", "/r/e/i"}) {
    f.fs.AddDir(d);
  }
  TreeSnapshot t = f.Walk();
  std::vector<uint32_t> order = PostOrder(t);
  REQUIRE(order.size() == t.dirs.size());
  CHECK(order.back() == 0);
  std::vector<size_t> position(t.dirs.size());
  for (size_t i = 0; i < order.size(); ++i) position[order[i]] = i;
  for (uint32_t d = 1; d < t.dirs.size(); ++d) {
    CHECK(position[d] < position[t.dirs[d].parent]);
  }
}

// A chain of `depth` directories "d" under /r with a file at the bottom.
void Chain(TreeFixture& f, int depth) {
  std::string path = "/r";
  for (int i = 0; i < depth; ++i) {
    path += "/d";
    f.fs.AddDir(path);
  }
  f.fs.AddFile(path + "/bottom", 1, f.clock.Now());
}

TEST_CASE("a deep chain is walked with a bounded number of open handles") {
  TreeFixture f;
  Chain(f, 3000);  // 6000 bytes of path: elided
  WalkOptions options;
  options.max_open = 8;
  TreeSnapshot t = f.Walk(options);
  REQUIRE(t.entries.size() == 1);
  const std::string path = RelativePath(t, t.entries[0].dir, "bottom");
  CHECK(path.size() < kMaxPathBytes);
  CHECK_THAT(path, Catch::StartsWith("d/d/d/"));
  CHECK_THAT(path, Catch::Contains("levels)"));
  CHECK_THAT(path, Catch::EndsWith("/d/d/bottom"));
  // Levels kept + elided add up to the depth.
  const size_t kept =
      static_cast<size_t>(std::count(path.begin(), path.end(), 'd'));
  const size_t elided = std::stoul(path.substr(path.find("...(") + 4));
  CHECK(kept + elided == 3000);

  DirCursor cursor(f.fs, *f.root, t, 8);
  const uint32_t bottom = t.entries[0].dir;
  REQUIRE(cursor.MoveTo(bottom).ok());
  CHECK(cursor.open_handles() <= 8);
  // Back up past the closed handles, then down again: reopened, checked.
  const uint32_t middle = 1500;
  REQUIRE(t.dirs[middle].depth == 1500);
  auto mid = cursor.MoveTo(middle);
  REQUIRE(mid.ok());
  CHECK((*mid)->info().SameIdentity(t.dirs[middle].info));
  CHECK(cursor.open_handles() <= 8);
  auto back = cursor.MoveTo(bottom);
  REQUIRE(back.ok());
  CHECK((*back)->info().SameIdentity(t.dirs[bottom].info));
  // Post-order from the bottom up: every step reuses open handles.
  for (uint32_t d : PostOrder(t)) {
    auto h = cursor.MoveTo(d);
    REQUIRE(h.ok());
    CHECK((*h)->info().SameIdentity(t.dirs[d].info));
    CHECK(cursor.open_handles() <= 8);
  }
}

TEST_CASE("a directory swapped after the walk is refused by identity") {
  TreeFixture f;
  f.fs.AddFile("/r/a/b/x", 1, f.clock.Now());
  TreeSnapshot t = f.Walk();
  uint32_t b = 0;
  for (uint32_t i = 0; i < t.dirs.size(); ++i) {
    if (t.dirs[i].name == "b") b = i;
  }
  REQUIRE(b != 0);
  f.fs.Replace("/r/a");
  DirCursor cursor(f.fs, *f.root, t);
  auto h = cursor.MoveTo(b);
  REQUIRE_FALSE(h.ok());
  CHECK(h.status().code() == Status::Code::kUnsafe);
  // The cursor is usable again from the root.
  auto top = cursor.MoveTo(0);
  REQUIRE(top.ok());
  CHECK(*top == f.root.get());
}

TEST_CASE("a directory that vanished after the walk is NotFound") {
  TreeFixture f;
  f.fs.AddFile("/r/a/x", 1, f.clock.Now());
  TreeSnapshot t = f.Walk();
  f.fs.Erase("/r/a");
  DirCursor cursor(f.fs, *f.root, t);
  auto h = cursor.MoveTo(1);
  REQUIRE_FALSE(h.ok());
  CHECK(h.status().IsNotFound());
}

}  // namespace
}  // namespace retention::tree_walk_test
