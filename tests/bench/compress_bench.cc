// compress_bench: times CompressFile on one file through the real POSIX
// Filesystem, for tests/bench/compression.sh.
//   usage: compress_bench zstd|gzip LEVEL FILE
// FILE itself is kept: it is hard-linked to FILE.bench, which CompressFile
// archives to FILE.bench.zst (or .gz) and removes, as it would a rotated log.
// The archive stays for the caller to check. Prints one line:
//   zstd -3: IN -> OUT bytes, ratio R, S s, M MB/s
#include <atomic>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <string>

#include "compress/compressor.h"
#include "os/filesystem.h"

namespace {

int Fail(const std::string& what) {
  std::fprintf(stderr, "compress_bench: %s\n", what.c_str());
  return 1;
}

}  // namespace

int main(int argc, char** argv) {
  using retention::Compression;
  if (argc != 4) return Fail("usage: compress_bench zstd|gzip LEVEL FILE");
  const std::string format = argv[1];
  if (format != "zstd" && format != "gzip") return Fail("unknown " + format);
  const Compression c =
      format == "zstd" ? Compression::kZstd : Compression::kGzip;
  const int level = std::atoi(argv[2]);
  const std::filesystem::path file = std::filesystem::absolute(argv[3]);
  const std::string link = file.filename().string() + ".bench";

  std::error_code ec;
  std::filesystem::remove(file.parent_path() / link, ec);
  std::filesystem::remove(
      file.parent_path() / (link + retention::CompressionSuffix(c)), ec);
  std::filesystem::create_hard_link(file, file.parent_path() / link, ec);
  if (ec) return Fail("link " + file.string() + ": " + ec.message());

  auto fs = retention::NewPosixFilesystem();
  auto dir = fs->OpenRoot(file.parent_path().string());
  if (!dir.ok()) return Fail(dir.status().ToString());
  auto info = fs->StatAt(**dir, link);
  if (!info.ok()) return Fail(info.status().ToString());

  const std::atomic<bool> stop{false};
  const auto start = std::chrono::steady_clock::now();
  auto result =
      retention::CompressFile(*fs, **dir, link, *info, c, level, stop);
  const std::chrono::duration<double> took =
      std::chrono::steady_clock::now() - start;
  if (!result.ok()) return Fail(result.status().ToString());

  const double in = static_cast<double>(result->in_bytes);
  std::printf("%s -%d: %llu -> %llu bytes, ratio %.2f, %.3f s, %.1f MB/s\n",
              format.c_str(), level,
              static_cast<unsigned long long>(result->in_bytes),
              static_cast<unsigned long long>(result->out_bytes),
              in / static_cast<double>(result->out_bytes), took.count(),
              in / 1e6 / took.count());
  return 0;
}
