// The POSIX File reads a file once, front to back, without leaving it in the
// page cache: checked with mincore(2) on a mapping of the file.
#include <fcntl.h>
#include <sys/mman.h>
#include <unistd.h>

#include <catch2/catch.hpp>
#include <fstream>
#include <string>
#include <vector>

#include "os/filesystem.h"
#include "status_printers.h"
#include "temp_dir.h"

namespace retention::file_cache_test {
namespace {

// Pages of the file at `path` now in the page cache.
size_t ResidentPages(const std::string& path, size_t size) {
  const int fd = open(path.c_str(), O_RDONLY | O_CLOEXEC);
  REQUIRE(fd >= 0);
  void* map = mmap(nullptr, size, PROT_READ, MAP_SHARED, fd, 0);
  close(fd);
  REQUIRE(map != MAP_FAILED);
  const size_t page = static_cast<size_t>(sysconf(_SC_PAGESIZE));
  std::vector<unsigned char> in_core((size + page - 1) / page);
  const int r = mincore(map, size, in_core.data());
  munmap(map, size);
  REQUIRE(r == 0);
  size_t n = 0;
  for (unsigned char c : in_core) n += c & 1;
  return n;
}

// Writes `size` bytes to `path` and waits until they are on disk: only clean
// pages can be dropped.
void WriteClean(const std::string& path, size_t size) {
  {
    std::ofstream out(path, std::ios::binary);
    out << std::string(size, 'x');
  }
  const int fd = open(path.c_str(), O_RDONLY | O_CLOEXEC);
  REQUIRE(fd >= 0);
  REQUIRE(fsync(fd) == 0);
  close(fd);
}

// Whether this filesystem drops clean pages on POSIX_FADV_DONTNEED at all
// (tmpfs never does; overlayfs on older kernels ignores the advice).
bool HonoursDontNeed(const std::string& path, size_t size) {
  WriteClean(path, size);
  const int fd = open(path.c_str(), O_RDONLY | O_CLOEXEC);
  REQUIRE(fd >= 0);
  posix_fadvise(fd, 0, 0, POSIX_FADV_DONTNEED);
  close(fd);
  return ResidentPages(path, size) == 0;
}

TEST_CASE("reading a file through the POSIX filesystem leaves it uncached",
          "[compress]") {
  TempDir tmp;
  const size_t size = 8 << 20;
  if (!HonoursDontNeed(tmp.File("probe"), size)) {
    WARN("this filesystem keeps pages despite POSIX_FADV_DONTNEED");
    return;
  }
  const std::string path = tmp.File("app.log.1");
  WriteClean(path, size);
  REQUIRE(ResidentPages(path, size) > 0);

  auto fs = NewPosixFilesystem();
  auto dir = fs->OpenRoot(tmp.path());
  REQUIRE(dir.ok());
  auto file = fs->OpenFileAt(**dir, "app.log.1");
  REQUIRE(file.ok());
  std::string chunk;
  size_t total = 0;
  do {
    REQUIRE((*file)->Read(1 << 20, &chunk).ok());
    total += chunk.size();
  } while (!chunk.empty());
  CHECK(total == size);
  CHECK(ResidentPages(path, size) == 0);
}

}  // namespace
}  // namespace retention::file_cache_test
