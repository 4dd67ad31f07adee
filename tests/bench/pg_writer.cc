// The application side of tests/bench/rows_expiry_pg.sh.
//
//   pg_writer CONNINFO RATE STOPFILE OUT.json
//
// Inserts one row into table `t` (autocommit) at RATE inserts a second
// until STOPFILE exists. Latency is measured from each insert's *intended*
// start (start + i / RATE), so inserts the writer could not issue while
// blocked count as waiting (no coordinated omission). A failed insert is
// counted, not retried. Writes p50/p99/max, inserts over 50 ms, and counts
// as JSON.
#include <libpq-fe.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <string>
#include <thread>
#include <vector>

int main(int argc, char** argv) {
  if (argc != 5) {
    std::fprintf(stderr, "usage: pg_writer CONNINFO RATE STOPFILE OUT.json\n");
    return 2;
  }
  PGconn* conn = PQconnectdb(argv[1]);
  if (PQstatus(conn) != CONNECTION_OK) {
    std::fprintf(stderr, "pg_writer: %s", PQerrorMessage(conn));
    return 1;
  }
  const double rate = std::stod(argv[2]);
  using Clock = std::chrono::steady_clock;
  const auto start = Clock::now();
  std::vector<double> ms;
  long failed = 0, i = 0;
  while (access(argv[3], F_OK) != 0) {
    const auto intended = start + std::chrono::duration_cast<Clock::duration>(
                                      std::chrono::duration<double>(i / rate));
    ++i;
    std::this_thread::sleep_until(intended);
    PGresult* r = PQexec(conn,
                         "INSERT INTO t (ts, payload) VALUES (now(), "
                         "md5(random()::text))");
    if (PQresultStatus(r) != PGRES_COMMAND_OK) ++failed;
    PQclear(r);
    ms.push_back(
        std::chrono::duration<double, std::milli>(Clock::now() - intended)
            .count());
  }
  PQfinish(conn);
  std::sort(ms.begin(), ms.end());
  auto pct = [&](double p) {
    if (ms.empty()) return 0.0;
    return ms[std::min(ms.size() - 1,
                       static_cast<size_t>(p / 100.0 * (ms.size() - 1) + 0.5))];
  };
  const long over =
      std::count_if(ms.begin(), ms.end(), [](double v) { return v > 50.0; });
  FILE* out = std::fopen(argv[4], "w");
  if (out == nullptr) return 1;
  std::fprintf(out,
               "{\"p50_ms\": %.3f, \"p99_ms\": %.3f, \"max_ms\": %.3f, "
               "\"over_50ms\": %ld, \"completed\": %zu, \"intended\": %ld, "
               "\"failed\": %ld}\n",
               pct(50), pct(99), ms.empty() ? 0.0 : ms.back(), over,
               ms.size() - static_cast<size_t>(failed), i, failed);
  std::fclose(out);
  return 0;
}
