// RotationEnv: a fresh temp directory with `logs/` (live files) and
// `archive/` (rotated files) opened through the real Filesystem, optionally
// on a small tmpfs mounted for the test, plus the reads that rotation tests
// check their results with. Tests only; single-threaded.
#pragma once

#include <fcntl.h>
#include <sched.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <catch2/catch.hpp>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <memory>
#include <string>
#include <vector>

#include "os/filesystem.h"
#include "os/log_writer.h"
#include "status_printers.h"
#include "temp_dir.h"

namespace retention {

class RotationEnv {
 public:
  // Where logs/ and archive/ live: the temp directory itself, a 64 MiB
  // tmpfs, or a small filesystem (an 8 MiB ext4 image on a loop device, or
  // a 1 MiB tmpfs). mounted() is false where mounting is not permitted.
  enum class Backing { kTempDir, kTmpfs, kSmallExt4, kSmallTmpfs };

  explicit RotationEnv(bool tmpfs = false)
      : RotationEnv(tmpfs ? Backing::kTmpfs : Backing::kTempDir) {}
  explicit RotationEnv(Backing backing) : fs_(NewPosixFilesystem()) {
    base_ = tmp_.path();
    if (backing != Backing::kTempDir) {
      base_ += "/mnt";
      std::filesystem::create_directory(base_);
      mounted_ = Mount(backing);
      if (!mounted_) return;
    }
    std::filesystem::create_directory(base_ + "/logs");
    std::filesystem::create_directory(base_ + "/archive");
    logs_ = Open(base_ + "/logs");
    archive_ = Open(base_ + "/archive");
  }
  ~RotationEnv() {
    logs_.reset();
    archive_.reset();
    if (mounted_) umount2(base_.c_str(), MNT_DETACH);
  }

  bool mounted() const { return mounted_; }
  Filesystem& fs() { return *fs_; }
  Dir& logs() { return *logs_; }
  Dir& archive() { return *archive_; }
  std::string Log(const std::string& name) const {
    return base_ + "/logs/" + name;
  }
  std::string Archived(const std::string& name) const {
    return base_ + "/archive/" + name;
  }
  std::string Base() const { return base_; }

  FileInfo StatLog(const std::string& name) {
    StatusOr<FileInfo> info = fs_->StatAt(*logs_, name);
    INFO(info.status().ToString());
    REQUIRE(info.ok());
    return *info;
  }

  // The whole file ("" if it is missing), read in one go: a character at a
  // time is ~100x slower under the sanitizers, and a busy writer's archives
  // grow while a slow test reads them.
  static std::string Contents(const std::string& path) {
    std::ifstream in(path, std::ios::binary | std::ios::ate);
    if (!in) return "";
    std::string data(static_cast<size_t>(in.tellg()), '\0');
    in.seekg(0);
    in.read(data.data(), static_cast<std::streamsize>(data.size()));
    data.resize(static_cast<size_t>(in.gcount()));
    return data;
  }

  // The last byte of a file, or '\0' if it is empty or missing.
  static char LastByte(const std::string& path) {
    std::ifstream in(path, std::ios::binary | std::ios::ate);
    if (!in || in.tellg() <= 0) return '\0';
    in.seekg(-1, std::ios::end);
    return static_cast<char>(in.get());
  }

  // Names in archive/, sorted.
  std::vector<std::string> ArchiveNames() const {
    std::vector<std::string> names;
    for (const auto& e :
         std::filesystem::directory_iterator(base_ + "/archive")) {
      names.push_back(e.path().filename());
    }
    std::sort(names.begin(), names.end());
    return names;
  }

  // Every archive in name order, then the carry of a truncate rotation
  // (the fragment of a line cut off after the last archive's last line),
  // then the live file `live`.
  std::string Concatenated(const std::string& live) const {
    std::string all;
    for (const std::string& name : ArchiveNames())
      all += Contents(Archived(name));
    return all + Contents(Log("." + live + ".rtd-carry")) + Contents(Log(live));
  }

  // "" if every archive, read on its own, holds only whole lines in
  // increasing order (CheckIncreasingLines); else the first problem.
  std::string ArchivesOfWholeLines() const {
    for (const std::string& name : ArchiveNames()) {
      uint64_t count = 0;
      int64_t last = -1;
      std::string problem =
          CheckIncreasingLines(Contents(Archived(name)), &count, &last);
      if (!problem.empty()) return name + ": " + problem;
    }
    return "";
  }

  // "" if the archives, the carry and `live` hold the lines 0 .. `written`
  // - 1 of a LineWriter once each and in order, and every archive holds
  // whole lines; else the first problem.
  std::string AllLinesOnce(const std::string& live, int64_t written) const {
    uint64_t lines = 0;
    std::string problem = CheckLines(Concatenated(live), &lines);
    if (problem.empty() && lines != static_cast<uint64_t>(written)) {
      problem = std::to_string(lines) + " lines, " + std::to_string(written) +
                " written";
    }
    return problem.empty() ? ArchivesOfWholeLines() : problem;
  }

  // The contents of every archive in name order, then of `live`.
  std::vector<std::string> Pieces(const std::string& live) const {
    std::vector<std::string> pieces;
    for (const std::string& name : ArchiveNames()) {
      pieces.push_back(Contents(Archived(name)));
    }
    pieces.push_back(Contents(Log(live)));
    return pieces;
  }

  // Whether this filesystem collapses ranges (probed on a scratch file).
  bool CollapseWorks() const {
    const std::string probe = base_ + "/probe";
    int fd = open(probe.c_str(), O_RDWR | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
    std::string block(3 * 4096, 'p');
    bool ok = fd >= 0 &&
              write(fd, block.data(), block.size()) ==
                  static_cast<ssize_t>(block.size()) &&
              fsync(fd) == 0 &&
              fallocate(fd, FALLOC_FL_COLLAPSE_RANGE, 0, 4096) == 0;
    if (fd >= 0) close(fd);
    unlink(probe.c_str());
    return ok;
  }

 private:
  // The test process moves into a mount namespace of its own first, so a
  // test killed before its destructor runs leaves no mount behind.
  static bool PrivateMounts() {
    static const bool ok =
        unshare(CLONE_NEWNS) == 0 &&
        mount("none", "/", nullptr, MS_REC | MS_PRIVATE, nullptr) == 0;
    return ok;
  }

  bool Mount(Backing backing) {
    if (!PrivateMounts()) return false;
    if (backing == Backing::kSmallExt4) {
      // mount(8) sets up the loop device and frees it at the unmount.
      const std::string image = tmp_.path() + "/ext4.img";
      const std::string cmd = "truncate -s 8M " + image + " && mkfs.ext4 -q " +
                              image + " 2>/dev/null && mount -o loop " + image +
                              " " + base_ + " 2>/dev/null";
      return std::system(cmd.c_str()) == 0;
    }
    const char* size = backing == Backing::kTmpfs ? "size=64m" : "size=1m";
    return mount("tmpfs", base_.c_str(), "tmpfs", 0, size) == 0;
  }

  std::unique_ptr<Dir> Open(const std::string& path) {
    StatusOr<std::unique_ptr<Dir>> dir = fs_->OpenRoot(path);
    INFO(dir.status().ToString());
    REQUIRE(dir.ok());
    return std::move(dir).value();
  }

  TempDir tmp_;
  std::string base_;
  bool mounted_ = false;
  std::unique_ptr<Filesystem> fs_;
  std::unique_ptr<Dir> logs_;
  std::unique_ptr<Dir> archive_;
};

// "arch.000042": archive names that sort in rotation order.
inline std::string TestArchiveName(int index) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "arch.%06d", index);
  return buf;
}

}  // namespace retention
