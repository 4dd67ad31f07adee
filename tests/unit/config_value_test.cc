// Table-driven tests of the strict value parsers and formatters.
#include "config/config_value.h"

#include <catch2/catch.hpp>
#include <chrono>
#include <cstdint>
#include <string>

namespace retention::config_value_test {
namespace {

using std::chrono::days;
using std::chrono::hours;
using std::chrono::minutes;
using std::chrono::seconds;

constexpr uint64_t kKi = 1024;
constexpr uint64_t kMi = kKi * 1024;
constexpr uint64_t kGi = kMi * 1024;
constexpr uint64_t kTi = kGi * 1024;
constexpr uint64_t kPi = kTi * 1024;

TEST_CASE("sizes accept bytes and binary units") {
  struct Case {
    const char* text;
    uint64_t bytes;
  };
  const Case cases[] = {
      {"0", 0},
      {"123", 123},
      {"1.0", 1},
      {"200B", 200},
      {"200K", 200 * kKi},
      {"200k", 200 * kKi},
      {"200KB", 200 * kKi},
      {"200KiB", 200 * kKi},
      {"200M", 200 * kMi},
      {"200MB", 200 * kMi},
      {"200MiB", 200 * kMi},
      {"4G", 4 * kGi},
      {"1.5T", kTi + kTi / 2},
      {"2P", 2 * kPi},
      {"0.5K", 512},
      {"1.3K", 1331},  // 1331.2 rounds down
      {"18446744073709551615", UINT64_MAX},
      {"16383P", 16383 * kPi},
  };
  for (const Case& c : cases) {
    INFO(c.text);
    auto parsed = ParseSize(c.text);
    REQUIRE(parsed.ok());
    CHECK(*parsed == c.bytes);
  }
}

TEST_CASE("sizes refuse anything that is not a plain size") {
  const char* bad[] = {
      "",
      "-1",
      "10X",
      "1.5",
      "99999999999999999999",
      "16384P",
      "1 M",
      " 1M",
      "1M ",
      "M",
      "1.",
      ".5M",
      "1m",
      "1g",
      "1Mb",
      "1MiBB",
      "1iB",
      "+1",
      "1e3",
      "0x10",
      "1,5M",
      "1.5.5M",
      "18446744073709551616",
      "0.0000001K",  // rounds to 0: would read as no budget
  };
  for (const char* text : bad) {
    INFO(text);
    auto parsed = ParseSize(text);
    REQUIRE_FALSE(parsed.ok());
    CHECK(parsed.status().code() == Status::Code::kInvalidArgument);
  }
}

TEST_CASE("a size error says what was expected") {
  auto parsed = ParseSize("10X");
  REQUIRE_FALSE(parsed.ok());
  CHECK_THAT(parsed.status().message(), Catch::Contains("'10X'") &&
                                            Catch::Contains("unknown unit") &&
                                            Catch::Contains("200M"));
  CHECK_THAT(ParseSize("1.5").status().message(),
             Catch::Contains("fraction of a byte"));
}

TEST_CASE("a size that rounds to 0 is refused, 0 itself is not") {
  CHECK_THAT(ParseSize("0.0000001K").status().message(),
             Catch::Contains("rounds to 0 bytes"));
  CHECK(ParseSize("0").value() == 0);
  CHECK(ParseSize("0.0K").value() == 0);
  CHECK(ParseSize("0.001K").value() == 1);
}

TEST_CASE("durations accept numbers with units, largest first") {
  struct Case {
    const char* text;
    Duration value;
  };
  const Case cases[] = {
      {"0", Duration::zero()},
      {"0s", Duration::zero()},
      {"30s", seconds(30)},
      {"1m", minutes(1)},
      {"1h", hours(1)},
      {"24h", hours(24)},
      {"395d", days(395)},
      {"2w", days(14)},
      {"6y", days(6 * 365)},
      {"1h30m", minutes(90)},
      {"1d12h", hours(36)},
      {"1y30d", days(395)},
      {"90m", minutes(90)},
      {"1w2d3h4m5s", days(9) + hours(3) + minutes(4) + seconds(5)},
      {"292y", days(292 * 365)},
  };
  for (const Case& c : cases) {
    INFO(c.text);
    auto parsed = ParseDuration(c.text);
    REQUIRE(parsed.ok());
    CHECK(*parsed == c.value);
  }
}

TEST_CASE("durations refuse anything that is not a plain duration") {
  const char* bad[] = {
      "",      "-1h",  "1 h",  "h",
      "10",    "00",   "1x",   "1H",
      "30m1h", "1h1h", "1h30", "1.5h",
      " 1h",   "1h ",  "+1h",  "99999999999999999999s",
      "293y",  "1hm",
  };
  for (const char* text : bad) {
    INFO(text);
    auto parsed = ParseDuration(text);
    REQUIRE_FALSE(parsed.ok());
    CHECK(parsed.status().code() == Status::Code::kInvalidArgument);
  }
}

TEST_CASE("booleans accept the usual spellings and nothing else") {
  for (const char* yes : {"yes", "true", "on", "1", "Yes", "TRUE"}) {
    INFO(yes);
    REQUIRE(ParseBool(yes).ok());
    CHECK(*ParseBool(yes));
  }
  for (const char* no : {"no", "false", "off", "0", "No"}) {
    INFO(no);
    REQUIRE(ParseBool(no).ok());
    CHECK_FALSE(*ParseBool(no));
  }
  for (const char* bad : {"", "y", "2", "enabled", " yes", "yes "}) {
    INFO(bad);
    CHECK_FALSE(ParseBool(bad).ok());
  }
}

TEST_CASE("integers are strict signed 64-bit numbers") {
  struct Case {
    const char* text;
    int64_t value;
  };
  const Case cases[] = {{"0", 0},
                        {"42", 42},
                        {"-7", -7},
                        {"9223372036854775807", INT64_MAX},
                        {"-9223372036854775808", INT64_MIN}};
  for (const Case& c : cases) {
    INFO(c.text);
    REQUIRE(ParseInt(c.text).ok());
    CHECK(*ParseInt(c.text) == c.value);
  }
  for (const char* bad : {"", "-", "+1", "1.0", " 1", "1 ", "1k", "0x1",
                          "9223372036854775808", "-9223372036854775809"}) {
    INFO(bad);
    CHECK_FALSE(ParseInt(bad).ok());
  }
}

TEST_CASE("fractions are decimals from 0 to 1") {
  struct Case {
    const char* text;
    double value;
  };
  const Case cases[] = {
      {"0", 0.0}, {"1", 1.0}, {"0.25", 0.25}, {"1.0", 1.0}, {"0.000", 0.0}};
  for (const Case& c : cases) {
    INFO(c.text);
    REQUIRE(ParseFraction(c.text).ok());
    CHECK(*ParseFraction(c.text) == Approx(c.value));
  }
  for (const char* bad :
       {"", "-0.1", "1.01", "2", ".5", "0.", "25%", "0.5 ", "1e-1", "nan"}) {
    INFO(bad);
    CHECK_FALSE(ParseFraction(bad).ok());
  }
}

TEST_CASE("space limits are a size or a percentage below 100") {
  auto bytes = ParseSpaceLimit("2G");
  REQUIRE(bytes.ok());
  CHECK(bytes->bytes == uint64_t{2} << 30);
  CHECK(bytes->percent == 0);
  CHECK(bytes->RequiredOf(uint64_t{1} << 40) == uint64_t{2} << 30);
  CHECK(bytes->ToString() == "2G");
  auto percent = ParseSpaceLimit("12.5%");
  REQUIRE(percent.ok());
  CHECK(percent->bytes == 0);
  CHECK(percent->RequiredOf(8000) == 1000);
  CHECK(percent->ToString() == "12.5%");
  CHECK(ParseSpaceLimit("1%")->RequiredOf(uint64_t{1} << 40) ==
        (uint64_t{1} << 40) / 100);
  CHECK(SpaceLimit{}.empty());
  CHECK_FALSE(percent->empty());
  for (const char* bad : {"", "%", "0%", "100%", "150%", "-5%", "5 %", "5%%",
                          ".5%", "1e1%", "10 G", "ten"}) {
    INFO(bad);
    auto parsed = ParseSpaceLimit(bad);
    REQUIRE_FALSE(parsed.ok());
    CHECK(parsed.status().code() == Status::Code::kInvalidArgument);
  }
  CHECK_THAT(ParseSpaceLimit("10Q").status().message(),
             Catch::Contains("percentage"));
}

TEST_CASE("sizes format with the largest unit and one decimal") {
  struct Case {
    uint64_t bytes;
    const char* text;
  };
  const Case cases[] = {
      {0, "0"},
      {123, "123"},
      {1023, "1023"},
      {kKi, "1K"},
      {200 * kMi, "200M"},
      {4 * kGi, "4G"},
      {kGi + kGi / 2, "1.5G"},
      {kTi + kTi / 2, "1.5T"},
      {3 * kPi, "3P"},
      {kGi + 1, "1.0G"},
      {16000 * kPi, "16000P"},
  };
  for (const Case& c : cases) {
    INFO(c.bytes);
    CHECK(FormatSize(c.bytes) == c.text);
  }
}

TEST_CASE("a formatted size parses back to within a tenth of its unit") {
  for (uint64_t bytes : {uint64_t{1}, 1536 * kKi, 7 * kGi + 123456789,
                         kTi * 5 / 3, UINT64_MAX / 3}) {
    INFO(bytes);
    auto parsed = ParseSize(FormatSize(bytes));
    REQUIRE(parsed.ok());
    CHECK(*parsed <= bytes);
    CHECK(static_cast<double>(bytes - *parsed) <=
          0.1 * static_cast<double>(bytes));
  }
}

TEST_CASE("durations format as compact units that parse back") {
  struct Case {
    Duration value;
    const char* text;
  };
  const Case cases[] = {
      {Duration::zero(), "0s"},
      {seconds(30), "30s"},
      {minutes(90), "1h30m"},
      {hours(24), "1d"},
      {days(395), "395d"},
      {days(6 * 365), "6y"},
      {days(2) + seconds(5), "2d5s"},
  };
  for (const Case& c : cases) {
    INFO(c.text);
    CHECK(FormatDuration(c.value) == c.text);
    auto parsed = ParseDuration(c.text);
    REQUIRE(parsed.ok());
    CHECK(*parsed == c.value);
  }
}

TEST_CASE("edit distance counts insertions, deletions and substitutions") {
  CHECK(EditDistance("", "") == 0);
  CHECK(EditDistance("max_age", "max_age") == 0);
  CHECK(EditDistance("", "abc") == 3);
  CHECK(EditDistance("max_agee", "max_age") == 1);
  CHECK(EditDistance("maxage", "max_age") == 1);
  CHECK(EditDistance("max_aeg", "max_age") == 2);
  CHECK(EditDistance("kitten", "sitting") == 3);
}

}  // namespace
}  // namespace retention::config_value_test
