#include "compress/compressor.h"

#include <algorithm>
#include <atomic>
#include <catch2/catch.hpp>
#include <functional>
#include <random>
#include <string>
#include <vector>

#include "fakes/fake_clock.h"
#include "fakes/fake_filesystem.h"
#include "fakes/hooked_filesystem.h"
#include "status_printers.h"

namespace retention::compressor_test {
namespace {

using Code = Status::Code;

// Access-log-like text: compressible, but no two lines alike.
std::string LogLines(size_t bytes, unsigned seed = 1) {
  std::mt19937 rng(seed);
  const char* paths[] = {"/", "/login", "/api/v1/items", "/static/app.js"};
  const int codes[] = {200, 200, 200, 301, 404, 500};
  std::string out;
  while (out.size() < bytes) {
    out += "10." + std::to_string(rng() % 256) + "." +
           std::to_string(rng() % 256) +
           ".7 - - [01/Jan/2026:00:00:" + std::to_string(rng() % 60) +
           " +0000] \"GET " + paths[rng() % 4] +
           "?id=" + std::to_string(rng()) + " HTTP/1.1\" " +
           std::to_string(codes[rng() % 6]) + " " +
           std::to_string(rng() % 100000) + "\n";
  }
  out.resize(bytes);
  return out;
}

std::string RandomBytes(size_t bytes) {
  std::mt19937_64 rng(7);
  std::string out(bytes, '\0');
  for (char& c : out) c = static_cast<char>(rng());
  return out;
}

const char* NameOf(Compression c) {
  return c == Compression::kZstd ? "zstd" : "gzip";
}

struct Env {
  FakeClock clock;
  FakeFilesystem fs{clock};
  std::unique_ptr<Dir> dir;
  std::atomic<bool> stop{false};

  Env() {
    fs.AddDir("/var/log/app");
    auto opened = fs.OpenRoot("/var/log/app");
    REQUIRE(opened.ok());
    dir = std::move(opened).value();
  }
  std::string Path(const std::string& name) const {
    return "/var/log/app/" + name;
  }
  void Put(const std::string& name, const std::string& bytes) {
    fs.AddFileWithContents(Path(name), bytes, clock.Now());
  }
  FileInfo Stat(const std::string& name) {
    auto info = fs.StatAt(*dir, name);
    REQUIRE(info.ok());
    return *info;
  }
  StatusOr<CompressResult> Compress(const std::string& name, Compression c,
                                    Filesystem* via = nullptr) {
    const FileInfo expected = Stat(name);
    return CompressFile(via ? *via : fs, *dir, name, expected, c,
                        DefaultCompressLevel(c), stop);
  }
  std::string Unpack(const std::string& name, Compression c) {
    auto text = DecompressToString(fs, *dir, name, c, size_t{64} << 20);
    INFO(text.status().ToString());
    REQUIRE(text.ok());
    return *text;
  }
  std::vector<std::string> Names() {
    auto names = fs.List(*dir);
    REQUIRE(names.ok());
    std::sort(names->begin(), names->end());
    return *names;
  }
};

// After a failed compression: the original is there, byte for byte, and
// nothing else is.
void CheckUntouched(Env& e, const std::string& original) {
  CHECK(e.Names() == std::vector<std::string>{"a.log.1"});
  CHECK(e.fs.FileContents(e.Path("a.log.1")) == original);
}

TEST_CASE("a rotated log compresses and decompresses byte for byte",
          "[compress]") {
  const Compression c = GENERATE(Compression::kZstd, Compression::kGzip);
  const size_t size = GENERATE(size_t{0}, size_t{1000}, 2 * kCompressChunk + 5);
  INFO(NameOf(c) << ", " << size << " bytes");
  Env e;
  const std::string text = LogLines(size);
  e.Put("a.log.1", text);
  const std::string archive = std::string("a.log.1") + CompressionSuffix(c);

  auto result = e.Compress("a.log.1", c);
  INFO(result.status().ToString());
  REQUIRE(result.ok());
  CHECK(result->in_bytes == size);
  CHECK(result->out_bytes == e.Stat(archive).size);
  if (size > 0) CHECK(result->out_bytes * 2 < size);
  CHECK(e.Names() == std::vector<std::string>{archive});
  CHECK(e.fs.removed() == std::vector<std::string>{e.Path("a.log.1")});
  CHECK(e.Unpack(archive, c) == text);
}

TEST_CASE("incompressible data survives compression unchanged", "[compress]") {
  const Compression c = GENERATE(Compression::kZstd, Compression::kGzip);
  INFO(NameOf(c));
  Env e;
  const std::string bytes = RandomBytes(kCompressChunk + kCompressChunk / 2);
  e.Put("a.log.1", bytes);
  auto result = e.Compress("a.log.1", c);
  REQUIRE(result.ok());
  CHECK(result->out_bytes >= bytes.size());  // random data does not shrink
  CHECK(e.Unpack(std::string("a.log.1") + CompressionSuffix(c), c) == bytes);
}

TEST_CASE("archives carry the format's magic bytes", "[compress]") {
  Env e;
  e.Put("a.log.1", "one line\n");
  e.Put("b.log.1", "one line\n");
  REQUIRE(e.Compress("a.log.1", Compression::kZstd).ok());
  REQUIRE(e.Compress("b.log.1", Compression::kGzip).ok());
  CHECK(e.fs.FileContents(e.Path("a.log.1.zst")).substr(0, 4) ==
        "\x28\xb5\x2f\xfd");
  CHECK(e.fs.FileContents(e.Path("b.log.1.gz")).substr(0, 2) == "\x1f\x8b");
}

TEST_CASE("every level in range round-trips", "[compress]") {
  Env e;
  const std::string text = LogLines(20000);
  for (auto [c, top] :
       {std::pair{Compression::kZstd, 19}, std::pair{Compression::kGzip, 9}}) {
    for (int level = 1; level <= top; ++level) {
      INFO(NameOf(c) << " -" << level);
      e.Put("a.log.1", text);
      const std::string archive = std::string("a.log.1") + CompressionSuffix(c);
      REQUIRE(CompressFile(e.fs, *e.dir, "a.log.1", e.Stat("a.log.1"), c, level,
                           e.stop)
                  .ok());
      CHECK(e.Unpack(archive, c) == text);
      e.fs.Erase(e.Path(archive));
    }
  }
}

TEST_CASE("a bad format or level is refused before anything is touched",
          "[compress]") {
  Env e;
  e.Put("a.log.1", "x\n");
  const FileInfo info = e.Stat("a.log.1");
  const std::pair<Compression, int> bad[] = {{Compression::kNone, 0},
                                             {Compression::kZstd, 0},
                                             {Compression::kZstd, 20},
                                             {Compression::kGzip, 0},
                                             {Compression::kGzip, 10}};
  for (auto [c, level] : bad) {
    INFO(static_cast<int>(c) << " -" << level);
    CHECK(CompressFile(e.fs, *e.dir, "a.log.1", info, c, level, e.stop)
              .status()
              .code() == Code::kInvalidArgument);
  }
  CHECK(CompressFile(e.fs, *e.dir, "../a.log.1", info, Compression::kZstd, 3,
                     e.stop)
            .status()
            .code() == Code::kInvalidArgument);
  CheckUntouched(e, "x\n");
}

// Each injected failure, on a file small enough for one write (at Finish)
// and on one large enough to write while reading.
TEST_CASE("a failing step keeps the original and leaves no temp file",
          "[compress]") {
  struct Case {
    FsOp op;
    int err;
    Code code;
  };
  const Case cases[] = {
      {FsOp::kCreate, ENOSPC, Code::kNoSpace},
      {FsOp::kWrite, ENOSPC, Code::kNoSpace},
      {FsOp::kWrite, EIO, Code::kIoError},
      {FsOp::kOpen, EACCES, Code::kPermissionDenied},
      {FsOp::kRead, EIO, Code::kIoError},
      {FsOp::kSync, EIO, Code::kIoError},
      {FsOp::kSync, ENOSPC, Code::kNoSpace},
      {FsOp::kRename, EIO, Code::kIoError},
      {FsOp::kSyncDir, EIO, Code::kIoError},
      {FsOp::kStat, EIO, Code::kIoError},
  };
  const Compression c = GENERATE(Compression::kZstd, Compression::kGzip);
  const size_t size = GENERATE(size_t{5000}, 3 * kCompressChunk);
  for (const Case& k : cases) {
    INFO(NameOf(c) << ", " << size << " bytes, op " << static_cast<int>(k.op)
                   << ", errno " << k.err);
    Env e;
    const std::string text = LogLines(size);
    e.Put("a.log.1", text);
    const FileInfo expected = e.Stat("a.log.1");
    e.fs.FailNext(k.op, k.err);
    Status st =
        CompressFile(e.fs, *e.dir, "a.log.1", expected, c, 3, e.stop).status();
    CHECK(st.code() == k.code);
    CHECK(st.errno_value() == k.err);
    CheckUntouched(e, text);
    const auto removed = e.fs.removed();
    CHECK(std::find(removed.begin(), removed.end(), e.Path("a.log.1")) ==
          removed.end());
    // The failure was transient: the next attempt succeeds.
    CHECK(CompressFile(e.fs, *e.dir, "a.log.1", expected, c, 3, e.stop).ok());
  }
}

TEST_CASE("an existing archive is never replaced", "[compress]") {
  Env e;
  e.Put("a.log.1", "new\n");
  e.Put("a.log.1.zst", "an archive from before a crash");
  auto result = e.Compress("a.log.1", Compression::kZstd);
  CHECK(result.status().code() == Code::kBusy);
  CHECK(e.fs.FileContents(e.Path("a.log.1")) == "new\n");
  CHECK(e.fs.FileContents(e.Path("a.log.1.zst")) ==
        "an archive from before a crash");
  CHECK(e.Names() == std::vector<std::string>{"a.log.1", "a.log.1.zst"});
  CHECK(e.fs.removed().empty());
}

TEST_CASE("an archive appearing while compressing is not replaced",
          "[compress]") {
  Env e;
  e.Put("a.log.1", LogLines(3000));
  HookedFilesystem hooked(e.fs);
  hooked.after_read = [&] {
    if (!e.fs.Exists(e.Path("a.log.1.gz"))) e.Put("a.log.1.gz", "theirs");
  };
  auto result = e.Compress("a.log.1", Compression::kGzip, &hooked);
  CHECK(result.status().code() == Code::kBusy);
  CHECK(e.fs.FileContents(e.Path("a.log.1.gz")) == "theirs");
  CHECK(e.fs.FileContents(e.Path("a.log.1")) == LogLines(3000));
  CHECK(e.Names() == std::vector<std::string>{"a.log.1", "a.log.1.gz"});
}

TEST_CASE("a stop request abandons the compression", "[compress]") {
  Env e;
  const std::string text = LogLines(3 * kCompressChunk);
  e.Put("a.log.1", text);
  HookedFilesystem hooked(e.fs);
  int reads = 0;
  SECTION("before it starts") { e.stop = true; }
  SECTION("between chunks") {
    hooked.after_read = [&] {
      if (++reads == 2) e.stop = true;
    };
  }
  auto result = e.Compress("a.log.1", Compression::kZstd, &hooked);
  CHECK(result.status().code() == Code::kAborted);
  CHECK(reads <= 2);
  CheckUntouched(e, text);
}

TEST_CASE("a temp file left by a crash is replaced", "[compress]") {
  Env e;
  const std::string text = LogLines(4000);
  e.Put("a.log.1", text);
  e.Put(std::string("a.log.1.zst") + kCompressTempSuffix, "torn archive");
  REQUIRE(e.Compress("a.log.1", Compression::kZstd).ok());
  CHECK(e.Names() == std::vector<std::string>{"a.log.1.zst"});
  CHECK(e.Unpack("a.log.1.zst", Compression::kZstd) == text);
}

TEST_CASE("a swapped original is neither compressed nor removed",
          "[compress]") {
  Env e;
  const std::string text = LogLines(4000);
  e.Put("a.log.1", text);
  const FileInfo expected = e.Stat("a.log.1");
  HookedFilesystem hooked(e.fs);
  SECTION("before it is opened") { e.fs.Replace(e.Path("a.log.1")); }
  SECTION("while it is read") {
    hooked.after_read = [&] {
      if (e.Stat("a.log.1").SameIdentity(expected)) {
        e.fs.Replace(e.Path("a.log.1"));
      }
    };
  }
  auto result = CompressFile(hooked, *e.dir, "a.log.1", expected,
                             Compression::kZstd, 3, e.stop);
  CHECK(result.status().code() == Code::kUnsafe);
  CheckUntouched(e, text);
  CHECK_FALSE(e.Stat("a.log.1").SameIdentity(expected));
  const auto removed = e.fs.removed();
  CHECK(std::find(removed.begin(), removed.end(), e.Path("a.log.1")) ==
        removed.end());
}

TEST_CASE("an original still growing is not removed", "[compress]") {
  Env e;
  const std::string text = LogLines(4000);
  e.Put("a.log.1", text);
  HookedFilesystem hooked(e.fs);
  // A writer appends after the last read: the name reports a larger size.
  hooked.size_delta = 100;
  auto result = e.Compress("a.log.1", Compression::kGzip, &hooked);
  CHECK(result.status().code() == Code::kBusy);
  CheckUntouched(e, text);
}

TEST_CASE("a failed removal withdraws the archive and keeps the original",
          "[compress]") {
  Env e;
  const std::string text = LogLines(4000);
  e.Put("a.log.1", text);
  e.fs.FailNext(FsOp::kRemove, EIO);
  auto result = e.Compress("a.log.1", Compression::kZstd);
  CHECK(result.status().code() == Code::kIoError);
  // Left beside the original, the archive would block every retry.
  CHECK(e.Names() == std::vector<std::string>{"a.log.1"});
  CHECK(e.fs.FileContents(e.Path("a.log.1")) == text);
  auto again = e.Compress("a.log.1", Compression::kZstd);
  REQUIRE(again.ok());
  CHECK(e.Names() == std::vector<std::string>{"a.log.1.zst"});
  auto size = DecompressToFile(e.fs, *e.dir, "a.log.1.zst", Compression::kZstd,
                               nullptr);
  REQUIRE(size.ok());
  CHECK(*size == text.size());
}

}  // namespace
}  // namespace retention::compressor_test
