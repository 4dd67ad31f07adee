// FakeLogRotator: a LogRotator (daemon/kinds/logs/log_rotator.h) over a
// FakeFilesystem, so that the logs executor runs on fakes like the other
// kinds. It keeps the real one's contract and its intent protocol, in
// bytes rather than blocks, through the Filesystem interface:
//   - method truncate moves every byte of the live file into the archive
//     (written as ARCHIVE.rtd-tmp, then renamed) and empties the live file
//     in place (same inode: FakeFilesystem::CutHead);
//   - method reopen renames the live file to the archive and creates an
//     empty one; the writer keeps the archive open (IsOpenForWriting says
//     so) until it is told to reopen, then for SetLetGoAfter more questions;
//   - each rotation keeps the intent file `.LIVE.rtd-rotate` (FormatIntent)
//     from before its first change until after its last, and
//     RecoverRotation finishes or undoes what it names;
//   - SignalWriter and RunReopenCommand only record the call.
// Failures on demand: FailNext (any operation, before it changes anything),
// FailStep (an I/O error at one step, rolled back as the real one does),
// CrashAfter (the rotation stops after a durable step, as if killed, its
// intent left for recovery), RefuseCollapse (the copy+truncate fallback),
// ReportPunched (a writer without O_APPEND),
// SetLetGoAfter(kNeverLetsGo) (a writer that never lets go).
// FakeFilesystem's own injections (FailNext(FsOp::kWrite, ENOSPC)) apply to
// what the rotator writes as well.
//
// Threading: every method takes one internal mutex (the executor rotates
// on the run's thread while its compression thread asks who writes).
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <mutex>
#include <optional>
#include <set>
#include <string>
#include <utility>
#include <vector>

#include "fakes/fake_filesystem.h"
#include "kinds/logs/log_rotator.h"
#include "kinds/logs/rotation_intent.h"

namespace retention {

// One value per LogRotator operation, for FailNext.
enum class RotatorOp {
  kCollapse,
  kRename,
  kRecover,
  kSignal,
  kCommand,
  kIsOpenForWriting,
};

class FakeLogRotator final : public LogRotator {
 public:
  static constexpr int kNeverLetsGo = -1;

  explicit FakeLogRotator(FakeFilesystem& fs) : fs_(fs) {}

  // LogRotator.
  StatusOr<RotationResult> RotateByCollapse(
      Dir& live_dir, const std::string& live_name, Dir& archive_dir,
      const std::string& archive_name, const FileInfo& expected_live,
      const RotationStepHook& hook, const HeadChase& chase) override;
  StatusOr<RotationResult> RotateByRename(
      Dir& live_dir, const std::string& live_name, Dir& archive_dir,
      const std::string& archive_name, const FileInfo& expected_live,
      const CreateSpec& create, const RotationStepHook& hook,
      const HeadChase& chase) override;
  StatusOr<std::vector<std::string>> RecoverRotation(
      Dir& live_dir, const std::string& live_name, Dir& archive_dir) override;
  // Both record the call (reopens()), then answer OK unless told to fail;
  // only a successful one tells the writer.
  Status SignalWriter(const std::string& pid_file, int signal) override;
  Status RunReopenCommand(const std::string& command,
                          Duration timeout) override;
  // FakeFilesystem::IsOpenForWritingAt (its checks and SetWriting), or
  // true while the writer holds a reopen-rotated archive.
  StatusOr<bool> IsOpenForWriting(Dir& dir, const std::string& name,
                                  const FileInfo& expected) override;
  // A millisecond, whatever the poll: a 30 s let-go wait takes 120 of them.
  Duration AskAgainAfter(Duration) const override {
    return std::chrono::milliseconds(1);
  }
  StatusOr<std::vector<int>> VisibleWriters(const FileInfo& file) override;

  // The next call of `op` fails with `status`, having changed nothing.
  void FailNext(RotatorOp op, Status status) {
    std::lock_guard lock(mu_);
    failures_[op].push_back(std::move(status));
  }
  // The next rotation fails with Status::FromErrno(err) where it would
  // make `step` durable. Before the archive is published the temp and the
  // intent are removed again (nothing changed); from then on (kLiveCut,
  // kLiveCreated) they stay for RecoverRotation.
  void FailStep(RotationStep step, int err) {
    std::lock_guard lock(mu_);
    fail_step_ = {step, err};
  }
  // The next rotation stops right after `step` is durable and returns
  // kAborted, leaving everything, its intent included, as a killed process
  // would.
  void CrashAfter(RotationStep step) {
    std::lock_guard lock(mu_);
    crash_after_ = step;
  }
  // Method truncate: the filesystem refuses collapse, so rotations copy
  // and truncate (lossless = false, a warning).
  void RefuseCollapse(bool refuse) {
    std::lock_guard lock(mu_);
    refuse_collapse_ = refuse;
  }
  // Method truncate: report each rotation as punched (a writer without
  // O_APPEND, RotationResult::punched); the bytes move the same way.
  void ReportPunched(bool punched) {
    std::lock_guard lock(mu_);
    punched_ = punched;
  }
  // After a reopen rotation the writer holds the archive until told to
  // reopen, then for `asks` more IsOpenForWriting questions (default 0);
  // kNeverLetsGo: for ever.
  void SetLetGoAfter(int asks) {
    std::lock_guard lock(mu_);
    let_go_after_ = asks;
  }
  // Runs `f` in each rotation asked to chase a file below its cap, before
  // the cut or rename (to advance a fake clock); the result carries the
  // waited and finish times `f` sets.
  void OnChase(std::function<void(RotationResult*)> f) {
    WhileChasing([f](const HeadChase&, RotationResult* r) { f(r); });
  }
  // As OnChase, with what the rotation was asked to chase: `f` may call
  // its meanwhile as the real chase does while it waits (the rotator's
  // lock held: not this fake's other methods).
  void WhileChasing(
      std::function<void(const HeadChase&, RotationResult*)> f) {
    std::lock_guard lock(mu_);
    on_chase_ = std::move(f);
  }
  // Called (without the lock) each time the writer is told to reopen: a
  // test moves its clock there, as a slow signal or command would.
  void OnTell(std::function<void()> f) {
    std::lock_guard lock(mu_);
    on_tell_ = std::move(f);
  }
  // What VisibleWriters reports (default: none).
  void SetWriterPids(std::vector<int> pids) {
    std::lock_guard lock(mu_);
    writer_pids_ = std::move(pids);
  }

  // Calls to tell the writer, in order: "signal 10 /run/app.pid",
  // "command /usr/sbin/app-reopen".
  std::vector<std::string> reopens() const {
    std::lock_guard lock(mu_);
    return reopens_;
  }
  // Completed rotations, in order: "collapse LIVE_PATH -> ARCHIVE_PATH",
  // "copy ...", "rename ...".
  std::vector<std::string> rotations() const {
    std::lock_guard lock(mu_);
    return rotations_;
  }
  // What each rotation call was asked to chase (the fake cuts or renames
  // at once: its files do not grow during a call).
  std::vector<HeadChase> chases() const {
    std::lock_guard lock(mu_);
    return chases_;
  }
  // Every message RecoverRotation returned, in order.
  std::vector<std::string> recoveries() const {
    std::lock_guard lock(mu_);
    return recoveries_;
  }
  // How many times IsOpenForWriting was asked, failed answers included.
  int writing_asks() const {
    std::lock_guard lock(mu_);
    return writing_asks_;
  }

 private:
  using Identity = std::pair<uint64_t, uint64_t>;  // dev, ino
  static constexpr int kUntilTold = -2;

  Status Injected(RotatorOp op);
  Status Before(RotationStep step);
  Status After(RotationStep step, const RotationStepHook& hook);
  StatusOr<FileInfo> CheckLive(Dir& dir, const std::string& name,
                               const FileInfo& expected);
  Status CheckNothingPending(Dir& live_dir, const std::string& live_name,
                             Dir& archive_dir, const std::string& archive);
  StatusOr<RotationResult> Cut(Dir& live_dir, const std::string& live_name,
                               Dir& archive_dir, const std::string& archive,
                               const FileInfo& live,
                               const RotationStepHook& hook);
  StatusOr<std::string> RecoverCut(Dir& live_dir, const std::string& live_name,
                                   Dir& archive_dir, const RotationIntent& in);
  StatusOr<std::string> RecoverRename(Dir& live_dir,
                                      const std::string& live_name,
                                      Dir& archive_dir,
                                      const RotationIntent& in);
  void Told();

  FakeFilesystem& fs_;
  mutable std::mutex mu_;
  std::map<RotatorOp, std::vector<Status>> failures_;
  std::optional<std::pair<RotationStep, int>> fail_step_;
  std::optional<RotationStep> crash_after_;
  bool refuse_collapse_ = false;
  bool punched_ = false;
  int let_go_after_ = 0;
  std::vector<int> writer_pids_;
  std::function<void()> on_tell_;
  std::function<void(const HeadChase&, RotationResult*)> on_chase_;
  // Reopen-rotated archives the writer holds: questions left, kUntilTold
  // or kNeverLetsGo.
  std::map<Identity, int> held_;
  // Live paths whose head was cut under a still pending intent: what the
  // real one tells from the physical addresses of the blocks.
  std::set<std::string> cut_;
  std::vector<std::string> reopens_;
  std::vector<HeadChase> chases_;
  std::vector<std::string> rotations_;
  std::vector<std::string> recoveries_;
  int writing_asks_ = 0;
};

}  // namespace retention
