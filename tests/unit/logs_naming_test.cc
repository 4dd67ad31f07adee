// Archive names: formatting, parsing back, order, temps, and the names of
// other files that must never be taken for archives.
#include "kinds/logs/logs_naming.h"

#include <algorithm>
#include <catch2/catch.hpp>

#include "kinds/logs/rotation_intent.h"

namespace retention::logs_naming_test {
namespace {

using std::chrono::milliseconds;
using std::chrono::seconds;
const WallTime kT = FromUnixSeconds(1795455270);  // 2026-11-23T17:34:30Z

TEST_CASE("timestamp names carry the UTC second, a seq and the suffix") {
  CHECK(FormatArchiveName("access.log", kT + milliseconds(700), 0,
                          Compression::kNone) == "access.log-20261123T173430Z");
  CHECK(FormatArchiveName("access.log", kT, 0, Compression::kZstd) ==
        "access.log-20261123T173430Z.zst");
  CHECK(FormatArchiveName("access.log", kT, 2, Compression::kZstd) ==
        "access.log-20261123T173430Z_0002.zst");
  CHECK(FormatArchiveName("access.log", kT, 12, Compression::kNone) ==
        "access.log-20261123T173430Z_0012");
  CHECK(FormatArchiveName("access.log", kT, 1, Compression::kGzip) ==
        "access.log-20261123T173430Z.gz");
  CHECK(FormatArchiveName("a", FromUnixSeconds(0), 0, Compression::kNone) ==
        "a-19700101T000000Z");
}

TEST_CASE("timestamp names parse back to what they were made of") {
  for (int seq : {0, 2, 3, 17}) {
    for (Compression c :
         {Compression::kNone, Compression::kZstd, Compression::kGzip}) {
      const std::string name = FormatArchiveName("access.log", kT, seq, c);
      INFO(name);
      auto a = ParseArchiveName("access.log", name, ArchiveNaming::kTimestamp);
      REQUIRE(a);
      CHECK(a->live == "access.log");
      CHECK(a->time == kT);
      CHECK(a->seq == seq);
      CHECK(a->number == 0);
      CHECK(a->compression == c);
      CHECK_FALSE(a->temp);
      CHECK(FormatName(*a, ArchiveNaming::kTimestamp) == name);
    }
  }
  // Leap day, end of year.
  const WallTime leap = FromUnixSeconds(1835395199);  // 2028-02-29T23:59:59Z
  auto a =
      ParseArchiveName("x", FormatArchiveName("x", leap, 0, Compression::kNone),
                       ArchiveNaming::kTimestamp);
  REQUIRE(a);
  CHECK(a->time == leap);
}

TEST_CASE("timestamp names sort by time, and by seq within a second") {
  std::vector<std::string> names = {
      FormatArchiveName("a.log", kT + seconds(3600), 0, Compression::kZstd),
      FormatArchiveName("a.log", kT, 0, Compression::kZstd),
      FormatArchiveName("a.log", kT + seconds(1), 0, Compression::kNone),
      FormatArchiveName("a.log", kT - seconds(86400 * 40), 0,
                        Compression::kGzip),
  };
  std::vector<std::string> sorted = names;
  std::sort(sorted.begin(), sorted.end());
  CHECK(sorted ==
        std::vector<std::string>{names[3], names[1], names[2], names[0]});

  // Within one second the name order is not the rotation order
  // (".10.zst" < ".2.zst" < ".zst"); ArchiveOlder is.
  std::vector<ArchiveName> same;
  for (int seq : {10, 0, 2}) {
    same.push_back(*ParseArchiveName(
        "a.log", FormatArchiveName("a.log", kT, seq, Compression::kZstd),
        ArchiveNaming::kTimestamp));
  }
  std::sort(same.begin(), same.end(), ArchiveOlder);
  CHECK(same[0].seq == 0);
  CHECK(same[1].seq == 2);
  CHECK(same[2].seq == 10);
}

TEST_CASE("numbered names are logrotate's, 1 the newest") {
  CHECK(FormatNumberedName("access.log", 1, Compression::kNone) ==
        "access.log.1");
  CHECK(FormatNumberedName("access.log", 2, Compression::kGzip) ==
        "access.log.2.gz");
  auto a = ParseArchiveName("access.log", "access.log.12.zst",
                            ArchiveNaming::kNumbered);
  REQUIRE(a);
  CHECK(a->number == 12);
  CHECK(a->compression == Compression::kZstd);
  CHECK(FormatName(*a, ArchiveNaming::kNumbered) == "access.log.12.zst");
  auto one =
      ParseArchiveName("access.log", "access.log.1", ArchiveNaming::kNumbered);
  REQUIRE(one);
  CHECK(one->number == 1);
  CHECK(one->compression == Compression::kNone);
  CHECK(ArchiveOlder(*a, *one));
  CHECK_FALSE(ArchiveOlder(*one, *a));
  // A live name ending in a suffix or a number keeps it.
  auto gz = ParseArchiveName("x.gz", "x.gz.1.gz", ArchiveNaming::kNumbered);
  REQUIRE(gz);
  CHECK(gz->number == 1);
  CHECK(ParseArchiveName("app.2024", "app.2024.3", ArchiveNaming::kNumbered));
}

TEST_CASE("temp names end in .rtd-tmp and parse as temps of their archive") {
  const std::string final_name =
      FormatArchiveName("access.log", kT, 2, Compression::kZstd);
  const std::string temp = TempNameFor(final_name);
  CHECK(temp == "access.log-20261123T173430Z_0002.zst.rtd-tmp");
  CHECK(IsTempName(temp));
  CHECK_FALSE(IsTempName(final_name));
  CHECK_FALSE(IsTempName(".rtd-tmp"));
  auto a = ParseArchiveName("access.log", temp, ArchiveNaming::kTimestamp);
  REQUIRE(a);
  CHECK(a->temp);
  CHECK(a->seq == 2);
  CHECK(a->compression == Compression::kZstd);
  auto n = ParseArchiveName("access.log", "access.log.1.gz.rtd-tmp",
                            ArchiveNaming::kNumbered);
  REQUIRE(n);
  CHECK(n->temp);
  CHECK(n->number == 1);
}

TEST_CASE("a rotation's temp with its random token is a temp of its archive") {
  const std::string stamped =
      FormatArchiveName("access.log", kT, 0, Compression::kNone);
  for (const auto& [archive, naming] :
       {std::pair{stamped, ArchiveNaming::kTimestamp},
        std::pair{std::string("access.log.1"), ArchiveNaming::kNumbered}}) {
    const std::string temp = ArchiveTempName(archive, "qzkfmwpxbtra");
    CHECK(temp == archive + ".qzkfmwpxbtra.rtd-tmp");
    CHECK(IsTempName(temp));
    auto a = ParseArchiveName("access.log", temp, naming);
    REQUIRE(a);
    CHECK(a->temp);
    CHECK(FormatName(*a, naming) == archive);
  }
  // Not a token: too short, or not lowercase letters.
  CHECK_FALSE(ParseArchiveName("access.log", "access.log.1.qzkf.rtd-tmp",
                               ArchiveNaming::kNumbered));
  CHECK_FALSE(ParseArchiveName("access.log",
                               "access.log.1.QZKFMWPXBTRA.rtd-tmp",
                               ArchiveNaming::kNumbered));
}

TEST_CASE("other files are never taken for archives") {
  for (const char* name :
       {"access.log", "access.log.bak", "access.log-old", "access.log.old.gz",
        "access.log-20261123", "access.log-20261123T173430",
        "access.log-20261323T173430Z", "access.log-20260230T173430Z",
        "access.log-20261123T253430Z", "access.log-20261123T173430Z.1",
        "access.log-20261123T173430Z.02", "access.log-20261123T173430Z.bz2",
        "access.log-20261123T173430Z_0001", "access.log-20261123T173430Z_002",
        "access.log-20261123T173430Z_00002", "access.log-20261123T173430Z_",
        "access.log-20261123T173430Z_00x2",
        "access.log-20261123T173430Zx", "access.log20261123T173430Z",
        "error.log-20261123T173430Z.zst", "xaccess.log-20261123T173430Z",
        "-20261123T173430Z", "access.log.rtd-tmp"}) {
    INFO(name);
    CHECK_FALSE(
        ParseArchiveName("access.log", name, ArchiveNaming::kTimestamp));
  }
  for (const char* name :
       {"access.log", "access.log.bak", "access.log.0", "access.log.01",
        "access.log.1x", "access.log.-1", "access.log..1", "error.log.1",
        "access.log.1.bz2", "access.log.1234567890",
        "access.log-20261123T173430Z.zst"}) {
    INFO(name);
    CHECK_FALSE(ParseArchiveName("access.log", name, ArchiveNaming::kNumbered));
  }
}

TEST_CASE("names of an earlier version (STAMP.N) are still read") {
  auto a = ParseArchiveName("access.log", "access.log-20261123T173430Z.2.zst",
                            ArchiveNaming::kTimestamp);
  REQUIRE(a);
  CHECK(a->seq == 2);
  CHECK(a->compression == Compression::kZstd);
  auto u = ParseArchiveName("my_app.log", "my_app.log-20261123T173430Z.3",
                            ArchiveNaming::kTimestamp);
  REQUIRE(u);
  CHECK(u->seq == 3);
  auto n = ParseArchiveName("my_app.log", "my_app.log-20261123T173430Z_0004",
                            ArchiveNaming::kTimestamp);
  REQUIRE(n);
  CHECK(n->seq == 4);
}

TEST_CASE("byte order of timestamp names is time order") {
  // Rotations in time order: 12 in one second, then the next seconds, each
  // compressed or not; LC_ALL=C ls sorts by bytes as std::sort does.
  std::vector<std::string> in_time;
  for (int second = 0; second < 3; ++second) {
    for (int seq : {0, 2, 3, 9, 10, 11, 99, 100, 1000}) {
      const Compression c =
          (seq + second) % 2 == 0 ? Compression::kZstd : Compression::kNone;
      in_time.push_back(FormatArchiveName(
          "access.log", kT + std::chrono::seconds(second), seq, c));
    }
  }
  std::vector<std::string> sorted = in_time;
  std::sort(sorted.begin(), sorted.end());
  CHECK(sorted == in_time);
  for (size_t i = 1; i < in_time.size(); ++i) {
    auto a = ParseArchiveName("access.log", in_time[i - 1],
                              ArchiveNaming::kTimestamp);
    auto b =
        ParseArchiveName("access.log", in_time[i], ArchiveNaming::kTimestamp);
    REQUIRE(a);
    REQUIRE(b);
    CHECK(ArchiveOlder(*a, *b));
  }
}

TEST_CASE("the live name is derived from an archive name alone") {
  auto a = ParseAnyArchiveName("error.log-20261123T173430Z_0003.gz",
                               ArchiveNaming::kTimestamp);
  REQUIRE(a);
  CHECK(a->live == "error.log");
  CHECK(a->seq == 3);
  auto n = ParseAnyArchiveName("error.log.4", ArchiveNaming::kNumbered);
  REQUIRE(n);
  CHECK(n->live == "error.log");
  CHECK_FALSE(ParseAnyArchiveName("error.log", ArchiveNaming::kTimestamp));
  CHECK_FALSE(ParseAnyArchiveName(".1", ArchiveNaming::kNumbered));
}

TEST_CASE("a free seq skips every archive of the same second") {
  const std::string zero =
      FormatArchiveName("a.log", kT, 0, Compression::kNone);
  CHECK(FreeSeq("a.log", kT, {}) == 0);
  CHECK(FreeSeq("a.log", kT, {"a.log", "b.log-20261123T173430Z"}) == 0);
  CHECK(FreeSeq("a.log", kT + milliseconds(900), {zero}) == 2);
  CHECK(FreeSeq("a.log", kT, {zero + ".zst"}) == 2);
  CHECK(FreeSeq("a.log", kT,
                {zero, FormatArchiveName("a.log", kT, 2, Compression::kZstd),
                 FormatArchiveName("a.log", kT, 4, Compression::kGzip)}) == 5);
  CHECK(FreeSeq("a.log", kT + seconds(1), {zero}) == 0);
  // A temp is removed before a rotation, so it does not take a seq.
  CHECK(FreeSeq("a.log", kT, {TempNameFor(zero + ".zst")}) == 0);
}

}  // namespace
}  // namespace retention::logs_naming_test
