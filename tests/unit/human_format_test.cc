// What a person reads: IEC sizes one way, counts with separators, durations
// in at most two adjacent units, and times relative to now.
#include "base/human_format.h"

#include <catch2/catch.hpp>

namespace retention::human_format_test {
namespace {

using std::chrono::hours;
using std::chrono::minutes;
using std::chrono::seconds;

TEST_CASE("sizes read in IEC units, one decimal below ten") {
  CHECK(HumanBytes(0) == "0 B");
  CHECK(HumanBytes(18) == "18 B");
  CHECK(HumanBytes(1023) == "1023 B");
  CHECK(HumanBytes(1024) == "1.0 KiB");
  CHECK(HumanBytes(4 << 20) == "4.0 MiB");
  CHECK(HumanBytes((4 << 20) - 1) == "3.9 MiB");  // never more than there is
  CHECK(HumanBytes(830464) == "811 KiB");
  CHECK(HumanBytes(200ull << 20) == "200 MiB");
  CHECK(HumanBytes(1288490189ull) == "1.2 GiB");
  CHECK(HumanBytes(3ull << 50) == "3.0 PiB");
}

TEST_CASE("counts carry thousands separators and a noun") {
  CHECK(HumanCount(0) == "0");
  CHECK(HumanCount(999) == "999");
  CHECK(HumanCount(10000) == "10,000");
  CHECK(HumanCount(1234567) == "1,234,567");
  CHECK(HumanCountOf(1, "file") == "1 file");
  CHECK(HumanCountOf(41, "row") == "41 rows");
  CHECK(HumanCountOf(2, "") == "2 items");
}

TEST_CASE("durations show their two largest adjacent units") {
  CHECK(HumanDuration(seconds(0)) == "0s");
  CHECK(HumanDuration(std::chrono::milliseconds(250)) == "250ms");
  CHECK(HumanDuration(seconds(18)) == "18s");
  CHECK(HumanDuration(minutes(62) + seconds(5)) == "1h2m");
  CHECK(HumanDuration(hours(76)) == "3d4h");
  CHECK(HumanDuration(seconds(34490878)) == "1y34d");
  // Never "1y3s": the second unit is the one below the first.
  CHECK(HumanDuration(hours(24 * 365) + seconds(3)) == "1y");
  CHECK(HumanDuration(-minutes(3)) == "-3m");
}

TEST_CASE("times read relative to now") {
  const WallTime now = FromUnixSeconds(1800000000);
  CHECK(HumanRelative(now + seconds(18), now) == "in 18s");
  CHECK(HumanRelative(now - minutes(3), now) == "3m ago");
  CHECK(HumanRelative(now - hours(26), now) == "1d2h ago");
  CHECK(HumanRelative(now, now) == "now");
}

}  // namespace
}  // namespace retention::human_format_test
