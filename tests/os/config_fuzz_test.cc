// Random hostile configurations: NUL and other control bytes, invalid UTF-8,
// huge lines, many keys. Loading never crashes, reports a bounded number of
// errors, and every error is printable text; `retentiond --check-config` on
// the worst case the limits allow stays under 64 MB of peak RSS.
#include <catch2/catch.hpp>
#include <cstdio>
#include <fstream>
#include <random>
#include <string>

#include "base/escape.h"
#include "config/config.h"
#include "config/kind_registry.h"
#include "temp_dir.h"

namespace retention::config_fuzz_test {
namespace {

const char* const kPieces[] = {
    "[daemon]\n",
    "[files.x]\n",
    "[rows.y]\n",
    "[logs.",
    "root = /data\n",
    "max_age = 30d\n",
    "paths = /var/log/a.log\n",
    "state_dir = /s\n",
    "every = 1m\n",
    "= =\n",
    "[",
    "]",
    "\n",
    " ",
    "#",
    ";",
    "\r\n",
    "\t",
    "max_total_size = 0.0000001K\n",
    "brake_min_items = -1\n",
};

// One random configuration of up to ~`budget` bytes built from hostile
// pieces.
std::string RandomConfig(std::mt19937& rng, size_t budget) {
  std::string out;
  std::uniform_int_distribution<int> kind(0, 9);
  while (out.size() < budget) {
    switch (kind(rng)) {
      case 0:
        out.push_back('\0');
        break;
      case 1:
        out.push_back(static_cast<char>(0x80 + rng() % 0x80));  // not UTF-8
        break;
      case 2:
        out.push_back(static_cast<char>(rng() % 0x20));  // control bytes
        break;
      case 3:
        out += "k" + std::to_string(rng() % 100000) + " = v\n";  // many keys
        break;
      case 4:
        out += "root = /" + std::string(rng() % 70000, 'a') + "\n";  // huge
        break;
      default:
        out += kPieces[rng() % (sizeof kPieces / sizeof kPieces[0])];
    }
  }
  return out;
}

TEST_CASE("random hostile configurations load with bounded, printable errors",
          "[config][fuzz]") {
  const KindRegistry registry = BuiltinRegistry();
  std::mt19937 rng(20261204);
  for (int round = 0; round < 300; ++round) {
    const std::string text = RandomConfig(rng, 1 + rng() % 200000);
    Config config;
    std::vector<ConfigError> errors;
    const bool ok =
        LoadConfigFromString("/etc/f.conf", text, registry, &config, &errors);
    INFO("round " << round);
    if (ok) continue;
    CHECK(errors.size() <= kMaxConfigErrors + 1);
    for (const ConfigError& e : errors) {
      const std::string line = e.ToString();
      CHECK(line.size() < 1000);
      CHECK(IsValidUtf8(line));
      for (unsigned char c : line) {
        if (c < 0x20 || c == 0x7f) FAIL("control byte in: " << line);
      }
    }
  }
}

// Peak resident memory (KiB) of `retentiond --check-config path`, from the
// kernel's accounting of the reaped child (its VmHWM, as ru_maxrss), forked
// by a python3 in between: a child's peak counts the memory of the process
// it was forked from (its copy is accounted as it execs), and this process
// may be large (every case of the binary in one process, under ASan).
long CheckConfigPeakKib(const std::string& path, int* exit_code) {
  const std::string command =
      "python3 -c '"
      "import os, sys\n"
      "pid = os.fork()\n"
      "if pid == 0:\n"
      "    null = os.open(\"/dev/null\", os.O_WRONLY)\n"
      "    os.dup2(null, 1)\n"
      "    os.dup2(null, 2)\n"
      "    os.execv(sys.argv[1], sys.argv[1:])\n"
      "_, status, usage = os.wait4(pid, 0)\n"
      "print(os.waitstatus_to_exitcode(status), usage.ru_maxrss)' " +
      std::string(RETENTIOND_BIN) + " --check-config " + path;
  FILE* out = popen(command.c_str(), "r");
  REQUIRE(out != nullptr);
  long peak = -1;
  const int read = std::fscanf(out, "%d %ld", exit_code, &peak);
  REQUIRE(pclose(out) == 0);
  REQUIRE(read == 2);
  return peak;
}

// AddressSanitizer's shadow memory and quarantine count in the child's peak
// RSS: the bound is the plain build's; a sanitized build gets four times it.
#if defined(__SANITIZE_ADDRESS__)
constexpr long kPeakKib = 4 * 64 * 1024;
#else
constexpr long kPeakKib = 64 * 1024;
#endif

TEST_CASE("check-config on the largest configuration stays under 64 MB",
          "[config][fuzz]") {
  TempDir tmp;
  // The worst the limits allow: the main file and drop-ins up to 4 MiB in
  // all, every line a distinct unknown key or a long bad value.
  const std::string main = tmp.File("r.conf");
  auto write = [](const std::string& path, size_t start) {
    std::ofstream out(path);
    std::string text = "[files.x" + std::to_string(start) + "]\n";
    for (size_t i = start; text.size() < kMaxConfigFileBytes - 200; ++i) {
      text += i % 50 == 0 ? "max_age = " + std::string(1000, '\xff') + "\n"
                          : "unknown_key_" + std::to_string(i) + " = v\n";
    }
    out << text;
  };
  write(main, 0);
  REQUIRE(mkdir(tmp.File("r.conf.d").c_str(), 0700) == 0);
  for (int i = 0; i < 4; ++i) {
    write(tmp.File("r.conf.d/" + std::to_string(i) + ".conf"),
          (i + 1) * 1000000);
  }
  int code = 0;
  const long peak = CheckConfigPeakKib(main, &code);
  std::printf(
      "retentiond --check-config on 5 files of ~1 MiB: exit %d, "
      "peak RSS %ld KiB\n",
      code, peak);
  CHECK(code == 78);
  CHECK(peak < kPeakKib);
  // And one file past the limit is refused before it is parsed.
  std::ofstream(main) << std::string(16 << 20, 'k');
  const long big = CheckConfigPeakKib(main, &code);
  std::printf(
      "retentiond --check-config on a 16 MiB file: exit %d, "
      "peak RSS %ld KiB\n",
      code, big);
  CHECK(code == 78);
  CHECK(big < kPeakKib);
}

}  // namespace
}  // namespace retention::config_fuzz_test
