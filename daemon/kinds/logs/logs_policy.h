// LogsPolicy: the [logs.NAME] kind — rotate live log files at a size cap,
// compress the rotated files, and keep the set within its byte budget, age
// and count limits (DESIGN.md invariants 3-5).
//
// A run takes a snapshot of the set through the Filesystem seam (every
// directory of SetDirectories), hands it to PlanLogs, and executes the plan
// in its order: cleanup, rotate, compress, delete. Rotation goes through
// the LogRotator seam (log_rotator.h; the lossless primitives of
// log_rotation.h in production — truncate: copy the head, collapse it off
// the live file; reopen: rename, create, tell the writer). Whenever a
// snapshot shows an intent file (a crash, or a rotation that failed), the
// real run first finishes that interrupted rotation with RecoverRotation.
//
// Compression runs on the CompressionPool every log policy shares, so that
// it never delays a rotation: a run hands each archive to it and returns
// (the pool runs a policy's compressions one at a time, in order).
// Archives being compressed are left out of later plans until done, and
// the result is written to the ledger ("compress") when it completes. With
// method reopen an archive is compressed only once no process holds it
// open (or its size was stable for kLetGoTimeout). With numbered naming, a rotation renames
// every archive of its live file (N -> N+1), so it waits for the
// compressions in flight first; timestamp naming never renames.
//
// Threading: one run at a time (the Runner's contract); the pool's thread
// at work for the policy shares only compressing_ (under mu_) and the
// ledger.
#pragma once

#include <atomic>
#include <condition_variable>
#include <deque>
#include <map>
#include <memory>
#include <mutex>
#include <set>
#include <string>
#include <vector>

#include "compress/compression_pool.h"
#include "config/config.h"
#include "core/policy.h"
#include "kinds/logs/keep_free_planner.h"
#include "kinds/logs/log_rotator.h"
#include "kinds/logs/logs_planner.h"
#include "kinds/logs/logs_rule.h"

namespace retention {

class KindRegistry;

// Registers the kind (LogsKindSpec) with its factory. Policies rotate with
// `rotator` (a test's); null: the real, POSIX one (NewPosixLogRotator).
// Every policy the factory builds compresses on one CompressionPool, made
// here, sized by [daemon] compress_threads (default: the cores).
void RegisterLogsKind(KindRegistry* registry, LogRotator* rotator = nullptr);

class LogsPolicy final : public Policy {
 public:
  // How long a reopen-rotated archive may stay open by a writer that never
  // lets go before it is compressed anyway, provided its size stopped
  // changing for that long.
  static constexpr Duration kLetGoTimeout = std::chrono::seconds(30);
  // Method truncate, before its first rotation has been timed: how fast a
  // head is copied and written to disk while its writer writes too
  // (bytes/s; 200-290 MB/s measured at 100 MB/s on ext4 here).
  static constexpr double kAssumedCopyRate = 200e6;
  // Method reopen, before its first rotation has been timed: from the
  // watcher's notice to the writer told to reopen (the run's plan, the
  // ledger intent's fsync, the rename, the new file, the signal; 100-300
  // ms measured at 100 MB/s, tests/bench/log_rotation.sh).
  static constexpr Duration kAssumedReopenTime = std::chrono::milliseconds(250);
  // A reopen set's lead is planned from its rotation time this many times
  // over, the assumed one as the learned ones (LearnRotationTime says why):
  // behind a dd fsync loop the first rotation, noticed 250 ms ahead, took
  // 284-742 ms, and the file passed the cap by 14-25%.
  static constexpr int kReopenLeadFactor = 4;
  // Method truncate, before its first chased rotation (HeadChase) has been
  // timed: from the decision to cut until the cut is durable (the rest of
  // the head, the intent's fsync, which commits the filesystem's journal,
  // the collapse; 140-340 ms measured at 100 MB/s on ext4 mounted with
  // `discard`, tests/bench/log_rotation.sh).
  static constexpr Duration kAssumedFinishTime = std::chrono::milliseconds(300);
  // Before the first deletion has been timed: how long one takes (its
  // unlink and ledger records). Behind another writer's fsyncs they took
  // 0.2-1.3 s; the first, planned at 100 ms, ran with 501 ms left before
  // its chase's cut, took 945 ms, and the file passed the cap by 28%.
  // Quiet, they take milliseconds: the first then follows the cut.
  static constexpr Duration kAssumedDeletionTime = std::chrono::seconds(1);
  // How long a settled set (its last plan did nothing, warned of nothing,
  // and every live file is watched for its cap) waits at most between two
  // checks when no deadline comes sooner: what can change it unseen is
  // only a file someone else adds or removes.
  static constexpr Duration kSettledCheck = std::chrono::hours(1);
  // How long the watcher's early-rotation notice stays valid.
  static constexpr Duration kEarlyValidity = std::chrono::seconds(10);

  // `rotator` outlives the policy and works on `services.fs`'s handles;
  // `pool` runs its compressions.
  LogsPolicy(const Section& section, Services& services, LogRotator& rotator,
             std::shared_ptr<CompressionPool> pool);
  ~LogsPolicy() override;

  const std::string& id() const override { return rule_.policy; }
  Duration every() const override { return rule_.every; }
  bool destructive() const override { return true; }
  Lane lane() const override { return Lane::kRotation; }
  // A watched, settled set's next deadline (logs_idle.cc): the earliest of
  // the next rotate_every boundary, when the oldest archive reaches
  // max_age (or min_age), and now + max(every, kSettledCheck); a set that
  // is not settled: the boundary, or now + every.
  std::optional<WallTime> NextWake(WallTime now) const override;
  DeleteBrakeLimit delete_brake() const override { return brake_limit_; }
  StatusOr<Plan> MakePlan(WallTime now) override;
  ExecResult Execute(const Plan& plan, ExecContext& ctx) override;
  // A removal of a rotated file cut short: is it still there?
  IntentFate Resolve(const Intent& intent) override;
  std::vector<SizeWatch> watches() const override;
  void OnEarlyCrossing(const EarlyCrossing& early) override;
  // Waits for the compressions queued so far (a reopened archive's waits
  // for its writer to let go), within `limit`.
  size_t Finish(Duration limit, const std::atomic<bool>& stop) override;
  // logs_alerts.cc. "budget": the last real run could not bring the set
  // within max_total_size (min_age floors or holds keep too much, or the
  // live files alone with what they may add exceed it);
  // "writer_without_o_append": the last rotation of a live file punched
  // its head out in place. Each clears with the run (budget) or the
  // rotation (punch) that no longer finds it.
  PolicyAlerts alerts() const override;
  // Takes back writer_without_o_append's files that are still this set's
  // live files (the budget is decided again by the next run).
  void RestoreAlerts(const PolicyAlerts& stored) override;

  // Blocks until every compression handed over so far has finished (tests,
  // numbered naming).
  void WaitForCompressions();

  const LogsRule& rule() const { return rule_; }
  // The set's rotated files that [daemon] keep_free may delete: complete
  // archives (no temps), regular files, not being compressed, and not of a
  // live file whose rotation was interrupted. Must not run concurrently
  // with this policy's run (both run on the logs lane). Errors reading
  // single entries become warnings.
  StatusOr<std::vector<KeepFreeCandidate>> SettledArchives(
      std::vector<std::string>* warnings);

 private:
  // Resolve for a rotation's intent.
  IntentFate ResolveRotation(const Intent& intent);
  // Resolve for a compression's intent (logs_compress.cc).
  IntentFate ResolveCompression(const Intent& intent);
  // An archive queued for compression.
  struct Task {
    std::string path;
    FileInfo info;
    bool wait_for_writer = false;
    // A fresh rotation's archive: its info line ("rotated NAME (4.0 MiB →
    // 1.1 MiB zst)") is logged when the compression ends (kToldLater).
    bool announce = false;
    Duration stable{};  // how long its size has not changed (AwaitLetGo)
  };
  // Whether the writer let go of a task's archive (AwaitLetGo).
  enum class LetGo { kYes, kGone, kNotYet };
  StatusOr<LogSetSnapshot> Snapshot(std::vector<std::string>* warnings,
                                    std::vector<LogsEntry>* intents,
                                    std::set<std::string>* intent_dirs);
  bool Compressing(const std::string& path);  // or its temp
  // Withdraws the compression of `path` so that it can be deleted: a queued
  // one is skipped; the one at work is abandoned (its temp removed), and
  // this waits until it has stopped.
  void CancelCompression(const std::string& path);
  // Deletes an archive a plan made with compression on: one the compressor
  // has is withdrawn from it first. A compression that ended since the
  // plan (or despite the withdrawal: past its last look) published the
  // compressed archive and removed the source; then the compressed one
  // goes, named as such in the ledger. Deleting only the source (gone
  // already) would leave those lines, record a deletion that did not
  // happen, and the budget would take a younger archive's in their place.
  bool RemoveArchive(const Action& action, ExecContext& ctx,
                     ExecResult* result);
  void Recover(ExecContext& ctx, ExecResult* result);
  bool Rotate(const Action& action, WallTime now, ExecContext& ctx,
              ExecResult* result);
  bool Remove(const Action& action, ExecContext& ctx, ExecResult* result);
  // logs_delete.cc: a "delete" or "cleanup" action of the run; false stops
  // it. Timed (deletion_time_).
  bool Delete(const Action& action, ExecContext& ctx, ExecResult* result);
  // The run's next deletion, done while a chase waits for its writer
  // (HeadChase::meanwhile) if it fits in `time_left`; whether it was.
  bool DeleteMeanwhile(Duration time_left, ExecContext& ctx,
                       ExecResult* result);
  // Whether the run's deletion `action` is still to do (Execute), not
  // done meanwhile already.
  bool TakeDeletion(const Action& action);
  // logs_commands.cc: Rotate between pre_rotate_command and the
  // after-work (reopen, post_rotate_command); false stops the run.
  bool RotateWithCommands(const Action& action, const Plan& plan,
                          ExecContext& ctx, ExecResult* result);
  bool PreRotate(const Action& action, const Plan& plan, ExecResult* result);
  void AfterRotation(const std::string& live_path, ExecResult* result);
  // shared_reopen: the run's one reopen and post command, for every file
  // it rotated.
  void FinishShared(ExecResult* result);
  void RunPost(const std::vector<std::string>& lives, ExecResult* result);
  Status RunRotateCommand(const std::vector<std::string>& argv,
                          const char* stage,
                          const std::vector<std::string>& lives);
  // Markers of owed after-work (crash safety, logs_commands.cc).
  bool OwesAfterWork() const;
  Status MarkOwed(const std::string& live_path);
  void ClearOwed(const std::string& live_path);
  bool RecoveryPending(const std::string& live_path);
  std::vector<std::string> FindOwed(std::vector<std::string>* warnings);
  // Runs the after-work a run cut short left owed, before anything else.
  void RunOwed(ExecContext& ctx, ExecResult* result);
  Status ShiftNumbered(Dir& archive_dir, const std::string& live);
  void Notify(std::vector<std::string>* warnings);
  void QueueCompression(const std::string& path, const FileInfo& info,
                        bool wait_for_writer, bool announce = false);
  // One step of a task on the pool: compresses it, or asks to be run again
  // after the returned delay while its writer holds it. `*compressed`: the
  // compressed size, left empty when it was not compressed (it went away,
  // a failure: logged, retried by a later run).
  std::optional<Duration> Compress(Task& task,
                                   std::optional<uint64_t>* compressed);
  // A Task::announce archive's info line, once its compression ended.
  void AnnounceRotation(const Task& task, std::optional<uint64_t> compressed);
  // kYes once no process has `name` in `dir` (the file task->info, updated
  // as it grows) open for writing, or its size was stable for
  // kLetGoTimeout (counted in polls of kLetGoPoll); kGone if it went away,
  // was replaced, or on stop; kNotYet: ask again after kLetGoPoll.
  LetGo AwaitLetGo(Dir& dir, const std::string& name, Task* task);
  bool Record(ExecContext& ctx, const Action& action, ExecResult* result);
  void WarnOnce(const std::string& key, const std::string& message);
  void ForgetEarly(const std::string& path);
  // When the watcher first said `path` should rotate early (BootNow), if
  // it did and that notice is still held.
  std::optional<Duration> NoticedAt(const std::string& path);
  // The writer's rate the watcher's notice of `path` saw; 0 if none.
  double NoticedRate(const std::string& path) const;
  // early_ without the notices older than kEarlyValidity.
  std::map<std::string, EarlyCrossing> FreshEarly();
  // Notes a lossless rotation of `bytes` that took `took` (see
  // rotation_time_ns_) and sets the lead from the recent ones.
  void LearnRotationTime(Duration took, uint64_t bytes);
  // Whether this set's early rotations chase the writer (HeadChase:
  // truncate, and reopen without shared_reopen).
  bool Chases() const;
  // What an early rotation of `action` chases (HeadChase; none for a file
  // at its cap already, or a calendar rotation).
  HeadChase ChaseFor(const Action& action, ExecContext& ctx,
                     ExecResult* result);
  // Adds `sample` to the last `keep` of `samples` and returns what to plan
  // with: their 95th percentile (their maximum while they are few) with a
  // quarter more.
  static int64_t PlanFrom(std::deque<int64_t>& samples, int64_t sample,
                          size_t keep);
  // logs_alerts.cc: `name` in `dir` is a carry (CarryName, or the next
  // one) of a live file of the set: its size goes to
  // snapshot->carry_bytes; true if so.
  bool AddCarry(Dir& handle, const std::string& dir, const std::string& name,
                LogSetSnapshot* snapshot);
  // The budget alert of a real run's plan, after holds (Execute), with
  // what MakePlan counted beside the files it keeps (budget_transient_,
  // budget_reserve_).
  void NoteBudget(const Plan& plan);
  // After a rotation of `live_path`: whether it punched the head out.
  void NotePunched(const std::string& live_path, bool punched);
  // After planning: whether the set is settled, and its next deadline
  // (settled_until_ns_; logs_idle.cc).
  void NoteSettled(const Plan& plan, const LogSetSnapshot& snapshot);
  // A live file's size as the set counts it: without a head never written
  // (a writer without O_APPEND past a punched head; logs_idle.cc).
  void CountWritten(Dir& dir, const std::string& name, FileInfo* info);

  LogsRule rule_;
  DeleteBrakeLimit brake_limit_;
  Services& services_;
  LogRotator& rotator_;
  CreateSpec create_;           // the new live file's mode and owner (reopen)
  std::string create_problem_;  // an owner or group that could not be found
  // Live files (dir, name) with an intent file in the last snapshot:
  // interrupted rotations that Execute recovers first.
  std::vector<LogsEntry> intents_;
  // Live paths whose recovery failed (kCorruption): never rotated until
  // an operator resolved it (the intent file stays, naming the problem).
  std::set<std::string> blocked_;
  // Live paths, when a run first saw them (LogSetSnapshot::first_seen).
  std::map<std::string, WallTime> first_seen_;
  // shared_reopen, within one run: the pre command ran; live files
  // rotated whose reopen and post command wait for FinishShared.
  bool shared_pre_ran_ = false;
  std::vector<std::string> shared_owed_;
  // Within one run: its deletions not yet done, in the plan's order, which
  // a chase may do while it waits (DeleteMeanwhile; not with numbered
  // names, which the rotation shifts); set when one of those asked to stop
  // the run, which then ends after the rotation.
  std::deque<const Action*> deletions_left_;
  bool deletions_stopped_ = false;
  // How long one deletion takes, planned as rotation_time_ns_ is from the
  // recent ones (behind another writer's fsyncs, 0.2-1.3 s each).
  Duration deletion_time_ = kAssumedDeletionTime;
  std::deque<int64_t> deletion_samples_;

  // How long a rotation takes to move the writer off the file (ns),
  // learned from each rotation; shared with the watcher
  // (SizeWatch::rotation_time_ns). Truncate: copying and publishing a head
  // of max_file_size. Reopen: from the watcher's early notice (else the
  // rotation's start) until the writer was told to reopen (its archive
  // ends about there). Null without max_file_size.
  std::shared_ptr<std::atomic<int64_t>> rotation_time_ns_;
  // The last kRotationSamples of those times (ns; truncate's scaled to the
  // cap):
  // rotation_time_ns_ is a high percentile of them, not their mean, so
  // that a slower rotation than usual still ends before the cap.
  static constexpr size_t kRotationSamples = 20;
  std::deque<int64_t> rotation_samples_;
  // Until this many rotations were timed, the lead is never planned below
  // the assumed time (kAssumedCopyRate, kAssumedReopenTime): the first
  // rotation of an idle daemon (a reopen signalled 4 ms after the notice)
  // says little of the next one (410 ms, its fsyncs behind a journal
  // commit that discarded a deleted archive's blocks).
  static constexpr size_t kFewRotations = 5;
  int64_t assumed_rotation_ns_ = 0;
  // A chased rotation's last steps (HeadChase::finish_time), planned as
  // rotation_time_ns_ is from the recent ones (ns).
  Duration finish_time_ = kAssumedFinishTime;
  std::deque<int64_t> finish_samples_;
  // Wall time (ns since the epoch) of a settled set's next deadline; 0:
  // not settled (NextWake).
  std::atomic<int64_t> settled_until_ns_{0};

  // What the last plan's budget counted beyond the files it keeps:
  // BudgetTransient + BudgetReserve (NoteBudget).
  std::atomic<uint64_t> budget_transient_{0};
  std::atomic<uint64_t> budget_reserve_{0};

  mutable std::mutex mu_;  // guards compressing_*, cancelled_, warned_,
                           // pending_, early_, budget_alert_, punched_
  std::string budget_alert_;  // "": the last real run met the budget
  // Live paths whose last rotation punched the head out in place.
  std::set<std::string> punched_;
  // Early-rotation notices by live path, with when they came (BootNow).
  std::map<std::string, std::pair<EarlyCrossing, Duration>> early_;
  std::condition_variable idle_;
  std::set<std::string> compressing_;  // paths handed to the thread
  std::string compressing_now_;        // the one it works on
  std::set<std::string> cancelled_;    // queued, withdrawn: to skip
  std::set<std::string> warned_;
  int pending_ = 0;
  std::atomic<bool> stop_{false};
  // Set with stop_, or to abandon the compression at work now.
  std::atomic<bool> abort_compress_{false};
  std::shared_ptr<CompressionPool> pool_;  // the work of `this` withdrawn
                                           // by the destructor
};

}  // namespace retention
