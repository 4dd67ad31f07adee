#include "compress/codec.h"

#include <catch2/catch.hpp>
#include <string>

#include "compress/compressor.h"
#include "fakes/fake_clock.h"
#include "fakes/fake_filesystem.h"
#include "status_printers.h"

namespace retention::codec_test {
namespace {

using Code = Status::Code;

std::string Encode(Compression c, const std::string& text) {
  auto encoder = NewEncoder(c, DefaultCompressLevel(c));
  REQUIRE(encoder.ok());
  std::string out;
  REQUIRE((*encoder)->Update(text, &out).ok());
  REQUIRE((*encoder)->Finish(&out).ok());
  return out;
}

// Decodes `archive` fed in pieces of `step` bytes; the sink records the
// largest piece it was handed.
Status Decode(Compression c, const std::string& archive, size_t step,
              std::string* text, size_t* largest = nullptr) {
  auto decoder = NewDecoder(c);
  REQUIRE(decoder.ok());
  const DecodeSink sink = [&](std::string_view piece) {
    if (largest != nullptr) *largest = std::max(*largest, piece.size());
    text->append(piece);
    return Status::Ok();
  };
  for (size_t at = 0; at < archive.size(); at += step) {
    RETENTION_RETURN_IF_ERROR(
        (*decoder)->Update(std::string_view(archive).substr(at, step), sink));
  }
  return (*decoder)->Finish();
}

const char* NameOf(Compression c) {
  switch (c) {
    case Compression::kNone:
      return "none";
    case Compression::kZstd:
      return "zstd";
    case Compression::kGzip:
      return "gzip";
  }
  return "?";
}

TEST_CASE("a decoder hands out a huge expansion in bounded pieces",
          "[compress]") {
  const Compression c =
      GENERATE(Compression::kZstd, Compression::kGzip, Compression::kNone);
  INFO(NameOf(c));
  const std::string zeros(20 << 20, '\0');
  const std::string archive = Encode(c, zeros);
  if (c != Compression::kNone) CHECK(archive.size() < zeros.size() / 100);
  std::string text;
  size_t largest = 0;
  REQUIRE(Decode(c, archive, archive.size(), &text, &largest).ok());
  CHECK(text == zeros);
  CHECK(largest <= kDecodePiece);
}

TEST_CASE("an archive fed byte by byte decodes the same", "[compress]") {
  const Compression c = GENERATE(Compression::kZstd, Compression::kGzip);
  INFO(NameOf(c));
  const std::string archive = Encode(c, "hello, archive\n");
  std::string text;
  REQUIRE(Decode(c, archive, 1, &text).ok());
  CHECK(text == "hello, archive\n");
}

TEST_CASE("concatenated archives decode to the concatenation", "[compress]") {
  const Compression c = GENERATE(Compression::kZstd, Compression::kGzip);
  INFO(NameOf(c));
  const std::string archive = Encode(c, "first\n") + Encode(c, "second\n");
  std::string text;
  SECTION("in one piece") { REQUIRE(Decode(c, archive, 1 << 20, &text).ok()); }
  SECTION("split at the boundary") {
    REQUIRE(Decode(c, archive, Encode(c, "first\n").size(), &text).ok());
  }
  CHECK(text == "first\nsecond\n");
}

TEST_CASE("a damaged archive is reported as corruption", "[compress]") {
  const Compression c = GENERATE(Compression::kZstd, Compression::kGzip);
  INFO(NameOf(c));
  const std::string archive = Encode(c, std::string(5000, 'a') + "end\n");
  std::string text;
  SECTION("empty") {
    CHECK(Decode(c, "", 1, &text).code() == Code::kCorruption);
  }
  SECTION("truncated") {
    const std::string cut = archive.substr(0, archive.size() - 3);
    CHECK(Decode(c, cut, 1 << 20, &text).code() == Code::kCorruption);
  }
  SECTION("a flipped bit near the end") {
    std::string bad = archive;
    bad[bad.size() - 5] ^= 0x10;
    CHECK(Decode(c, bad, 1 << 20, &text).code() == Code::kCorruption);
  }
  SECTION("garbage after the end") {
    CHECK(Decode(c, archive + "garbage!", 1 << 20, &text).code() ==
          Code::kCorruption);
  }
  SECTION("the other format") {
    const Compression other =
        c == Compression::kZstd ? Compression::kGzip : Compression::kZstd;
    CHECK(Decode(other, archive, 1 << 20, &text).code() == Code::kCorruption);
  }
}

struct FileEnv {
  FakeClock clock;
  FakeFilesystem fs{clock};
  std::unique_ptr<Dir> dir;
  FileEnv() {
    fs.AddDir("/a");
    dir = std::move(fs.OpenRoot("/a")).value();
  }
};

TEST_CASE("reading an archive into memory stops at the size limit",
          "[compress]") {
  FileEnv e;
  e.fs.AddFileWithContents("/a/x.gz", Encode(Compression::kGzip, "12345678"),
                           e.clock.Now());
  auto exact = DecompressToString(e.fs, *e.dir, "x.gz", Compression::kGzip, 8);
  REQUIRE(exact.ok());
  CHECK(*exact == "12345678");
  CHECK(DecompressToString(e.fs, *e.dir, "x.gz", Compression::kGzip, 7)
            .status()
            .code() == Code::kInvalidArgument);
}

TEST_CASE("a damaged archive file names itself in the error", "[compress]") {
  FileEnv e;
  e.fs.AddFileWithContents("/a/x.zst", "not zstd at all", e.clock.Now());
  auto text = DecompressToString(e.fs, *e.dir, "x.zst", Compression::kZstd, 99);
  CHECK(text.status().code() == Code::kCorruption);
  CHECK(text.status().message().find("/a/x.zst") != std::string::npos);
}

TEST_CASE("an archive streams into a file", "[compress]") {
  FileEnv e;
  const std::string text(3 * kCompressChunk, 'z');
  e.fs.AddFileWithContents("/a/x.zst", Encode(Compression::kZstd, text),
                           e.clock.Now());
  auto out = e.fs.CreateFileAt(*e.dir, "x", 0600);
  REQUIRE(out.ok());
  auto n =
      DecompressToFile(e.fs, *e.dir, "x.zst", Compression::kZstd, out->get());
  REQUIRE(n.ok());
  CHECK(*n == text.size());
  CHECK(e.fs.FileContents("/a/x") == text);
  SECTION("and a full disk stops it") {
    auto again = e.fs.CreateFileAt(*e.dir, "y", 0600);
    REQUIRE(again.ok());
    e.fs.FailNext(FsOp::kWrite, ENOSPC);
    CHECK(DecompressToFile(e.fs, *e.dir, "x.zst", Compression::kZstd,
                           again->get())
              .status()
              .IsNoSpace());
  }
}

}  // namespace
}  // namespace retention::codec_test
