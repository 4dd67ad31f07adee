// The truncate method on real files with real writer processes: collapse
// under a busy O_APPEND writer, the copy+truncate fallback on tmpfs, writers
// without O_APPEND, and hostile names. Crash recovery is in
// log_rotation_crash_test.cc, the reopen method in log_reopen_test.cc.
#include "kinds/logs/log_rotation.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <sys/statvfs.h>
#include <unistd.h>

#include <catch2/catch.hpp>
#include <fstream>

#include "kinds/logs/rotation_intent.h"
#include "os/file_posix.h"
#include "os/log_writer.h"
#include "os/rotation_env.h"

namespace retention::log_rotation_test {
namespace {

using Catch::Matchers::Contains;
using Code = Status::Code;

void WriteLines(const std::string& path, uint64_t from, uint64_t to) {
  std::ofstream out(path, std::ios::binary | std::ios::app);
  for (uint64_t n = from; n < to; ++n) out << LogLine(n);
}

// No intent, no temp: nothing a rotation left behind.
void CheckNoSideFiles(RotationEnv& env, const std::string& live) {
  CHECK_FALSE(env.fs().StatAt(env.logs(), IntentName(live)).ok());
  CHECK_FALSE(env.fs().StatAt(env.logs(), NewCarryName(live)).ok());
  for (const std::string& name : env.ArchiveNames()) {
    CHECK_THAT(name, !Catch::Matchers::EndsWith(".rtd-tmp"));
  }
}

TEST_CASE("collapse rotations lose and duplicate no line of a busy writer",
          "[rotation]") {
  RotationEnv env;
  if (!env.CollapseWorks()) {
    WARN("skipped: " << env.Base() << " does not collapse ranges");
    return;
  }
  LineWriter writer(env.Log("app.log"));
  int rotations = 0;
  uint64_t moved = 0;
  while (rotations < 100) {
    FileInfo info = env.StatLog("app.log");
    if (info.size < 64 * 1024) continue;
    StatusOr<RotationResult> r = RotateByCollapse(
        env.logs(), "app.log", env.archive(), TestArchiveName(rotations), info);
    INFO(r.status().ToString());
    REQUIRE(r.ok());
    CHECK(r->lossless);
    CHECK(r->warnings.empty());
    CHECK(r->bytes > 0);
    CHECK(RotationEnv::LastByte(env.Archived(TestArchiveName(rotations))) ==
          '\n');
    CHECK(r->bytes < info.size + 64 * 1024 * 1024);
    moved += r->bytes;
    ++rotations;
  }
  const int64_t written = writer.Stop();
  REQUIRE(written > 0);
  // The cut is block-aligned; the fragment after the last whole line went
  // to the carry and opened the next archive.
  CHECK(env.AllLinesOnce("app.log", written) == "");
  CheckNoSideFiles(env, "app.log");
  WARN("collapse: " << rotations << " rotations, " << written << " lines, "
                    << moved << " bytes archived");
}

TEST_CASE("collapse moves whole blocks and leaves at least one byte behind",
          "[rotation]") {
  RotationEnv env;
  if (!env.CollapseWorks()) {
    WARN("skipped: " << env.Base() << " does not collapse ranges");
    return;
  }
  const std::string path = env.Log("app.log");
  std::string data(3 * 4096, 'a');
  for (size_t i = 0; i < data.size(); ++i) data[i] = 'a' + i % 26;
  SECTION("one block: nothing to move") {
    std::ofstream(path, std::ios::binary) << data.substr(0, 4096);
    StatusOr<RotationResult> r = RotateByCollapse(
        env.logs(), "app.log", env.archive(), "a.1", env.StatLog("app.log"));
    REQUIRE(r.ok());
    CHECK(r->bytes == 0);
    CHECK(env.ArchiveNames().empty());
    CHECK(RotationEnv::Contents(path) == data.substr(0, 4096));
  }
  SECTION("exactly three blocks: two move") {
    std::ofstream(path, std::ios::binary) << data;
    StatusOr<RotationResult> r = RotateByCollapse(
        env.logs(), "app.log", env.archive(), "a.1", env.StatLog("app.log"));
    REQUIRE(r.ok());
    CHECK(r->bytes == 8192);
    CHECK(RotationEnv::Contents(env.Archived("a.1")) == data.substr(0, 8192));
    CHECK(RotationEnv::Contents(path) == data.substr(8192));
  }
  CheckNoSideFiles(env, "app.log");
}

TEST_CASE("a collapse archive ends at its last whole line, the next opens "
          "with the rest",
          "[rotation]") {
  RotationEnv env;
  if (!env.CollapseWorks()) {
    WARN("skipped: " << env.Base() << " does not collapse ranges");
    return;
  }
  const std::string path = env.Log("app.log");
  WriteLines(path, 0, 3000);
  const std::string before = RotationEnv::Contents(path);
  StatusOr<RotationResult> r = RotateByCollapse(
      env.logs(), "app.log", env.archive(), "a.1", env.StatLog("app.log"));
  REQUIRE(r.ok());
  const std::string first = RotationEnv::Contents(env.Archived("a.1"));
  const std::string carry = RotationEnv::Contents(env.Log(CarryName("app.log")));
  CHECK(r->bytes == first.size());
  CHECK(first.back() == '\n');
  CHECK_FALSE(carry.empty());  // 3000 lines end in no block boundary
  CHECK(carry.find('\n') == std::string::npos);
  CHECK(first + carry + RotationEnv::Contents(path) == before);
  WriteLines(path, 3000, 6000);
  r = RotateByCollapse(env.logs(), "app.log", env.archive(), "a.2",
                       env.StatLog("app.log"));
  REQUIRE(r.ok());
  const std::string second = RotationEnv::Contents(env.Archived("a.2"));
  CHECK(second.substr(0, carry.size()) == carry);
  CHECK(env.ArchivesOfWholeLines() == "");
  uint64_t lines = 0;
  CHECK(CheckLines(env.Concatenated("app.log"), &lines) == "");
  CHECK(lines == 6000);
  CheckNoSideFiles(env, "app.log");
}

TEST_CASE("the archive gets the live file's mode and owner", "[rotation]") {
  RotationEnv env;
  const std::string path = env.Log("app.log");
  WriteLines(path, 0, 2000);
  REQUIRE(chown(path.c_str(), 1234, 5678) == 0);
  REQUIRE(chmod(path.c_str(), 0640) == 0);
  StatusOr<RotationResult> r = RotateByCollapse(
      env.logs(), "app.log", env.archive(), "a.1", env.StatLog("app.log"));
  REQUIRE(r.ok());
  struct stat st;
  REQUIRE(stat(env.Archived("a.1").c_str(), &st) == 0);
  CHECK((st.st_mode & 07777) == 0640);
  CHECK(st.st_uid == 1234u);
  CHECK(st.st_gid == 5678u);
}

TEST_CASE("where collapse is refused, copy and truncate runs and says so",
          "[rotation]") {
  RotationEnv env(/*tmpfs=*/true);
  if (!env.mounted()) {
    WARN("skipped: cannot mount a tmpfs here");
    return;
  }
  SECTION("an idle file moves whole") {
    WriteLines(env.Log("app.log"), 0, 10000);
    StatusOr<RotationResult> r = RotateByCollapse(
        env.logs(), "app.log", env.archive(), "a.1", env.StatLog("app.log"));
    INFO(r.status().ToString());
    REQUIRE(r.ok());
    CHECK_FALSE(r->lossless);
    CHECK(r->bytes_at_risk == 0);
    REQUIRE(r->warnings.size() == 1);
    CHECK_THAT(r->warnings[0], Contains("does not collapse"));
    CHECK(RotationEnv::Contents(env.Log("app.log")).empty());
    uint64_t lines = 0;
    CHECK(CheckLines(env.Concatenated("app.log"), &lines) == "");
    CHECK(lines == 10000);
  }
  SECTION("a busy writer loses lines only in the counted window") {
    LineWriter writer(env.Log("app.log"));
    uint64_t at_risk = 0;
    for (int i = 0; i < 20;) {
      FileInfo info = env.StatLog("app.log");
      if (info.size < 64 * 1024) continue;
      StatusOr<RotationResult> r = RotateByCollapse(
          env.logs(), "app.log", env.archive(), TestArchiveName(i++), info);
      INFO(r.status().ToString());
      REQUIRE(r.ok());
      CHECK_FALSE(r->lossless);
      CHECK_FALSE(r->warnings.empty());
      at_risk += r->bytes_at_risk;
    }
    const int64_t written = writer.Stop();
    uint64_t lines = 0;
    int64_t last = -1;
    CHECK(CheckLossyPieces(env.Pieces("app.log"), &lines, &last) == "");
    CHECK(last == written - 1);
    WARN("copy+truncate fallback: 20 rotations, "
         << written - static_cast<int64_t>(lines) << " of " << written
         << " lines lost, " << at_risk << " bytes reported at risk");
  }
  CheckNoSideFiles(env, "app.log");
}

TEST_CASE("a rotation without room for its archive changes nothing",
          "[rotation]") {
  using Backing = RotationEnv::Backing;
  for (Backing backing : {Backing::kSmallExt4, Backing::kSmallTmpfs}) {
    RotationEnv env(backing);
    if (!env.mounted()) {
      WARN("skipped: cannot mount a small filesystem here");
      continue;
    }
    // Grow the log until its copy cannot fit beside it any more.
    const std::string path = env.Log("app.log");
    uint64_t lines = 0;
    struct statvfs vfs;
    do {
      WriteLines(path, lines, lines + 10000);
      lines += 10000;
      REQUIRE(statvfs(path.c_str(), &vfs) == 0);
    } while (vfs.f_bavail * vfs.f_frsize > env.StatLog("app.log").size / 2);
    const std::string before = RotationEnv::Contents(path);
    StatusOr<RotationResult> r = RotateByCollapse(
        env.logs(), "app.log", env.archive(), "a.1", env.StatLog("app.log"));
    INFO(r.status().ToString());
    CHECK(r.status().code() == Code::kNoSpace);
    CHECK(RotationEnv::Contents(path) == before);
    CHECK(env.ArchiveNames().empty());
    CheckNoSideFiles(env, "app.log");
  }
}

TEST_CASE("writers without O_APPEND are named, readers and appenders not",
          "[rotation]") {
  RotationEnv env;
  const std::string path = env.Log("app.log");
  WriteLines(path, 0, 2000);
  const FileInfo info = env.StatLog("app.log");
  Holder overwriting(path, O_WRONLY);
  Holder appending(path, O_WRONLY | O_APPEND);
  Holder reading(path, O_RDONLY);
  Holder both(path, O_RDWR);
  REQUIRE((overwriting.ok() && appending.ok() && reading.ok() && both.ok()));

  StatusOr<std::vector<int>> pids = posix::NonAppendWriters(info);
  REQUIRE(pids.ok());
  std::vector<int> want = {overwriting.pid(), both.pid()};
  std::sort(want.begin(), want.end());
  CHECK(*pids == want);

  StatusOr<RotationResult> r =
      RotateByCollapse(env.logs(), "app.log", env.archive(), "a.1", info);
  REQUIRE(r.ok());
  bool named = false;
  for (const std::string& w : r->warnings) {
    named |= w.find("writer pid " + std::to_string(overwriting.pid()) +
                    " does not use O_APPEND") != std::string::npos;
  }
  CHECK(named);

  StatusOr<std::vector<int>> writers = posix::VisibleWriters(info);
  REQUIRE(writers.ok());
  want.push_back(appending.pid());
  std::sort(want.begin(), want.end());
  CHECK(*writers == want);
  for (Holder* h : {&overwriting, &appending, &reading, &both}) h->Stop();
  writers = posix::VisibleWriters(info);
  REQUIRE(writers.ok());
  CHECK(writers->empty());
}

TEST_CASE("a hole a writer without O_APPEND left is reported, nothing else",
          "[rotation]") {
  RotationEnv env;
  const std::string path = env.Log("app.log");
  WriteLines(path, 0, 2000);
  bool hole = false;
  SECTION("an appended file has no hole") {}
  SECTION("a write past the end after a truncation leaves one") {
    // As a writer at offset `end` does once the file was cut shorter.
    const off_t end = static_cast<off_t>(env.StatLog("app.log").size);
    int fd = open(path.c_str(), O_WRONLY | O_CLOEXEC);
    REQUIRE(fd >= 0);
    const std::string line = LogLine(2000);
    CHECK(pwrite(fd, line.data(), line.size(), end + 8 * 4096) ==
          static_cast<ssize_t>(line.size()));
    close(fd);
    hole = true;
  }
  StatusOr<RotationResult> r = RotateByCollapse(
      env.logs(), "app.log", env.archive(), "a.1", env.StatLog("app.log"));
  REQUIRE(r.ok());
  bool reported = false;  // the hole is in the head: punched, said so
  for (const std::string& w : r->warnings) {
    reported |= w.find("written without O_APPEND") != std::string::npos;
  }
  CHECK((reported && r->punched) == hole);
}

TEST_CASE("hostile names and stale views rotate nothing", "[rotation]") {
  RotationEnv env;
  const std::string path = env.Log("app.log");
  WriteLines(path, 0, 2000);
  const std::string before = RotationEnv::Contents(path);
  FileInfo info = env.StatLog("app.log");
  Code want = Code::kOk;
  std::string live = "app.log";
  std::string archive = "a.1";

  SECTION("the live name is a symlink") {
    REQUIRE(rename(path.c_str(), env.Log("real.log").c_str()) == 0);
    REQUIRE(symlink("real.log", path.c_str()) == 0);
    info = env.StatLog("app.log");
    want = Code::kUnsafe;
  }
  SECTION("the live name is a FIFO") {
    REQUIRE(mkfifo(env.Log("fifo").c_str(), 0600) == 0);
    live = "fifo";
    info = env.StatLog("fifo");
    want = Code::kUnsafe;
  }
  SECTION("the archive name exists") {
    std::ofstream(env.Archived("a.1")) << "older archive";
    want = Code::kBusy;
  }
  SECTION("the live file was replaced since it was examined") {
    WriteLines(env.Log("new.log"), 0, 2000);
    REQUIRE(rename(env.Log("new.log").c_str(), path.c_str()) == 0);
    want = Code::kUnsafe;
  }
  SECTION("an interrupted rotation is pending") {
    std::ofstream(env.Log(".app.log.rtd-rotate")) << "x";
    want = Code::kFailedPrecondition;
  }
  SECTION("a name holds a newline") {
    archive = "a\n1";
    want = Code::kInvalidArgument;
  }
  const auto names = env.ArchiveNames();
  StatusOr<RotationResult> r =
      RotateByCollapse(env.logs(), live, env.archive(), archive, info);
  CHECK(r.status().code() == want);
  r = RotateByRename(env.logs(), live, env.archive(), archive, info, {});
  CHECK(r.status().code() == want);
  CHECK(env.ArchiveNames() == names);
  CHECK(RotationEnv::Contents(path) == before);
  // A pending intent or a temp planted by the test stay, untouched.
  if (want != Code::kFailedPrecondition && names.empty()) {
    CheckNoSideFiles(env, live);
  }
}

// Issue 15.10: a symlink planted at the temp name (the fixed ARCHIVE.rtd-tmp
// of old) stalled the log set; the temp now has a random token, so nothing
// planted can take its name, and the planted entry is left alone.
TEST_CASE("an entry planted at a temp name does not stop a rotation",
          "[rotation]") {
  RotationEnv env;
  const std::string path = env.Log("app.log");
  WriteLines(path, 0, 2000);
  const std::string before = RotationEnv::Contents(path);
  const bool symlink_planted = GENERATE(true, false);
  const bool by_rename = GENERATE(true, false);
  INFO((symlink_planted ? "symlink" : "file")
       << " planted; " << (by_rename ? "rename" : "cut"));
  if (symlink_planted) {
    REQUIRE(symlink("/etc/passwd", env.Archived("a.1.rtd-tmp").c_str()) == 0);
  } else {
    std::ofstream(env.Archived("a.1.rtd-tmp")) << "someone's";
  }
  std::vector<std::string> temps;  // what the rotation wrote first
  RotationStepHook hook = [&](RotationStep step) {
    if (step != RotationStep::kArchiveWritten) return;
    for (const std::string& name : env.ArchiveNames()) {
      if (name != "a.1.rtd-tmp") temps.push_back(name);
    }
  };
  const FileInfo info = env.StatLog("app.log");
  StatusOr<RotationResult> r =
      by_rename ? RotateByRename(env.logs(), "app.log", env.archive(), "a.1",
                                 info, {})
                : RotateByCollapse(env.logs(), "app.log", env.archive(), "a.1",
                                   info, hook);
  INFO(r.status().ToString());
  REQUIRE(r.ok());
  CHECK(RotationEnv::Contents(env.Archived("a.1")) +
            RotationEnv::Contents(env.Log(".app.log.rtd-carry")) +
            RotationEnv::Contents(path) ==
        before);
  CHECK(env.ArchiveNames() == std::vector<std::string>{"a.1", "a.1.rtd-tmp"});
  if (symlink_planted) {
    CHECK(std::filesystem::is_symlink(env.Archived("a.1.rtd-tmp")));
  } else {
    CHECK(RotationEnv::Contents(env.Archived("a.1.rtd-tmp")) == "someone's");
  }
  if (!by_rename) {
    REQUIRE(temps.size() == 1);
    CHECK_THAT(temps[0],
               Catch::Matchers::Matches("a\\.1\\.[a-z]{12}\\.rtd-tmp"));
  }
  CHECK_FALSE(env.fs().StatAt(env.logs(), IntentName("app.log")).ok());
}

}  // namespace
}  // namespace retention::log_rotation_test
