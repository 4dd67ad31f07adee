// WriteRate and RotationLead: the estimate behind rotating before the cap.
#include "core/write_rate.h"

#include <catch2/catch.hpp>

namespace retention::write_rate_test {
namespace {

using std::chrono::milliseconds;
using std::chrono::seconds;

TEST_CASE("a write rate is measured between samples and smoothed") {
  WriteRate rate;
  CHECK(rate.bytes_per_second() == 0);
  rate.Observe(seconds(10), 1000);
  CHECK(rate.bytes_per_second() == 0);  // one sample says nothing
  rate.Observe(seconds(11), 101000);
  CHECK(rate.bytes_per_second() == Approx(100000));
  rate.Observe(seconds(12), 401000);  // 300000/s: weighs one half
  CHECK(rate.bytes_per_second() == Approx(200000));
}

TEST_CASE("samples closer than the minimum interval wait for the next") {
  WriteRate rate;
  rate.Observe(milliseconds(0), 0);
  rate.Observe(milliseconds(1), 5000);  // 1 ms later: ignored
  CHECK(rate.bytes_per_second() == 0);
  rate.Observe(milliseconds(20), 10000);
  CHECK(rate.bytes_per_second() == Approx(500000));
}

TEST_CASE("a file that shrank restarts the measurement, keeping the rate") {
  WriteRate rate;
  rate.Observe(seconds(1), 0);
  rate.Observe(seconds(2), 1000);
  rate.Observe(seconds(3), 10);  // rotated
  CHECK(rate.bytes_per_second() == Approx(1000));
  rate.Observe(seconds(4), 3010);
  CHECK(rate.bytes_per_second() == Approx(2000));
}

TEST_CASE("the rotation lead is rate times rotation time, at most half") {
  CHECK(RotationLead(100e6, milliseconds(400), 200 << 20) == 40000000);
  CHECK(RotationLead(0, seconds(1), 1000) == 0);
  // Or at most what the caller allows, never over the cap.
  CHECK(RotationLead(100e6, seconds(10), 1000, 750) == 750);
  CHECK(RotationLead(100e6, seconds(10), 1000, 5000) == 1000);
  CHECK(RotationLead(1e12, seconds(1), 1000) == 500);
}

}  // namespace
}  // namespace retention::write_rate_test
