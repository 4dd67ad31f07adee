// Membership in a log set: live files, archives and temps by directory.
#include "kinds/logs/logs_set.h"

#include <catch2/catch.hpp>

namespace retention::logs_set_test {
namespace {

const WallTime kT = FromUnixSeconds(1795455270);  // 2026-11-23T17:34:30Z

LogsRule Rule(std::vector<std::string> paths, std::string archive_dir = "",
              ArchiveNaming naming = ArchiveNaming::kTimestamp) {
  LogsRule r;
  r.policy = "logs.app";
  r.paths = std::move(paths);
  r.archive_dir = std::move(archive_dir);
  r.naming = naming;
  return r;
}

TEST_CASE("a glob's own archives and temps are never live files") {
  const LogsRule r = Rule({"/var/log/app/*"});
  const std::string archive =
      FormatArchiveName("access.log", kT, 0, Compression::kZstd);
  CHECK(IsLiveFile(r, "/var/log/app", "access.log"));
  CHECK(IsLiveFile(r, "/var/log/app", "access.log.1"));  // timestamp naming
  CHECK_FALSE(IsLiveFile(r, "/var/log/app", archive));
  CHECK_FALSE(IsLiveFile(r, "/var/log/app", TempNameFor(archive)));
  CHECK_FALSE(IsLiveFile(r, "/var/log/app", "access.log.rtd-tmp"));
  CHECK_FALSE(IsLiveFile(r, "/var/log/app", ".hidden"));
  CHECK_FALSE(IsLiveFile(r, "/var/log", "access.log"));

  const LogsRule numbered =
      Rule({"/var/log/app/*"}, "", ArchiveNaming::kNumbered);
  CHECK_FALSE(IsLiveFile(numbered, "/var/log/app", "access.log.1"));
  CHECK(IsLiveFile(numbered, "/var/log/app", "access.log"));
}

TEST_CASE("archives belong to the set in their archive directory only") {
  const LogsRule beside = Rule({"/var/log/app/access.log"});
  const std::string name =
      FormatArchiveName("access.log", kT, 0, Compression::kGzip);
  auto a = ArchiveOfSet(beside, "/var/log/app", name);
  REQUIRE(a);
  CHECK(a->live == "access.log");
  CHECK_FALSE(ArchiveOfSet(beside, "/var/log/old", name));
  CHECK_FALSE(
      ArchiveOfSet(beside, "/var/log/app",
                   FormatArchiveName("error.log", kT, 0, Compression::kGzip)));
  CHECK_FALSE(ArchiveOfSet(beside, "/var/log/app", "access.log.bak"));

  const LogsRule away = Rule({"/var/log/app/*.log"}, "/var/log/old");
  CHECK(ArchiveOfSet(away, "/var/log/old", name));
  CHECK_FALSE(ArchiveOfSet(away, "/var/log/app", name));
  CHECK(SetDirectories(away) ==
        std::vector<std::string>{"/var/log/app", "/var/log/old"});
  CHECK(SetDirectories(beside) == std::vector<std::string>{"/var/log/app"});
}

TEST_CASE("temps of archives and of a new live file belong to the set") {
  const LogsRule r = Rule({"/var/log/app/access.log"});
  auto archive_temp = ArchiveOfSet(
      r, "/var/log/app",
      TempNameFor(FormatArchiveName("access.log", kT, 0, Compression::kZstd)));
  REQUIRE(archive_temp);
  CHECK(archive_temp->temp);
  auto live_temp = ArchiveOfSet(r, "/var/log/app", "access.log.rtd-tmp");
  REQUIRE(live_temp);
  CHECK(live_temp->temp);
  CHECK(live_temp->live == "access.log");
  CHECK_FALSE(ArchiveOfSet(r, "/var/log/app", "error.log.rtd-tmp"));
  CHECK_FALSE(ArchiveOfSet(r, "/var/log/other", "access.log.rtd-tmp"));
}

}  // namespace
}  // namespace retention::logs_set_test
