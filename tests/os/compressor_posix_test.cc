// Compression through the real POSIX Filesystem: archives the command-line
// tools read back byte for byte, and a real full disk (a 1 MiB tmpfs).
#include <sys/mount.h>
#include <sys/statvfs.h>

#include <algorithm>
#include <atomic>
#include <catch2/catch.hpp>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <random>
#include <string>
#include <vector>

#include "compress/compressor.h"
#include "os/filesystem.h"
#include "status_printers.h"
#include "temp_dir.h"

namespace retention::compressor_posix_test {
namespace {

using Code = Status::Code;

std::string LogLines(size_t bytes) {
  std::mt19937 rng(3);
  std::string out;
  while (out.size() < bytes) {
    out += "192.168." + std::to_string(rng() % 256) + "." +
           std::to_string(rng() % 256) + " - - \"GET /item/" +
           std::to_string(rng() % 100000) + " HTTP/1.1\" " +
           std::to_string(200 + rng() % 4 * 100) + "\n";
  }
  out.resize(bytes);
  return out;
}

std::string RandomBytes(size_t bytes) {
  std::mt19937_64 rng(11);
  std::string out(bytes, '\0');
  for (char& c : out) c = static_cast<char>(rng());
  return out;
}

void WriteFile(const std::string& path, const std::string& bytes) {
  std::ofstream out(path, std::ios::binary);
  out << bytes;
  out.close();
  REQUIRE(out.good());
}

std::string ReadFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  return {std::istreambuf_iterator<char>(in), {}};
}

bool HaveTool(const std::string& tool) {
  return std::system(("command -v " + tool + " >/dev/null 2>&1").c_str()) == 0;
}

// The standard output of `command`, which must exit 0.
std::string Run(const std::string& command) {
  FILE* pipe = popen(command.c_str(), "r");
  REQUIRE(pipe != nullptr);
  std::string out;
  char buf[65536];
  size_t n;
  while ((n = fread(buf, 1, sizeof buf, pipe)) > 0) out.append(buf, n);
  CHECK(pclose(pipe) == 0);
  return out;
}

std::unique_ptr<Dir> OpenDirAt(Filesystem& fs, const std::string& path) {
  auto dir = fs.OpenRoot(path);
  INFO(dir.status().ToString());
  REQUIRE(dir.ok());
  return std::move(dir).value();
}

StatusOr<CompressResult> Compress(Filesystem& fs, Dir& dir,
                                  const std::string& name, Compression c) {
  auto info = fs.StatAt(dir, name);
  REQUIRE(info.ok());
  const std::atomic<bool> stop{false};
  return CompressFile(fs, dir, name, *info, c, DefaultCompressLevel(c), stop);
}

TEST_CASE(
    "archives written through the real filesystem read back with the "
    "command-line tools",
    "[compress]") {
  const Compression c = GENERATE(Compression::kZstd, Compression::kGzip);
  const std::string tool = c == Compression::kZstd ? "zstd" : "gzip";
  INFO(tool);
  TempDir tmp;
  const std::string text = LogLines(3 * kCompressChunk + 17);
  WriteFile(tmp.File("app.log.1"), text);
  auto fs = NewPosixFilesystem();
  auto dir = OpenDirAt(*fs, tmp.path());

  auto result = Compress(*fs, *dir, "app.log.1", c);
  INFO(result.status().ToString());
  REQUIRE(result.ok());
  const std::string archive = tmp.File("app.log.1") + CompressionSuffix(c);
  CHECK(result->in_bytes == text.size());
  CHECK(result->out_bytes == std::filesystem::file_size(archive));
  CHECK_FALSE(std::filesystem::exists(tmp.File("app.log.1")));
  CHECK_FALSE(std::filesystem::exists(archive + kCompressTempSuffix));

  auto back = DecompressToString(
      *fs, *dir, std::string("app.log.1") + CompressionSuffix(c), c,
      size_t{64} << 20);
  REQUIRE(back.ok());
  CHECK(*back == text);
  if (!HaveTool(tool)) {
    WARN(tool + " is not installed; the archive was not checked with it");
    return;
  }
  CHECK(Run(tool + " -dc '" + archive + "'") == text);
}

TEST_CASE("archives made by the command-line tools decompress", "[compress]") {
  const Compression c = GENERATE(Compression::kZstd, Compression::kGzip);
  const std::string tool = c == Compression::kZstd ? "zstd" : "gzip";
  INFO(tool);
  if (!HaveTool(tool)) {
    WARN(tool + " is not installed; nothing to test");
    return;
  }
  TempDir tmp;
  const std::string text = LogLines(kCompressChunk * 2);
  WriteFile(tmp.File("x"), text);
  REQUIRE(std::system((tool + " -q '" + tmp.File("x") + "'").c_str()) == 0);
  auto fs = NewPosixFilesystem();
  auto dir = OpenDirAt(*fs, tmp.path());
  auto back = DecompressToString(
      *fs, *dir, std::string("x") + CompressionSuffix(c), c, size_t{64} << 20);
  REQUIRE(back.ok());
  CHECK(*back == text);
}

// A 1 MiB tmpfs, detached on destruction (before the temp dir holding the
// mount point is removed). ok() is false where mounting is not permitted.
class SmallTmpfs {
 public:
  explicit SmallTmpfs(const std::string& target) : target_(target) {
    std::filesystem::create_directory(target_);
    ok_ = mount("tmpfs", target_.c_str(), "tmpfs", 0, "size=1m") == 0;
  }
  ~SmallTmpfs() {
    if (ok_) umount2(target_.c_str(), MNT_DETACH);
  }
  bool ok() const { return ok_; }

 private:
  std::string target_;
  bool ok_ = false;
};

uint64_t FreeBytes(const std::string& path) {
  struct statvfs vfs;
  REQUIRE(statvfs(path.c_str(), &vfs) == 0);
  return static_cast<uint64_t>(vfs.f_bavail) * vfs.f_frsize;
}

TEST_CASE("a full disk keeps the original intact and leaves no temp file",
          "[compress]") {
  const Compression c = GENERATE(Compression::kZstd, Compression::kGzip);
  INFO(CompressionSuffix(c));
  TempDir tmp;
  SmallTmpfs disk(tmp.File("disk"));
  if (!disk.ok()) {
    WARN("mounting a tmpfs is not permitted here; nothing to test");
    return;
  }
  const std::string root = tmp.File("disk");
  // Random data does not shrink, so its archive cannot fit in what is left.
  const std::string bytes = RandomBytes(400 * 1024);
  WriteFile(root + "/app.log.1", bytes);
  const uint64_t room = 128 * 1024;
  REQUIRE(FreeBytes(root) > room);
  WriteFile(root + "/filler", std::string(FreeBytes(root) - room, 'f'));
  REQUIRE(FreeBytes(root) <= room);

  auto fs = NewPosixFilesystem();
  auto dir = OpenDirAt(*fs, root);
  auto result = Compress(*fs, *dir, "app.log.1", c);
  CHECK(result.status().code() == Code::kNoSpace);
  CHECK(result.status().errno_value() == ENOSPC);
  CHECK(ReadFile(root + "/app.log.1") == bytes);
  std::vector<std::string> names;
  for (const auto& entry : std::filesystem::directory_iterator(root)) {
    names.push_back(entry.path().filename().string());
  }
  std::sort(names.begin(), names.end());
  CHECK(names == std::vector<std::string>{"app.log.1", "filler"});

  // Once there is room again, the retry succeeds.
  std::filesystem::remove(root + "/filler");
  auto retry = Compress(*fs, *dir, "app.log.1", c);
  INFO(retry.status().ToString());
  REQUIRE(retry.ok());
  auto back = DecompressToString(
      *fs, *dir, std::string("app.log.1") + CompressionSuffix(c), c,
      bytes.size());
  REQUIRE(back.ok());
  CHECK(*back == bytes);
}

}  // namespace
}  // namespace retention::compressor_posix_test
