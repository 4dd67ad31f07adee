// LogRotator: the seam between the logs executor (LogsPolicy:
// logs_policy.cc, logs_rotate.cc, logs_compress.cc) and the OS steps of log
// rotation that the Filesystem seam cannot express: rotating a live file
// (method truncate: copy the head and collapse it off; method reopen:
// rename and create), finishing a rotation a crash or an error cut short,
// telling the writer to reopen (a signal through its pid file, or a
// command), and asking who still writes a file.
//
// Implementations: the POSIX one (NewPosixLogRotator, log_rotator_posix.cc)
// forwards to the free functions of log_rotation.h, whose crash protocol
// and error contracts every implementation keeps; tests use FakeLogRotator
// (tests/fakes/fake_log_rotator.h), which works on a FakeFilesystem's tree,
// records the reopen calls and can fail any step (ENOSPC, a writer that
// never lets go, a crash between two steps that leaves its intent for
// recovery). RegisterLogsKind is the one place that picks the real one.
//
// Directory handles come from the Filesystem the rotator was made for (the
// POSIX rotator: NewPosixFilesystem; the fake: its FakeFilesystem); names
// are single components.
//
// Threading: all methods may be called from several threads at once; one
// live file must not be rotated or recovered by two callers at once (the
// executor serializes per file). Only RunReopenCommand and the writer
// questions may take long (a child process, a /proc scan).
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "base/clock.h"
#include "base/status.h"
#include "os/filesystem.h"

namespace retention {

struct RotationResult {
  uint64_t bytes = 0;          // bytes moved into the archive
  bool lossless = true;        // false when the copy+truncate fallback ran
  uint64_t bytes_at_risk = 0;  // fallback only: live size just before the
                               // truncate minus bytes copied (at least that
                               // many bytes written in the window are lost)
  std::vector<std::string> warnings;  // log once per file
  // The head held a hole, which only a writer without O_APPEND leaves: it
  // was copied without it and punched out (log_rotation.h, RotateByCollapse).
  bool punched = false;
  // A chase (HeadChase): the time spent waiting for the writer, and from
  // the decision to cut until the live file was cut (truncate) or the
  // writer was told (reopen: the kLiveReplaced hook returned). Zero
  // otherwise.
  Duration waited{};
  Duration finish{};
};

// A truncate rotation started before its file reached `cap` (the watcher's
// early notice) chases the writer: the head is copied, and written back
// (by a thread of its own), into an unnamed file while the writer fills
// the live file, and the cut comes once the file is within what the writer
// adds in `finish_time` of the cap (at most half the cap below it), after
// `max_wait`, or when `stopping` says so, whether or not the copy kept up.
// The archive then ends near the cap (below it when the copy fell behind
// on a busy disk), and the cut only syncs what came since (at most 16 MiB
// not yet written back). cap == 0: no chase, the head is cut
// at once. Where the filesystem has no unnamed files (O_TMPFILE), the
// head is cut at once as well. A reopen rotation started early waits the
// same way after its intent is durable, copying nothing, then renames:
// only the rename, the new live file and the writer's notice come after
// the decision (`finish_time` plans for them).
struct HeadChase {
  uint64_t cap = 0;
  Duration finish_time{};
  // The writer's rate as the watcher saw it (0: unknown), which a chase
  // plans from until it has a rate of its own (truncate: after 100 ms).
  double bytes_per_second = 0;
  Duration max_wait{};
  std::function<bool()> stopping;
  // The run's work that would otherwise wait for the rotation (its
  // deletions), done while the chase waits for the writer: called instead
  // of a sleep with the time the writer needs to the cut at its rate
  // (Duration::max() while unknown); does at most one piece if it fits in
  // that time and says whether it did. What follows the cut then no
  // longer delays the next rotation's start, and the write-back goes on
  // meanwhile. Its time counts as waited. May be empty.
  std::function<bool(Duration time_left)> meanwhile;
};

// What the ledger entry of a punched rotation says (after its reason), and
// what the report looks for (logs_report.cc).
inline constexpr char kPunchedNote[] =
    "written without O_APPEND: head punched out in place";

// The durable steps of a rotation, in order, for the step hook below.
enum class RotationStep {
  kIntentWritten,     // intent durable (truncate: with the temp and the
                      // new carry, synced together); nothing published
  kArchiveWritten,    // ARCHIVE.rtd-tmp complete and fsynced
  kArchivePublished,  // renamed to ARCHIVE, directory fsynced
  kLiveCut,           // collapse (or fallback truncate) done and fsynced
  kLiveRenamed,       // reopen method: live renamed to the archive
  kLiveReplaced,      // reopen method: the new live file exists, its
                      // directory not synced yet (not durable: the writer
                      // may be told to reopen here)
  kLiveCreated,       // reopen method: the new live file exists
};
const char* RotationStepName(RotationStep step);

// Called after each step is durable (kLiveReplaced: done, not yet
// durable); tests kill the process there to prove recovery, the executor
// times the copy and tells a reopen's writer. May be empty.
using RotationStepHook = std::function<void(RotationStep)>;

// Mode and owner of the new live file; unset fields copy the old file's.
struct CreateSpec {
  std::optional<uint32_t> mode;
  std::optional<uint32_t> uid, gid;
};

class LogRotator {
 public:
  virtual ~LogRotator() = default;

  // method=truncate: moves the head of `live_name` (still `expected_live`)
  // into the new file `archive_name` in `archive_dir` and cuts it off the
  // live file, under an intent file beside it. result.bytes == 0 when there
  // was nothing to move (nothing created). Fails, having changed nothing:
  // kUnsafe (a symlink, not a regular file, not `expected_live`), kBusy
  // (the archive exists), kFailedPrecondition (an interrupted rotation's
  // intent is there: RecoverRotation first). Other errors (kNoSpace...)
  // after the intent was written may leave it for RecoverRotation.
  // `chase`: see HeadChase. (log_rotation.h: RotateByCollapse.)
  virtual StatusOr<RotationResult> RotateByCollapse(
      Dir& live_dir, const std::string& live_name, Dir& archive_dir,
      const std::string& archive_name, const FileInfo& expected_live,
      const RotationStepHook& hook, const HeadChase& chase) = 0;

  // method=reopen: renames the live file to the archive and creates an
  // empty live file per `create`. The writer keeps writing into the
  // archive until told to reopen, which `hook` may do at kLiveReplaced
  // (every success passes it). Fails like RotateByCollapse; a failure to
  // create the new live file after the rename leaves the intent for
  // RecoverRotation. `chase`: see HeadChase. (log_rotation.h:
  // RotateByRename.)
  virtual StatusOr<RotationResult> RotateByRename(
      Dir& live_dir, const std::string& live_name, Dir& archive_dir,
      const std::string& archive_name, const FileInfo& expected_live,
      const CreateSpec& create, const RotationStepHook& hook,
      const HeadChase& chase) = 0;

  // Finishes or undoes what an interrupted rotation of `live_name` left;
  // one message per action taken, empty when nothing was pending. Fails
  // kCorruption when the state cannot be told exactly (the intent stays),
  // kInvalidArgument when `archive_dir` is not the one the intent names.
  // (log_rotation.h: RecoverRotation.)
  virtual StatusOr<std::vector<std::string>> RecoverRotation(
      Dir& live_dir, const std::string& live_name, Dir& archive_dir) = 0;

  // Sends `signal` to the process `pid_file` names. Fails kNotFound,
  // kInvalidArgument, kUnsafe, kPermissionDenied (log_rotation.h:
  // SignalWriter).
  virtual Status SignalWriter(const std::string& pid_file, int signal) = 0;

  // Runs the reopen `command` (no shell) and waits up to `timeout`. OK on
  // exit status 0; kIoError, kAborted (timeout), kNotFound, kInvalidArgument
  // otherwise (log_rotation.h: RunReopenCommand).
  virtual Status RunReopenCommand(const std::string& command,
                                  Duration timeout) = 0;

  // Whether any process has `name` in `dir`, still the file `expected`,
  // open for writing (the contract of Filesystem::IsOpenForWritingAt):
  // kNotFound if gone, kAborted if replaced, kFailedPrecondition when it
  // cannot be told.
  virtual StatusOr<bool> IsOpenForWriting(Dir& dir, const std::string& name,
                                          const FileInfo& expected) = 0;
  // How many bytes at the head of `name` in `dir` (still the file
  // `expected`) were never written, a hole a writer without O_APPEND
  // leaves past a punched head: the set counts its size from there. 0
  // where nothing tells (the default).
  virtual StatusOr<uint64_t> UnwrittenHead(Dir& dir, const std::string& name,
                                           const FileInfo& expected) {
    (void)dir, (void)name, (void)expected;
    return uint64_t{0};
  }
  // How long to wait between two such questions about one archive, in real
  // time: `poll`, the time each wait counts for (a fake answers at once,
  // as a fake clock's Sleep does).
  virtual Duration AskAgainAfter(Duration poll) const { return poll; }

  // Process ids (sorted) seen holding `file` open for writing; best effort,
  // for messages only (log_rotation.h: VisibleWriters).
  virtual StatusOr<std::vector<int>> VisibleWriters(const FileInfo& file) = 0;
};

// The real rotator, over handles of NewPosixFilesystem(). Stateless.
std::unique_ptr<LogRotator> NewPosixLogRotator();

}  // namespace retention
