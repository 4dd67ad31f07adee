// Building blocks shared by the log rotation *_posix.cc files: opening the
// live file for the rotation, the intent file's life cycle, physical extent
// lookup (FIEMAP), copying and comparing byte ranges, and publishing the
// archive temp file. Only *_posix.cc files include this header. Reentrant;
// every descriptor belongs to the calling thread.
#pragma once

#include <chrono>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "kinds/logs/log_rotation.h"
#include "kinds/logs/rotation_intent.h"
#include "os/file_posix.h"

namespace retention::posix {

// The handles and names one rotation works on, with paths for messages.
struct RotationTarget {
  int live_dir = -1;
  int archive_dir = -1;
  std::string live_name;
  std::string archive_name;
  std::string live_path;     // for messages only
  std::string archive_path;  // for messages only
  FileInfo archive_dir_info;
};

// Checks both names and that both directories are on one filesystem, and
// builds the target. kInvalidArgument otherwise.
StatusOr<RotationTarget> MakeTarget(Dir& live_dir, const std::string& live_name,
                                    Dir& archive_dir,
                                    const std::string& archive_name);

// Opens the live file read-write without following a symlink (kUnsafe) or
// blocking on a FIFO; kUnsafe unless it is a regular file. Sets `*info`.
StatusOr<UniqueFd> OpenLive(const RotationTarget& t, FileInfo* info);

// kUnsafe unless `now` is `expected` (dev and ino).
Status CheckIdentity(const FileInfo& now, const FileInfo& expected,
                     const std::string& path);

// Before a rotation: kFailedPrecondition if an intent is pending, kBusy if
// the archive exists.
Status CheckNothingPending(const RotationTarget& t);

// An intent for `t` with the identities filled in and a temp name with a
// fresh random token.
RotationIntent NewIntent(const RotationTarget& t, RotationIntent::Method m,
                         const FileInfo& live);

// Creates the intent (O_EXCL, mode 0600), fsyncs it and the live directory.
Status WriteIntent(const RotationTarget& t, const RotationIntent& intent);
// Creates the intent as WriteIntent does but syncs nothing: the caller
// syncs the returned file and the live directory (SyncTogether) before it
// relies on it, and removes the intent on failure.
StatusOr<UniqueFd> CreateIntent(const RotationTarget& t,
                                const RotationIntent& intent);
// The pending intent, nullopt if none; kCorruption if it is incomplete,
// kUnsafe if it is not a regular file of our own user with one link.
StatusOr<std::optional<RotationIntent>> ReadIntent(int live_dir,
                                                   const std::string& live_name,
                                                   const std::string& path);
// Removes the intent (gone already: OK) and fsyncs the live directory.
Status RemoveIntent(int live_dir, const std::string& live_name);
// Removes what sits at the intent's name if retentiond cannot have written
// it (anything but a regular file of this process's user or root: a
// symlink, a FIFO, another user's file), so it cannot stall the log; true
// when it did. A non-empty directory there fails (ENOTEMPTY).
StatusOr<bool> RemovePlantedIntent(int live_dir, const std::string& live_name,
                                   const std::string& path);

// write() until all of `data` is written; `path` names it in errors.
Status WriteAll(int fd, std::string_view data, const std::string& path);
// pread until `len` bytes or end of file; returns the bytes read.
StatusOr<size_t> ReadAt(int fd, char* buf, size_t len, uint64_t offset);

// The physical byte address of `offset` in `fd`, after writing back the
// page that holds it (the whole file where its extent stays delayed).
// kFailedPrecondition when the offset is not in a plain mapped extent (a
// hole, delayed, inline, shared or encoded data); kIoError with EOPNOTSUPP
// where FIEMAP is missing.
StatusOr<uint64_t> PhysicalAddress(int fd, uint64_t offset,
                                   const std::string& path);

// Copies [offset, offset + length) of `from` to the end of `to`.
Status CopyRange(int from, int to, uint64_t offset, uint64_t length,
                 const std::string& path);
// True if the first `length` bytes of `a` and `b` are equal (false if
// either is shorter).
StatusOr<bool> SameHead(int a, int b, uint64_t length);
// True if `a`'s [a_off, a_off + length) equals `b`'s [b_off, b_off + length)
// (false if either is shorter).
StatusOr<bool> SameRange(int a, uint64_t a_off, int b, uint64_t b_off,
                         uint64_t length);

// The carry of a truncate rotation (CarryName, rotation_intent.h), in
// rotation_carry_posix.cc. Opens it for reading and sets `*size`; an
// absent carry, or one retentiond cannot have written (not a regular file
// of this user or root with one link), gives fd -1 and size 0 (such a name
// is replaced at the next CommitCarry).
StatusOr<UniqueFd> OpenCarry(int live_dir, const std::string& live_name,
                             uint64_t* size);
// sparse_copy_posix.cc, for a writer without O_APPEND (log_rotation.h):
// appends the bytes of `from`'s [offset, offset + length) that were
// written, holes and NUL bytes left out, to `to`; returns how many.
StatusOr<uint64_t> CopyWritten(int from, int to, uint64_t offset,
                               uint64_t length, const std::string& path);
// Warnings for a rotation of `path` (`info`): each writer /proc shows
// without O_APPEND; a hole in `fd`'s [0, size), which such a writer leaves
// past a cut.
void WarnNonAppendWriters(const FileInfo& info, const std::string& path,
                          RotationResult* result);
void WarnHole(int fd, uint64_t size, const std::string& path,
              RotationResult* result);
// True if `fd` has a hole (a range never written) before byte `n`.
StatusOr<bool> HoleBefore(int fd, uint64_t n, const std::string& path);
// Punches `fd`'s [0, n) out (a hole; the size stays) and fsyncs it;
// punching a hole again changes nothing.
Status PunchHead(int fd, uint64_t n, const std::string& path);
// How many bytes at the head of `fd` (of apparent `size`) are a hole:
// the offset of its first data, `size` when it holds none.
StatusOr<uint64_t> UnwrittenHead(int fd, uint64_t size,
                                 const std::string& path);
// One past the last '\n' in `fd`'s [0, n), looking back at most
// kMaxCarry bytes; 0 when there is none.
inline constexpr uint64_t kMaxCarry = 1 << 20;
StatusOr<uint64_t> LastLineEnd(int fd, uint64_t n, const std::string& path);
// Writes `live`'s [from, to) to NewCarryName (replacing a stale one);
// `written_only`: through CopyWritten. Syncs nothing: `*unsynced` gets the
// file, for the caller to sync with the live directory.
Status WriteNewCarry(const RotationTarget& t, int live, uint64_t from,
                     uint64_t to, bool written_only, UniqueFd* unsynced);
// After the cut: the new carry, if there is one, becomes the carry; else,
// unless `new_expected` (it was committed already), the old carry goes.
// Fsyncs the live directory. Idempotent, so recovery may repeat it.
Status CommitCarry(int live_dir, const std::string& live_name,
                   bool new_expected);
// Removes a new carry that no cut made current (gone already: OK).
Status DropNewCarry(int live_dir, const std::string& live_name);
// Removes the carry if `archive` starts with all of it (its bytes are
// archived): for an archive kept though its live file was not cut.
Status DropArchivedCarry(int live_dir, const std::string& live_name,
                         int archive, uint64_t carry);

// Creates the temp `name` beside the archive (O_EXCL, O_NOFOLLOW) with the
// mode and owner of `like`.
StatusOr<UniqueFd> CreateArchiveTemp(const RotationTarget& t,
                                     const std::string& name,
                                     const FileInfo& like);
// An unnamed file (O_TMPFILE) in the archive directory with the mode and
// owner of `like`: a crash before LinkArchiveTemp leaves nothing behind.
// Fails where the filesystem has no O_TMPFILE (EOPNOTSUPP, EISDIR).
StatusOr<UniqueFd> CreateArchiveTmpfile(const RotationTarget& t,
                                        const FileInfo& like);
// Gives the unnamed `tmp` the name `name` in the archive directory (kIoError
// with EEXIST if taken: nothing is replaced).
Status LinkArchiveTemp(const RotationTarget& t, int tmp,
                       const std::string& name);

// A head copied ahead of its cut (rotation_chase_posix.cc).
class WriteBackFollower;
struct ChasedHead {
  ChasedHead();
  ~ChasedHead();  // waits for the write-back in flight
  ChasedHead(ChasedHead&&) noexcept;

  UniqueFd tmp;          // unnamed: the carry, then live[0, copied) (and
                         // perhaps more, which TrimChased drops)
  uint64_t copied = 0;   // live bytes of `tmp` to archive, after the carry
  Duration waited{};     // spent waiting for the writer
  std::chrono::steady_clock::time_point decided;  // when the cut was due
  std::unique_ptr<WriteBackFollower> follower;  // stopped at the decision
};
// When `chase` asks for it (its cap above `like`'s size, the live file
// as opened), copies `carry` (`carry_size` bytes) and then the live file
// into a new CreateArchiveTmpfile, following the writer as HeadChase
// says, while a thread of its own writes back both files behind the
// copy; returns once the cut is due (by the live file's size). The head
// is then what was copied, up to what the cut can sync soon (at most
// 16 MiB not yet written back: on a busy disk the copy falls behind, and
// the rest stays in the live file). Changes nothing the protocol knows
// of. nullopt when not asked or the filesystem has no unnamed files;
// kAborted if the live file shrank or was rewritten meanwhile.
StatusOr<std::optional<ChasedHead>> ChaseHead(const RotationTarget& t,
                                              int live, const FileInfo& like,
                                              int carry, uint64_t carry_size,
                                              const HeadChase& chase);
// The live file's size at which ChaseHead cuts, with the writer at `rate`
// (bytes/s) and the file at `size`, of which `written` is written back:
// where it is within what the writer adds in the planned finish time of
// the cap (at most half the cap below it), or a quarter of that from the
// cap while the cut would take less than the whole file and half the cap.
uint64_t ChaseDueAt(const HeadChase& chase, double rate, uint64_t size,
                    uint64_t written);
// The reopen method's chase: waits, as ChaseHead does but copying
// nothing, until the file `live` (an open descriptor) is due for its
// rename. Returns the time it waited (the chase's meanwhile work
// included).
StatusOr<Duration> WaitForCap(int live, const std::string& path,
                              const HeadChase& chase);
// Cuts a chased head in `tmp` back to the carry and live[0, cut) (or
// less, if not copied that far), and moves its file offset there.
Status TrimChased(const RotationTarget& t, const ChasedHead& head,
                  uint64_t carry, uint64_t cut, int tmp);

// Renames the fsynced temp `tmp` (named `tmp_name`) to the archive name
// without replacing
// (kBusy if it exists), checks that the name now is `tmp`'s inode (kUnsafe
// if not) and fsyncs the directory. Sets `*published` once the rename is
// done; if the rename failed, the temp is removed again when still ours.
Status PublishArchive(const RotationTarget& t, const std::string& tmp_name,
                      int tmp, bool* published);
// Unlinks `name` in `dir` if it still is the inode of `fd`.
Status RemoveIfSame(int dir, const std::string& name, int fd,
                    const std::string& path);

// Creates the empty live file `name` (O_EXCL, O_NOFOLLOW) with this mode
// and owner and, with `sync`, fsyncs it and `dir`. kBusy if the name
// exists. `*fd` (if not null) gets the file, open for its later fsync.
Status CreateLiveFile(int dir, const std::string& name, uint32_t mode,
                      uint32_t uid, uint32_t gid, const std::string& path,
                      bool sync = true, UniqueFd* fd = nullptr);

Status SyncFd(int fd, const std::string& path);
// A file or directory to sync, with its path for messages.
struct ToSync {
  int fd = -1;
  std::string path;
};
// Fsyncs every file of `files` (fd -1: skipped), in order, after starting
// the write-back of all: the filesystem's journal then commits their
// blocks and names once, in the first fsync, and the others find them
// committed (on a busy disk each commit can take a tenth of a second).
// Each is still fsynced: nothing relies on the journal's order.
Status SyncTogether(const std::vector<ToSync>& files);
// True if `name` exists in `dir` (as anything, symlinks not followed).
StatusOr<bool> NameExists(int dir, const std::string& name,
                          const std::string& path);

// Runs the hook, if any.
inline void Step(const RotationStepHook& hook, RotationStep step) {
  if (hook) hook(step);
}

}  // namespace retention::posix
