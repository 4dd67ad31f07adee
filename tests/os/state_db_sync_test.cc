// Which of state.db's commits wait for the disk, counted at the SQLite VFS:
// a default VFS that forwards every call to the real one (unix) and counts
// the syncs of every file it opened (the database and its WAL).
#include <sqlite3.h>

#include <atomic>
#include <catch2/catch.hpp>
#include <memory>
#include <string>

#include "core/state_db.h"
#include "db_test_util.h"
#include "temp_dir.h"

namespace retention::state_db_sync_test {
namespace {

std::atomic<int> syncs{0};
sqlite3_vfs* real_vfs = nullptr;

// Ours, then the real VFS's file in the same allocation.
struct CountedFile {
  sqlite3_file base;  // base.pMethods == &methods
  sqlite3_io_methods methods;
  sqlite3_file* real;
};

sqlite3_file* Real(sqlite3_file* f) {
  return reinterpret_cast<CountedFile*>(f)->real;
}

// Every method forwarded to the real file; xSync counted.
void Forward(sqlite3_io_methods* m) {
  m->xClose = [](sqlite3_file* f) {
    return Real(f)->pMethods->xClose(Real(f));
  };
  m->xRead = [](sqlite3_file* f, void* b, int n, sqlite3_int64 at) {
    return Real(f)->pMethods->xRead(Real(f), b, n, at);
  };
  m->xWrite = [](sqlite3_file* f, const void* b, int n, sqlite3_int64 at) {
    return Real(f)->pMethods->xWrite(Real(f), b, n, at);
  };
  m->xTruncate = [](sqlite3_file* f, sqlite3_int64 size) {
    return Real(f)->pMethods->xTruncate(Real(f), size);
  };
  m->xSync = [](sqlite3_file* f, int flags) {
    ++syncs;
    return Real(f)->pMethods->xSync(Real(f), flags);
  };
  m->xFileSize = [](sqlite3_file* f, sqlite3_int64* size) {
    return Real(f)->pMethods->xFileSize(Real(f), size);
  };
  m->xLock = [](sqlite3_file* f, int level) {
    return Real(f)->pMethods->xLock(Real(f), level);
  };
  m->xUnlock = [](sqlite3_file* f, int level) {
    return Real(f)->pMethods->xUnlock(Real(f), level);
  };
  m->xCheckReservedLock = [](sqlite3_file* f, int* out) {
    return Real(f)->pMethods->xCheckReservedLock(Real(f), out);
  };
  m->xFileControl = [](sqlite3_file* f, int op, void* arg) {
    return Real(f)->pMethods->xFileControl(Real(f), op, arg);
  };
  m->xSectorSize = [](sqlite3_file* f) {
    return Real(f)->pMethods->xSectorSize(Real(f));
  };
  m->xDeviceCharacteristics = [](sqlite3_file* f) {
    return Real(f)->pMethods->xDeviceCharacteristics(Real(f));
  };
  if (m->iVersion < 2) return;
  m->xShmMap = [](sqlite3_file* f, int page, int size, int extend,
                  void volatile** out) {
    return Real(f)->pMethods->xShmMap(Real(f), page, size, extend, out);
  };
  m->xShmLock = [](sqlite3_file* f, int offset, int n, int flags) {
    return Real(f)->pMethods->xShmLock(Real(f), offset, n, flags);
  };
  m->xShmBarrier = [](sqlite3_file* f) {
    Real(f)->pMethods->xShmBarrier(Real(f));
  };
  m->xShmUnmap = [](sqlite3_file* f, int remove) {
    return Real(f)->pMethods->xShmUnmap(Real(f), remove);
  };
  if (m->iVersion < 3) return;
  m->xFetch = [](sqlite3_file* f, sqlite3_int64 at, int n, void** out) {
    return Real(f)->pMethods->xFetch(Real(f), at, n, out);
  };
  m->xUnfetch = [](sqlite3_file* f, sqlite3_int64 at, void* p) {
    return Real(f)->pMethods->xUnfetch(Real(f), at, p);
  };
}

int OpenCounted(sqlite3_vfs*, const char* name, sqlite3_file* file,
                int flags, int* out_flags) {
  auto* counted = reinterpret_cast<CountedFile*>(file);
  counted->real = reinterpret_cast<sqlite3_file*>(counted + 1);
  counted->real->pMethods = nullptr;
  const int rc =
      real_vfs->xOpen(real_vfs, name, counted->real, flags, out_flags);
  file->pMethods = nullptr;
  if (counted->real->pMethods != nullptr) {  // SQLite closes it then
    counted->methods = *counted->real->pMethods;
    Forward(&counted->methods);
    file->pMethods = &counted->methods;
  }
  return rc;
}

// The counting VFS as the default while it lives.
class SyncCounting {
 public:
  SyncCounting() {
    real_vfs = sqlite3_vfs_find(nullptr);
    REQUIRE(real_vfs != nullptr);
    vfs_ = *real_vfs;
    vfs_.zName = "sync-counting";
    vfs_.szOsFile =
        static_cast<int>(sizeof(CountedFile)) + real_vfs->szOsFile;
    vfs_.xOpen = OpenCounted;
    REQUIRE(sqlite3_vfs_register(&vfs_, 1) == SQLITE_OK);
  }
  ~SyncCounting() {
    sqlite3_vfs_unregister(&vfs_);
    sqlite3_vfs_register(real_vfs, 1);
  }

 private:
  sqlite3_vfs vfs_{};
};

TEST_CASE("a run's start and end are committed without a sync, a hold with "
          "one") {
  SyncCounting counting;
  TempDir dir;
  {
    std::unique_ptr<StateDb> db = OpenStateDb(dir.File("state.db"));
    const int opened = syncs.load();
    RunRecord run;
    run.policy = "logs.app";
    run.started = FromUnixSeconds(1767225600);
    run.boot_id = "boot-1";
    StatusOr<int64_t> id = db->BeginRun(run);
    REQUIRE(id.ok());
    REQUIRE(db->FinishRun(*id, {.finished = FromUnixSeconds(1767225601),
                                .outcome = "ok"})
                .ok());
    CHECK(syncs.load() == opened);
    // The next commit that waits for the disk carries both.
    REQUIRE(db->AddHold({.kind = "policy",
                         .target = "logs.app",
                         .reason = "audit",
                         .by = "uid 0",
                         .since = FromUnixSeconds(1767225602)})
                .ok());
    CHECK(syncs.load() > opened);
  }
  // Both are there for the next process.
  std::unique_ptr<StateDb> db = OpenStateDb(dir.File("state.db"));
  StatusOr<std::optional<RunRecord>> last = db->LastRun();
  REQUIRE(last.ok());
  REQUIRE(last->has_value());
  CHECK((*last)->outcome == "ok");
}

}  // namespace
}  // namespace retention::state_db_sync_test
