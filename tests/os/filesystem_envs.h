// Two interchangeable test environments for the Filesystem contract: a fresh
// temp directory on the real filesystem (PosixEnv) and a FakeFilesystem
// (FakeEnv). Both build trees and play the attacker with the same calls,
// using paths relative to the environment's base directory, so one test body
// runs against both (TEMPLATE_TEST_CASE). Single-threaded, tests only.
#pragma once

#include <fcntl.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

#include <catch2/catch.hpp>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <memory>
#include <string>

#include "fakes/fake_clock.h"
#include "fakes/fake_filesystem.h"
#include "os/filesystem.h"
#include "status_printers.h"

namespace retention {

class PosixEnv {
 public:
  PosixEnv() : fs_(NewPosixFilesystem()) {
    char tmpl[] = "/tmp/retention-fs-XXXXXX";
    REQUIRE(mkdtemp(tmpl) != nullptr);
    base_ = tmpl;
  }
  ~PosixEnv() {
    std::error_code ignored;  // a leftover temp dir is not worth a failure
    std::filesystem::remove_all(base_, ignored);
  }

  Filesystem& fs() { return *fs_; }
  std::string Path(const std::string& rel) const { return base_ + "/" + rel; }

  void Dir(const std::string& rel) {
    REQUIRE(std::filesystem::create_directories(Path(rel)));
  }
  void File(const std::string& rel, const std::string& bytes) {
    std::filesystem::create_directories(
        std::filesystem::path(Path(rel)).parent_path());
    std::ofstream(Path(rel), std::ios::binary) << bytes;
    REQUIRE(Exists(rel));
  }
  void Symlink(const std::string& rel, const std::string& target) {
    REQUIRE(symlink(target.c_str(), Path(rel).c_str()) == 0);
  }
  void Fifo(const std::string& rel) {
    REQUIRE(mkfifo(Path(rel).c_str(), 0600) == 0);
  }
  bool Exists(const std::string& rel) const {
    struct stat st;
    return lstat(Path(rel).c_str(), &st) == 0;
  }
  std::string Contents(const std::string& rel) const {
    std::ifstream in(Path(rel), std::ios::binary);
    return {std::istreambuf_iterator<char>(in), {}};
  }
  // The name now refers to a new inode: a file is rewritten beside it and
  // renamed over it; a directory is moved out of the way (so its inode
  // number cannot be recycled) and recreated empty.
  void Replace(const std::string& rel) {
    if (std::filesystem::is_directory(Path(rel))) {
      REQUIRE(rename(Path(rel).c_str(), Path(rel + ".old").c_str()) == 0);
      Dir(rel);
      return;
    }
    File(rel + ".new", Contents(rel));
    REQUIRE(rename(Path(rel + ".new").c_str(), Path(rel).c_str()) == 0);
  }
  void Erase(const std::string& rel) {
    REQUIRE(std::filesystem::remove_all(Path(rel)) > 0);
  }

 private:
  std::unique_ptr<Filesystem> fs_;
  std::string base_;
};

class FakeEnv {
 public:
  FakeEnv() : fs_(clock_) { fs_.AddDir(base_); }

  Filesystem& fs() { return fs_; }
  std::string Path(const std::string& rel) const { return base_ + "/" + rel; }

  void Dir(const std::string& rel) { fs_.AddDir(Path(rel)); }
  void File(const std::string& rel, const std::string& bytes) {
    fs_.AddFileWithContents(Path(rel), bytes, clock_.Now());
  }
  void Symlink(const std::string& rel, const std::string& target) {
    fs_.AddSymlink(Path(rel), target);
  }
  void Fifo(const std::string& rel) { fs_.AddSpecial(Path(rel)); }
  bool Exists(const std::string& rel) const { return fs_.Exists(Path(rel)); }
  std::string Contents(const std::string& rel) const {
    return fs_.FileContents(Path(rel));
  }
  void Replace(const std::string& rel) { fs_.Replace(Path(rel)); }
  void Erase(const std::string& rel) { fs_.Erase(Path(rel)); }

 private:
  const std::string base_ = "/base";
  FakeClock clock_;
  FakeFilesystem fs_;
};

// Opens `rel` of `env` as a root; the test stops if it cannot.
template <typename Env>
std::unique_ptr<Dir> OpenRootOf(Env& env, const std::string& rel) {
  StatusOr<std::unique_ptr<Dir>> dir = env.fs().OpenRoot(env.Path(rel));
  INFO(dir.status().ToString());
  REQUIRE(dir.ok());
  return std::move(dir).value();
}

// StatAt that must succeed.
inline FileInfo MustStat(Filesystem& fs, Dir& dir, const std::string& name) {
  StatusOr<FileInfo> info = fs.StatAt(dir, name);
  INFO(info.status().ToString());
  REQUIRE(info.ok());
  return *info;
}

}  // namespace retention
