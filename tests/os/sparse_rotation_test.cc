// method truncate under a writer without O_APPEND (LineWriter(path,
// append=false)): its offset runs past every cut, so a collapse would only
// make a hole again. From the first rotation that finds a hole in the head,
// the head is copied without it and punched out in place: over many
// rotations the live file's disk use stays bounded, no archive holds a NUL
// byte, every line is kept once and in order, and the rotation says the
// same single sentence each time (the policy logs it once).
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <set>
#include <catch2/catch.hpp>

#include "kinds/logs/log_rotation.h"
#include "kinds/logs/rotation_intent.h"
#include "os/log_writer.h"
#include "os/rotation_env.h"

namespace retention::sparse_rotation_test {
namespace {

constexpr uint64_t kCap = 256 * 1024;

std::string TestArchiveName(int i) {
  char name[32];
  snprintf(name, sizeof name, "a.%04d", i);
  return name;
}

uint64_t DiskBytes(const std::string& path) {
  struct stat st;
  REQUIRE(stat(path.c_str(), &st) == 0);
  return static_cast<uint64_t>(st.st_blocks) * 512;
}

std::string WithoutNul(std::string s) {
  s.erase(std::remove(s.begin(), s.end(), '\0'), s.end());
  return s;
}

TEST_CASE("a writer without O_APPEND gets its head punched out, not a hole "
          "without end",
          "[rotation]") {
  RotationEnv env;
  const std::string live = env.Log("app.log");
  LineWriter writer(live, /*append=*/false);
  int rotations = 0, punched = 0;
  uint64_t most_on_disk = 0;
  std::set<std::string> said;
  while (rotations < 40) {
    // The written size, as the watcher and the planner count it.
    const FileInfo info = env.StatLog("app.log");
    most_on_disk = std::max(most_on_disk, DiskBytes(live));
    if (std::min(info.size, info.blocks * 512) < kCap) continue;
    StatusOr<RotationResult> r = RotateByCollapse(
        env.logs(), "app.log", env.archive(), TestArchiveName(rotations), info);
    INFO(r.status().ToString());
    REQUIRE(r.ok());
    if (r->punched) {
      ++punched;
      for (const std::string& w : r->warnings) said.insert(w);
    }
    ++rotations;
  }
  const int64_t written = writer.Stop();
  REQUIRE(written > 0);
  // The first collapse made the hole; every later rotation punched.
  CHECK(punched >= rotations - 2);
  CHECK(said.size() == 1);
  CHECK_THAT(*said.begin(), Catch::Matchers::Contains("without O_APPEND"));
  // Bounded: a few caps at most (the writer, unpaced, runs on while a
  // rotation copies: on a loaded machine, more), far from what it wrote,
  // which a file whose head is never freed would hold; its apparent size
  // grew with every rotation.
  const uint64_t apparent = env.StatLog("app.log").size;
  CHECK(apparent > 20 * kCap);
  CHECK(most_on_disk < std::max<uint64_t>(8 * kCap, apparent / 4));
  std::string all;
  for (const std::string& name : env.ArchiveNames()) {
    const std::string data = RotationEnv::Contents(env.Archived(name));
    INFO(name);
    CHECK(data.find('\0') == std::string::npos);
    all += data;
  }
  CHECK(env.ArchivesOfWholeLines() == "");
  all += RotationEnv::Contents(env.Log(CarryName("app.log")));
  all += WithoutNul(RotationEnv::Contents(live));
  uint64_t lines = 0;
  CHECK(CheckLines(all, &lines) == "");
  CHECK(lines == static_cast<uint64_t>(written));
}

}  // namespace
}  // namespace retention::sparse_rotation_test
