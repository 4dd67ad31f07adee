// occupancy_bench ROOT [THREADS] [LAYOUT]: one scan with the real scanner;
// prints per-user totals ("USER ALLOCATED APPARENT FILES DIRS") on stdout
// and the entries, seconds and entries/s on stderr. Used by
// tests/bench/occupancy.sh.
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <string>

#include "kinds/occupancy/occupancy_scanner.h"

int main(int argc, char** argv) {
  if (argc < 2) {
    std::fprintf(stderr, "usage: occupancy_bench ROOT [THREADS] [LAYOUT]\n");
    return 2;
  }
  retention::ScanRequest request;
  request.root = argv[1];
  request.threads = argc > 2 ? std::atoi(argv[2]) : 2;
  if (argc > 3) request.layout = argv[3];
  auto scanner = retention::NewPosixOccupancyScanner();
  const auto start = std::chrono::steady_clock::now();
  auto scan = scanner->Scan(request);
  const double seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - start)
          .count();
  if (!scan.ok()) {
    std::fprintf(stderr, "%s\n", scan.status().ToString().c_str());
    return 1;
  }
  for (const auto& u : scan->users) {
    std::printf("%s %llu %llu %llu %llu\n", u.user.c_str(),
                (unsigned long long)u.allocated, (unsigned long long)u.apparent,
                (unsigned long long)u.files, (unsigned long long)u.dirs);
  }
  for (const auto& w : scan->warnings)
    std::fprintf(stderr, "warning: %s\n", w.c_str());
  std::fprintf(stderr, "entries %llu seconds %.3f entries/s %.0f\n",
               (unsigned long long)scan->entries, seconds,
               scan->entries / seconds);
  return 0;
}
