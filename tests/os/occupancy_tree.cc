#include "occupancy_tree.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <catch2/catch.hpp>
#include <cstdio>
#include <string>

namespace retention {

void WriteBytes(const std::string& path, size_t bytes) {
  const int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
  REQUIRE(fd >= 0);
  std::string data(bytes, 'x');
  REQUIRE(::write(fd, data.data(), data.size()) == ssize_t(data.size()));
  ::close(fd);
}

uint64_t DuBytes(const std::string& dir, bool apparent) {
  const std::string cmd = std::string("du -s -x ") + (apparent ? "-b" : "-B1") +
                          " '" + dir + "' 2>/dev/null";
  FILE* p = ::popen(cmd.c_str(), "r");
  REQUIRE(p != nullptr);
  unsigned long long bytes = 0;
  const int got = std::fscanf(p, "%llu", &bytes);
  ::pclose(p);
  REQUIRE(got == 1);
  return bytes;
}

void CheckUserEqualsDu(const std::string& root, const UserUsage& usage) {
  INFO("user " << usage.user);
  CHECK(usage.allocated == DuBytes(root + "/" + usage.user, false));
  CHECK(usage.apparent == DuBytes(root + "/" + usage.user, true));
}

void MakeChain(const std::string& dir, int depth) {
  int fd = ::open(dir.c_str(), O_RDONLY | O_DIRECTORY);
  REQUIRE(fd >= 0);
  for (int i = 0; i < depth; ++i) {
    REQUIRE(::mkdirat(fd, "c", 0755) == 0);
    const int next = ::openat(fd, "c", O_RDONLY | O_DIRECTORY);
    ::close(fd);
    REQUIRE(next >= 0);
    fd = next;
  }
  const int file = ::openat(fd, "end", O_WRONLY | O_CREAT, 0644);
  REQUIRE(file >= 0);
  REQUIRE(::write(file, "end\n", 4) == 4);
  ::close(file);
  ::close(fd);
}

// Lifts c/c up to c, one level at a time: rename c/c to n, remove c (now
// empty but for the file at the very end), rename n to c.
void RemoveChain(const std::string& dir) {
  const int fd = ::open(dir.c_str(), O_RDONLY | O_DIRECTORY);
  REQUIRE(fd >= 0);
  while (::renameat(fd, "c/c", fd, "n") == 0) {
    REQUIRE(::unlinkat(fd, "c", AT_REMOVEDIR) == 0);
    REQUIRE(::renameat(fd, "n", fd, "c") == 0);
  }
  ::unlinkat(fd, "c/end", 0);
  ::unlinkat(fd, "c", AT_REMOVEDIR);
  ::close(fd);
}

void MakeEntries(const std::string& dir, int count) {
  const int fd = ::open(dir.c_str(), O_RDONLY | O_DIRECTORY);
  REQUIRE(fd >= 0);
  char name[32];
  for (int i = 0; i < count; ++i) {
    std::snprintf(name, sizeof name, "e%07d", i);
    const int f = ::openat(fd, name, O_WRONLY | O_CREAT | O_CLOEXEC, 0644);
    REQUIRE(f >= 0);
    ::close(f);
  }
  ::close(fd);
}

OccupancyScan ScanOrFail(const std::string& root, int threads,
                         const std::string& layout) {
  auto scanner = NewPosixOccupancyScanner();
  ScanRequest request;
  request.root = root;
  request.threads = threads;
  request.layout = layout;
  auto scan = scanner->Scan(request);
  REQUIRE(scan.ok());
  return std::move(*scan);
}

UserUsage UsageOf(const OccupancyScan& scan, const std::string& user) {
  for (const UserUsage& u : scan.users) {
    if (u.user == user) return u;
  }
  return UserUsage{};
}

}  // namespace retention
