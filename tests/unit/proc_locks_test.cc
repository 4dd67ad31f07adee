// ParseProcLocks: the inode numbers of /proc/locks as proc(5) and the
// kernel's fs/locks.c print it, and a refusal of anything else.
#include "os/proc_locks.h"

#include <catch2/catch.hpp>

namespace retention::proc_locks_test {
namespace {

using Inodes = std::vector<uint64_t>;

TEST_CASE("the lock table's inodes are read in decimal, sorted, once each") {
  auto inodes = ParseProcLocks(
      "1: POSIX  ADVISORY  READ  5433 08:0f:11450 128 128\n"
      "2: FLOCK  ADVISORY  WRITE 2001 08:0f:11463 0 EOF\n"
      "3: FLOCK  ADVISORY  WRITE 1568 00:2f:32388 0 EOF\n"
      "4: POSIX  ADVISORY  WRITE 699 00:16:28457 0 EOF\n"
      "5: OFDLCK ADVISORY  READ  -1 fe:00:11463 1826 2335\n");
  REQUIRE(inodes.ok());
  CHECK(*inodes == Inodes{11450, 11463, 28457, 32388});
}

TEST_CASE("blocked waiters, leases and delegations name their inodes too") {
  auto inodes = ParseProcLocks(
      "1: FLOCK  ADVISORY  WRITE 100 fe:00:12417952 0 EOF\n"
      "1: -> FLOCK  ADVISORY  WRITE 101 fe:00:12417952 0 EOF\n"
      "1:  -> FLOCK  ADVISORY  WRITE 102 fe:00:12417952 0 EOF\n"
      "2: LEASE  ACTIVE    READ  300 00:1a:77 0 EOF\n"
      "3: LEASE  BREAKING  READ  301 00:1a:78 0 EOF\n"
      "4: DELEG  ACTIVE    READ  302 103:02:18446744073709551615 0 EOF\n");
  REQUIRE(inodes.ok());
  CHECK(*inodes == Inodes{77, 78, 12417952, uint64_t{18446744073709551615u}});
}

TEST_CASE("an empty lock table names no inode; a lock on no inode is skipped") {
  CHECK(ParseProcLocks("")->empty());
  CHECK(ParseProcLocks("\n")->empty());
  auto inodes = ParseProcLocks("1: POSIX  ADVISORY  WRITE 9 <none>:0 0 EOF\n");
  REQUIRE(inodes.ok());
  CHECK(inodes->empty());
}

TEST_CASE("a last line without its newline counts") {
  auto inodes = ParseProcLocks("1: FLOCK  ADVISORY  WRITE 7 08:01:42 0 EOF");
  REQUIRE(inodes.ok());
  CHECK(*inodes == Inodes{42});
}

TEST_CASE(
    "a lock table in a format not known is refused, never read as empty") {
  for (const char* text : {
           "1: FLOCK  ADVISORY  WRITE 7 08:01 0 EOF\n",       // no inode
           "1: FLOCK  ADVISORY  WRITE 7 0x8:01:42 0 EOF\n",   // not hex
           "1: FLOCK  ADVISORY  WRITE 7 08:01:4a2 0 EOF\n",   // not decimal
           "1: FLOCK  ADVISORY  WRITE 7 08:01:42:9 0 EOF\n",  // 3 colons
           "1: FLOCK 08:01:42 WRITE 7 08:01:43 0 EOF\n",      // two inodes
           "1: FLOCK  ADVISORY  WRITE 7 08:01:99999999999999999999 0 EOF\n",
           "garbage\n",
       }) {
    INFO(text);
    auto inodes = ParseProcLocks(text);
    CHECK(inodes.status().code() == Status::Code::kCorruption);
  }
  // One bad line spoils the table.
  CHECK_FALSE(ParseProcLocks("1: FLOCK  ADVISORY  WRITE 7 08:01:42 0 EOF\n"
                             "2: what is this\n")
                  .ok());
}

}  // namespace
}  // namespace retention::proc_locks_test
