// The rotation intent's text form: what recovery reads back after a crash
// must be what the rotation wrote, and a torn write must never parse.
#include "kinds/logs/rotation_intent.h"

#include <catch2/catch.hpp>

#include "status_printers.h"

namespace retention::rotation_intent_test {
namespace {

RotationIntent Sample() {
  RotationIntent in;
  in.method = RotationIntent::Method::kCollapse;
  in.archive = "access log.1";  // spaces are part of a name
  in.archive_dir_dev = 2049;
  in.archive_dir_ino = 12;
  in.live_dev = 2049;
  in.live_ino = 18446744073709551615ull;
  in.length = 65536;
  in.phys_head = 184490373120;
  in.phys_next = 184490381312;
  in.mode = 0640;
  in.uid = 33;
  in.gid = 4;
  return in;
}

TEST_CASE("a rotation intent reads back as written", "[rotation]") {
  for (auto method :
       {RotationIntent::Method::kCollapse, RotationIntent::Method::kCopy,
        RotationIntent::Method::kRename}) {
    RotationIntent in = Sample();
    in.method = method;
    StatusOr<RotationIntent> back = ParseIntent(FormatIntent(in));
    REQUIRE(back.ok());
    CHECK(*back == in);
  }
}

TEST_CASE("a torn rotation intent never parses", "[rotation]") {
  const std::string text = FormatIntent(Sample());
  for (size_t len = 0; len < text.size(); ++len) {
    StatusOr<RotationIntent> torn = ParseIntent(text.substr(0, len));
    INFO(len);
    REQUIRE_FALSE(torn.ok());
    CHECK(torn.status().code() == Status::Code::kCorruption);
  }
}

TEST_CASE("a rotation intent with a bad field is corrupt", "[rotation]") {
  std::string text = FormatIntent(Sample());
  SECTION("unknown method") { text.replace(text.find("collapse"), 8, "shred"); }
  SECTION("number with junk") { text.replace(text.find("65536"), 5, "6x536"); }
  SECTION("missing number") { text.replace(text.find(" 33 "), 3, ""); }
  CHECK(ParseIntent(text).status().code() == Status::Code::kCorruption);
}

TEST_CASE("rotation side files are named after their target", "[rotation]") {
  CHECK(IntentName("access.log") == ".access.log.rtd-rotate");
  CHECK(ArchiveTempName("access.log.1") == "access.log.1.rtd-tmp");
  CHECK(ArchiveTempName("access.log.1", "qzkfmwpxbtra") ==
        "access.log.1.qzkfmwpxbtra.rtd-tmp");
}

TEST_CASE("an intent records its temp name; an older one had the fixed name",
          "[rotation]") {
  RotationIntent in = Sample();
  in.temp = ArchiveTempName(in.archive, "qzkfmwpxbtra");
  StatusOr<RotationIntent> back = ParseIntent(FormatIntent(in));
  REQUIRE(back.ok());
  CHECK(*back == in);
  CHECK(TempNameOf(*back) == "access log.1.qzkfmwpxbtra.rtd-tmp");
  back = ParseIntent(FormatIntent(Sample()));  // no temp line
  REQUIRE(back.ok());
  CHECK(TempNameOf(*back) == "access log.1.rtd-tmp");
  std::string text = FormatIntent(in);
  text.replace(text.find("qzkf"), 4, "../x");
  CHECK(ParseIntent(text).status().code() == Status::Code::kCorruption);
}

TEST_CASE("a rotation intent keeps its carry, and an older one has none",
          "[rotation]") {
  RotationIntent in = Sample();
  in.carry = 57;
  in.cut = 65000;
  StatusOr<RotationIntent> back = ParseIntent(FormatIntent(in));
  REQUIRE(back.ok());
  CHECK(*back == in);
  std::string text = FormatIntent(in);
  const size_t at = text.find("carry ");
  text.erase(at, text.find('\n', at) + 1 - at);
  back = ParseIntent(text);
  REQUIRE(back.ok());
  CHECK(back->carry == 0);
  CHECK(back->cut == in.length);
  in.cut = in.length + 1;  // past the head
  CHECK(ParseIntent(FormatIntent(in)).status().code() ==
        Status::Code::kCorruption);
}

}  // namespace
}  // namespace retention::rotation_intent_test
