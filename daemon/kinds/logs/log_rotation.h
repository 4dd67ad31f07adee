// Log rotation primitives: the OS steps of the `truncate` and `reopen`
// methods of DESIGN.md invariant 3, their crash recovery (invariant 5), and
// what the executor needs around them (telling a writer to reopen, finding
// who still holds a file). The planner decides what to rotate; the executor
// reaches these only through the LogRotator seam (log_rotator.h), whose
// POSIX implementation (log_rotator_posix.cc) forwards here, so that tests
// can run it on fakes. Implemented in log_rotation_posix.cc (truncate method),
// rename_rotation_posix.cc (reopen method), rotation_recovery_posix.cc,
// log_writers_posix.cc (/proc scans, leases) and writer_notify_posix.cc.
//
// Names are single components in handles from the POSIX Filesystem; the live
// file and its archive must be on one filesystem. Every rotation of a live
// file LIVE keeps an intent file `.LIVE.rtd-rotate` (mode 0600) beside it
// from before its first change until after its last, and writes the archive
// first as ARCHIVE.TOKEN.rtd-tmp, TOKEN random and recorded in the intent,
// so nothing planted in advance can take the temp's name and stall the log;
// planners must ignore both names.
//
// Crash protocol of RotateByCollapse (N = head length, P0 / PN = physical
// addresses of the live file's bytes 0 and N, read with FIEMAP after fsync;
// a collapse shifts logical offsets but never moves blocks, so byte 0 maps
// to P0 before the collapse and to PN after it, exactly; a writer cannot
// forge either, unlike content):
//   1. intent {method, N, P0, PN, live dev/ino, archive dir, name, temp}
//      written (O_EXCL)
//   2. ARCHIVE.TOKEN.rtd-tmp <- live[0, N) (O_EXCL), the fragment after
//      the last line to the new carry; then 1 and 2 fsynced together with
//      both directories (one journal commit, not one each)
//   3. renameat2(RENAME_NOREPLACE) to ARCHIVE, archive directory fsynced
//   4. fallocate(COLLAPSE_RANGE, 0, N) on the live file, fsynced
//   5. intent removed, directory fsynced
// A chased head (HeadChase, log_rotator.h) is copied before step 1 into an
// unnamed file (O_TMPFILE) in the archive directory while the writer still
// appends; step 2 then links it as ARCHIVE.TOKEN.rtd-tmp (linkat, which
// never replaces a name) and adds the rest of the head. A crash before the
// link leaves nothing: the unnamed file has no name to find.
// RecoverRotation reads the intent: temp still there -> 3 never happened:
// remove the temp and the intent. Archive there and byte 0 at P0 -> 4 never
// happened: collapse now, but only if the archive holds exactly live[0, N)
// (so a foreign file under that name can never cost a byte). Byte 0 at PN ->
// 4 is done: remove the intent. Byte 0 anywhere else (blocks moved by
// defragmentation, say) -> kCorruption, the intent stays for an operator.
// No archive (or one not holding the head), or a live file replaced since
// -> nothing is collapsed, whatever exists is kept, the intent removed.
// The copy+truncate fallback uses the same intent (method copy, where FIEMAP
// may be missing); its step 4 is ftruncate(0), and recovery withdraws the
// archive while the live file still starts with all of the archive's bytes,
// else keeps it. That comparison is the one inexact spot: were the log
// truncated and then rewritten with the very same bytes, up to the
// archive's length, before recovery ran, the archive would be withdrawn.
// RotateByRename's intent records the create spec, so recovery can create a
// live file that a crash between rename and create left missing.
//
// After an error from a Rotate* function, call RecoverRotation before the
// next rotation of that file: a failure past step 1 may leave the intent
// (the next rotation then fails kFailedPrecondition). Recovery never needs
// the rotation's arguments but the archive directory.
//
// Threading: all functions are reentrant; one live file must not be rotated
// or recovered by two callers at once (the executor serializes per file).
// Only the /proc scans and RunReopenCommand may take long (a child).
#pragma once

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "base/clock.h"
#include "base/status.h"
#include "kinds/logs/log_rotator.h"
#include "os/filesystem.h"

namespace retention {

// RotationResult, RotationStep, RotationStepHook and CreateSpec are the
// LogRotator seam's vocabulary (log_rotator.h).

// method=truncate. Moves the whole filesystem blocks (st_blksize, else 4096)
// at the head of `live_name` into a new file `archive_name` in `archive_dir`
// and collapses them off the live file (protocol above); an O_APPEND writer
// keeps appending throughout and no byte is lost or duplicated. The head is
// every whole block of the current size (with `chase`: of the size when
// the cut is due) except that at least one byte stays behind it
// (recovery needs a mapped block after the head): a file of
// exactly k blocks keeps its last block, and a file of at most one block
// returns bytes == 0 without creating anything. The archive gets the live
// file's mode and owner.
// Where collapse is refused (EOPNOTSUPP/EINVAL: tmpfs, btrfs, non-extent
// ext4) or the extents cannot be told apart (a hole at the head), falls back
// to copying everything and ftruncate(0): lossless = false, bytes_at_risk
// counts the window, and a warning says so. Writers without O_APPEND are
// named in a warning (they leave NUL-filled holes after any truncation)
// where /proc shows them; a hole in the live file, which such a writer
// left after the last rotation, is reported whoever wrote it.
// Fails, having changed nothing: kUnsafe if `live_name` is a symlink, not a
// regular file, or not `expected_live` (dev/ino); kBusy if `archive_name`
// exists; kFailedPrecondition if an intent from an
// interrupted rotation is present (call RecoverRotation first);
// kInvalidArgument for names with '\n' or directories on two filesystems.
// I/O errors (kNoSpace...) after step 1 roll back what they can; whatever
// is left is finished by RecoverRotation.
StatusOr<RotationResult> RotateByCollapse(Dir& live_dir,
                                          const std::string& live_name,
                                          Dir& archive_dir,
                                          const std::string& archive_name,
                                          const FileInfo& expected_live,
                                          const RotationStepHook& hook = {},
                                          const HeadChase& chase = {});

// method=reopen. renameat2(RENAME_NOREPLACE) live -> archive, then creates
// an empty live file (O_EXCL, O_NOFOLLOW) with `create`'s mode and owner,
// passes kLiveReplaced (the writer may be told there), then fsyncs the new
// file and both directories. With `chase` (HeadChase, log_rotator.h) it
// waits between its durable intent and the rename for the live file to
// near the cap. The writer keeps writing into the archive until
// it is told to reopen (SignalWriter / RunReopenCommand); compress the
// archive only once Filesystem::IsOpenForWritingAt says false. result.bytes is
// the archive size at the rename. If the writer recreated the live file first,
// that file is kept and a warning says so. Fails like RotateByCollapse
// (kUnsafe, kBusy, kFailedPrecondition), having changed nothing; if the new
// live file cannot be created after the rename, the error comes with the intent
// left for RecoverRotation to create it.
StatusOr<RotationResult> RotateByRename(
    Dir& live_dir, const std::string& live_name, Dir& archive_dir,
    const std::string& archive_name, const FileInfo& expected_live,
    const CreateSpec& create, const RotationStepHook& hook = {},
    const HeadChase& chase = {});

// Sends `signal` to the process whose id `pid_file` holds (one positive
// decimal integer, surrounding whitespace allowed). A pid file not owned by
// root must belong to the process's owner, so whoever can write it cannot
// aim the signal at someone else's process. The process's owner comes from
// its pidfd (PIDFD_GET_INFO, Linux 6.13) where the kernel can tell, else
// from /proc/PID/status; the signal goes through the pidfd, so a pid reused
// in between is never hit. Fails kNotFound (no file, no such process),
// kInvalidArgument (bad contents), kUnsafe (owner mismatch, not a regular
// file), kPermissionDenied (also: the owner cannot be read, because /proc
// hides the process and the kernel predates PIDFD_GET_INFO).
Status SignalWriter(const std::string& pid_file, int signal);

// Runs `command` (split on spaces and tabs, no shell; the program is looked
// up in PATH) with stdin and stdout on /dev/null, in its own process group,
// and waits up to `timeout`. OK on exit status 0. Fails kIoError on another
// exit status or a signal (the message ends with the first line the command
// wrote to stderr), kAborted on timeout (the whole group is killed),
// kNotFound if the program does not exist, kInvalidArgument if empty.
Status RunReopenCommand(const std::string& command, Duration timeout);

// VisibleWriters and NonAppendWriters, who writes a file: os/file_posix.h.

// Finishes or undoes whatever an interrupted rotation of `live_name` left
// (protocol above); call it before planning, with the archive directory the
// rotation used. Returns one message per action taken (empty: nothing was
// pending), e.g. "access.log: head of 4096 bytes collapsed after a crash".
// After a recovered reopen rotation the writer must be told to reopen again.
// Fails kCorruption when the state cannot be told exactly (the intent stays;
// rotate nothing in this file until an operator looked), kInvalidArgument if
// `archive_dir` is not the one the intent names. Whatever retentiond
// cannot have written at the intent's name (a symlink, a FIFO, another
// user's file) is removed unread, with a message saying so; a root-owned
// file it cannot read stays (kUnsafe) for an operator.
StatusOr<std::vector<std::string>> RecoverRotation(Dir& live_dir,
                                                   const std::string& live_name,
                                                   Dir& archive_dir);

}  // namespace retention
