#include <time.h>

#include <fstream>
#include <thread>

#include "base/clock.h"

namespace retention {
namespace {

Duration ReadClock(clockid_t id) {
  struct timespec ts;
  // clock_gettime cannot fail for these clock ids on Linux.
  clock_gettime(id, &ts);
  return std::chrono::seconds(ts.tv_sec) + std::chrono::nanoseconds(ts.tv_nsec);
}

}  // namespace

PosixClock::PosixClock() {
  std::ifstream in("/proc/sys/kernel/random/boot_id");
  std::getline(in, boot_id_);
  // Without /proc the boot id stays empty: jump checks then treat every
  // start as a new boot, which is the conservative reading.
}

WallTime PosixClock::Now() const { return WallTime(ReadClock(CLOCK_REALTIME)); }

Duration PosixClock::BootNow() const { return ReadClock(CLOCK_BOOTTIME); }

void PosixClock::Sleep(Duration d) const { std::this_thread::sleep_for(d); }

int64_t ToUnixSeconds(WallTime t) {
  return std::chrono::duration_cast<std::chrono::seconds>(t.time_since_epoch())
      .count();
}

WallTime FromUnixSeconds(int64_t s) {
  return WallTime(std::chrono::seconds(s));
}

std::string FormatIso8601(WallTime t) {
  time_t secs = static_cast<time_t>(ToUnixSeconds(t));
  struct tm tm;
  gmtime_r(&secs, &tm);
  char buf[32];
  strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%SZ", &tm);
  return buf;
}

}  // namespace retention
