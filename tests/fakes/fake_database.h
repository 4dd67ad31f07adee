// FakeDatabase: an in-memory Database for unit tests of the rows planner
// and executor. Rows have a rowid, a time (empty: unparseable) and whether
// the policy's `where` selects them. Deleting costs a simulated lock hold
// per row, so batch sizing can be tested without a clock; Pause() only
// records; DeleteBatch can be made to fail (kBusy, an error) on demand;
// batches can become durable some batches after they commit (as on
// PostgreSQL); and a hook runs after each batch (to request a stop mid-run). FakeRows holds
// the state so several FakeDatabase connections (plan, execute) share it.
//
// Threading: single-threaded test use only.
#pragma once

#include <algorithm>
#include <deque>
#include <functional>
#include <memory>
#include <set>
#include <vector>

#include "kinds/rows/rows_database.h"
#include "kinds/rows/rows_policy.h"

namespace retention {

struct FakeRow {
  int64_t rowid = 0;
  std::optional<WallTime> time;  // empty: not a time in the format
  bool matches = true;           // selected by `where`
};

struct FakeRows {
  std::vector<FakeRow> rows;
  Duration hold_per_row = std::chrono::microseconds(1);
  Duration checkpoint_time{};      // what Checkpoint() reports it took
  int64_t wal_frames_per_row = 0;  // WAL growth per deleted row
  int64_t wal_frames = 0;          // frames now in the WAL
  std::deque<Status> fail_next;    // errors for the next DeleteBatch calls
  std::function<void()> after_batch;
  std::optional<RowsMark> mark;  // as the application database keeps it
  // Durability (Database::DurablePoint, Durable): a point is the number of
  // batches committed by then. With durable_lag >= 0, all batches but the
  // last durable_lag committed are durable; MakeDurable makes all so.
  int64_t durable_lag = -1;  // -1: every batch is durable once committed
  int64_t durable_batches = 0;
  std::vector<int64_t> batch_rows;  // what each committed batch removed
  int make_durable_calls = 0;
  int64_t DurableRows() const {
    int64_t n = 0;
    for (int64_t i = 0; i < durable_batches; ++i) n += batch_rows[i];
    return n;
  }
  // What happened, for assertions.
  std::vector<int64_t> batch_limits;
  std::vector<Duration> pauses;
  int checkpoints = 0;
  int opens = 0;
  bool last_open_read_only = false;

  void Add(int64_t rowid, std::optional<WallTime> time, bool matches = true) {
    rows.push_back({rowid, time, matches});
  }
  bool Has(int64_t rowid) const {
    return std::any_of(rows.begin(), rows.end(),
                       [&](const FakeRow& r) { return r.rowid == rowid; });
  }
};

class FakeDatabase final : public Database {
 public:
  explicit FakeDatabase(std::shared_ptr<FakeRows> rows)
      : rows_(std::move(rows)) {}

  Status Check(bool) override { return Status::Ok(); }

  StatusOr<RowsSurvey> Survey(WallTime cutoff) override {
    RowsSurvey s;
    for (const FakeRow& r : rows_->rows) {
      if (!r.matches) continue;
      if (!r.time) {
        ++s.unparseable;
      } else if (*r.time < cutoff) {
        Note(&s.expired, &s.oldest_expired, *r.time);
      } else {
        Note(&s.kept, &s.oldest_kept, *r.time);
      }
    }
    return s;
  }

  StatusOr<std::optional<RowsMark>> ReadMark(const std::string&) override {
    return rows_->mark;
  }

  StatusOr<RowsBatch> DeleteBatch(WallTime cutoff, int64_t limit,
                                  const BatchMark& mark) override {
    rows_->batch_limits.push_back(limit);
    if (!rows_->fail_next.empty()) {
      Status st = rows_->fail_next.front();
      rows_->fail_next.pop_front();
      return st;
    }
    std::vector<FakeRow> old;
    for (const FakeRow& r : rows_->rows) {
      if (r.matches && r.time && *r.time < cutoff) old.push_back(r);
    }
    const size_t n = std::min<size_t>(old.size(), static_cast<size_t>(limit));
    std::partial_sort(
        old.begin(), old.begin() + n, old.end(),
        [](const FakeRow& a, const FakeRow& b) { return *a.time < *b.time; });
    old.resize(n);
    RowsBatch batch;
    std::set<int64_t> gone;
    for (const FakeRow& r : old) {
      Note(r, &batch);
      gone.insert(r.rowid);
    }
    auto& rows = rows_->rows;
    rows.erase(std::remove_if(
                   rows.begin(), rows.end(),
                   [&](const FakeRow& r) { return gone.count(r.rowid) > 0; }),
               rows.end());
    batch.hold = rows_->hold_per_row * batch.removed;
    rows_->wal_frames += rows_->wal_frames_per_row * batch.removed;
    batch.wal_frames = rows_->wal_frames;
    if (mark.intent != 0 && batch.removed > 0) {
      if (!rows_->mark || rows_->mark->intent != mark.intent) {
        rows_->mark = RowsMark{mark.intent, 0, batch.min_rowid, 0};
      }
      rows_->mark->rows += batch.removed;
      rows_->mark->max_rowid = batch.max_rowid;
    }
    rows_->batch_rows.push_back(batch.removed);
    const auto committed = static_cast<int64_t>(rows_->batch_rows.size());
    rows_->durable_batches =
        rows_->durable_lag < 0
            ? committed
            : std::max<int64_t>(0, committed - rows_->durable_lag);
    if (rows_->after_batch) rows_->after_batch();
    return batch;
  }

  Status MakeDurable() override {
    ++rows_->make_durable_calls;
    rows_->durable_batches = static_cast<int64_t>(rows_->batch_rows.size());
    return Status::Ok();
  }
  StatusOr<uint64_t> DurablePoint() override {
    return static_cast<uint64_t>(rows_->batch_rows.size());
  }
  StatusOr<bool> Durable(uint64_t point) override {
    return static_cast<int64_t>(point) <= rows_->durable_batches;
  }

  Duration Checkpoint() override {
    ++rows_->checkpoints;
    rows_->wal_frames = 0;
    return rows_->checkpoint_time;
  }
  void Pause(Duration d) override { rows_->pauses.push_back(d); }

 private:
  static void Note(int64_t* count, std::optional<WallTime>* oldest,
                   WallTime t) {
    ++*count;
    if (!*oldest || t < **oldest) *oldest = t;
  }
  static void Note(const FakeRow& r, RowsBatch* batch) {
    if (batch->removed++ == 0) batch->min_rowid = batch->max_rowid = r.rowid;
    batch->min_rowid = std::min(batch->min_rowid, r.rowid);
    batch->max_rowid = std::max(batch->max_rowid, r.rowid);
    if (!batch->oldest || *r.time < *batch->oldest) batch->oldest = r.time;
  }

  std::shared_ptr<FakeRows> rows_;
};

// An opener handing out connections to `rows`.
inline DatabaseOpener FakeOpener(std::shared_ptr<FakeRows> rows) {
  return [rows](bool read_only) -> StatusOr<std::unique_ptr<Database>> {
    ++rows->opens;
    rows->last_open_read_only = read_only;
    return std::unique_ptr<Database>(new FakeDatabase(rows));
  };
}

}  // namespace retention
