// The promise behind the rows kind's pacing: an application inserting into
// the same SQLite database with busy_timeout = 1000 never sees SQLITE_BUSY
// while a policy prunes a million rows. Real threads and real time (about
// ten seconds).
#include <atomic>
#include <catch2/catch.hpp>
#include <thread>

#include "rows_env.h"

namespace retention::rows_concurrency_test {
namespace {

TEST_CASE(
    "an application writer never sees SQLITE_BUSY during a 1M-row prune") {
  RowsEnv env(TimeFormat::kUnixSeconds);
  const int64_t old = ToUnixSeconds(env.cutoff()) - 86400;
  env.Sql(
      "WITH RECURSIVE c(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM c "
      "WHERE x < 1000000) INSERT INTO events (ts, kind) SELECT " +
      std::to_string(old) + " + x / 100, 'old' FROM c");
  std::atomic<bool> done{false};
  std::atomic<int64_t> inserted{0};
  Status writer_error;
  std::thread writer([&] {
    auto db = SqliteConnection::Open(env.path,
                                     SqliteConnection::OpenMode::kReadWrite);
    Status st =
        db.ok() ? (*db)->Exec("PRAGMA busy_timeout = 1000") : db.status();
    while (st.ok() && !done.load()) {
      st = (*db)->Exec("INSERT INTO events (ts, kind) VALUES (" +
                       std::to_string(ToUnixSeconds(env.clock.Now())) +
                       ", 'new')");
      if (st.ok()) ++inserted;
      std::this_thread::sleep_for(std::chrono::milliseconds(2));
    }
    writer_error = st;
  });
  RowsPolicy policy = env.Policy();
  auto plan = policy.MakePlan(env.clock.Now());
  REQUIRE(plan.ok());
  KeepingContext ctx;
  ExecResult r = policy.Execute(*plan, ctx);
  done = true;
  writer.join();
  INFO(writer_error.ToString());
  CHECK(writer_error.ok());
  CHECK(r.errors.empty());
  CHECK(r.done == 1);
  CHECK(inserted.load() > 100);
  CHECK(env.Count() == inserted.load());
}

}  // namespace
}  // namespace retention::rows_concurrency_test
