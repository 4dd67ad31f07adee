// The truncate method of log rotation: RotateByCollapse and its
// copy+truncate fallback, following the crash protocol in log_rotation.h.
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <functional>
#include <optional>

#include "kinds/logs/log_rotation.h"
#include "kinds/logs/rotation_io_posix.h"
#include "os/file_posix.h"

namespace retention {
namespace {

using posix::RotationTarget;
using posix::UniqueFd;

constexpr uint64_t kDefaultBlock = 4096;

// The live file of one rotation, opened and checked.
struct Live {
  RotationTarget t;
  UniqueFd fd;
  FileInfo info;
  const RotationStepHook& hook;
};

// st_blksize when it is a plausible block size, else 4096.
uint64_t BlockSize(int fd) {
  struct stat st;
  if (fstat(fd, &st) != 0) return kDefaultBlock;
  uint64_t b = static_cast<uint64_t>(st.st_blksize);
  return b >= 512 && (b & (b - 1)) == 0 ? b : kDefaultBlock;
}

// A collapse of a block a terabyte past the end can never remove a byte: it
// fails EINVAL where the filesystem collapses and EOPNOTSUPP where it does
// not, which spares copying the head only to roll it back.
bool CollapseRefused(int fd, uint64_t size, uint64_t block) {
  const uint64_t past = (size / block + 1) * block + (uint64_t{1} << 40);
  return fallocate(fd, FALLOC_FL_COLLAPSE_RANGE, static_cast<off_t>(past),
                   static_cast<off_t>(block)) != 0 &&
         errno == EOPNOTSUPP;
}

// A punch of a block past the end changes nothing where the filesystem
// punches holes (the size is kept), and fails EOPNOTSUPP where it does not:
// there the head is rotated as before and the hole stays.
bool PunchWorks(int fd, uint64_t size, uint64_t block) {
  const uint64_t past = (size / block + 1) * block + (uint64_t{1} << 40);
  return fallocate(fd, FALLOC_FL_PUNCH_HOLE | FALLOC_FL_KEEP_SIZE,
                   static_cast<off_t>(past), static_cast<off_t>(block)) == 0;
}

// The temp under its intent's name: `chased`, the unnamed file a chase
// filled, linked there, or a new file.
StatusOr<UniqueFd> NameTemp(const RotationTarget& t, const std::string& name,
                            const FileInfo& like, UniqueFd* chased) {
  if (chased == nullptr) return posix::CreateArchiveTemp(t, name, like);
  RETENTION_RETURN_IF_ERROR(posix::LinkArchiveTemp(t, chased->get(), name));
  return std::move(*chased);
}

// Steps 1-3 of the protocol: intent, temp filled by `fill` (after what a
// chase put into `chased`, if not null), publish. On failure before the
// rename, the temp and the intent are gone again; after it (`*published`),
// both stay for RecoverRotation. `fill` may hand over a new carry it did
// not sync (`*carry`). The intent, the temp and the new carry are synced
// together, with both directories, before the rename: one journal commit
// where one each (and one more for the intent alone) cost a tenth of a
// second each on a busy disk, with the writer adding to the live file.
using FillFn = std::function<StatusOr<uint64_t>(int tmp, UniqueFd* carry)>;
StatusOr<uint64_t> WriteArchive(Live& live, const RotationIntent& intent,
                                const FillFn& fill, UniqueFd* chased,
                                UniqueFd* tmp, bool* published) {
  const RotationTarget& t = live.t;
  StatusOr<UniqueFd> written = posix::CreateIntent(t, intent);
  if (!written.ok()) return written.status();
  StatusOr<UniqueFd> created = NameTemp(t, intent.temp, live.info, chased);
  UniqueFd carry;
  StatusOr<uint64_t> bytes = created.ok()
                                 ? fill(created->get(), &carry)
                                 : StatusOr<uint64_t>(created.status());
  Status st = bytes.status();
  if (st.ok()) {
    st = posix::SyncTogether({{created->get(), t.archive_path},
                              {carry.get(), t.live_path + " carry"},
                              {written->get(), t.live_path + " intent"},
                              {t.live_dir, t.live_path + " directory"},
                              {t.archive_dir, t.archive_path + " directory"}});
  }
  if (st.ok()) {
    posix::Step(live.hook, RotationStep::kIntentWritten);
    posix::Step(live.hook, RotationStep::kArchiveWritten);
    st = posix::PublishArchive(t, intent.temp, created->get(), published);
  }
  if (!st.ok() && !*published) {
    // Nothing is published: dropping the temp, then the intent, undoes all.
    // Whatever cannot be dropped stays for RecoverRotation, the intent last
    // (without it, nothing would name the temp).
    Status undo = created.ok()
                      ? posix::RemoveIfSame(t.archive_dir, intent.temp,
                                            created->get(), t.archive_path)
                      : Status::Ok();
    if (undo.ok()) undo = posix::DropNewCarry(t.live_dir, t.live_name);
    if (undo.ok()) posix::RemoveIntent(t.live_dir, t.live_name);
  }
  if (!st.ok()) return st;
  posix::Step(live.hook, RotationStep::kArchivePublished);
  *tmp = std::move(created).value();
  return *bytes;
}

// Steps 5 and 6, after the cut: the carry is made current, then the
// intent goes; a failure only delays either to recovery (the intent stays
// until the carry is current).
void FinishRotation(Live& live, bool new_carry, RotationResult* result) {
  posix::Step(live.hook, RotationStep::kLiveCut);
  Status st =
      posix::CommitCarry(live.t.live_dir, live.t.live_name, new_carry);
  if (st.ok()) st = posix::RemoveIntent(live.t.live_dir, live.t.live_name);
  if (!st.ok()) {
    result->warnings.push_back(st.ToString() +
                               " (RecoverRotation will remove the intent)");
  }
}

StatusOr<RotationResult> CopyAndTruncate(Live& live, const std::string& why) {
  RotationResult result;
  RotationIntent intent =
      posix::NewIntent(live.t, RotationIntent::Method::kCopy, live.info);
  StatusOr<UniqueFd> carry =
      posix::OpenCarry(live.t.live_dir, live.t.live_name, &intent.carry);
  if (!carry.ok()) return carry.status();
  // Two passes: the whole file as it was, then what the writer added during
  // the first; bytes written after that are the window. The carry of an
  // earlier collapse opens the archive.
  uint64_t copied = 0;
  FillFn fill = [&](int tmp, UniqueFd*) -> StatusOr<uint64_t> {
    RETENTION_RETURN_IF_ERROR(posix::CopyRange(carry->get(), tmp, 0,
                                               intent.carry, live.t.live_path));
    for (int pass = 0; pass < 2; ++pass) {
      StatusOr<FileInfo> now = posix::StatxAt(live.fd.get(), "", "");
      if (!now.ok()) return now.status();
      if (now->size < copied) {
        return Status::Aborted(live.t.live_path + ": shrank while copied");
      }
      RETENTION_RETURN_IF_ERROR(posix::CopyRange(
          live.fd.get(), tmp, copied, now->size - copied, live.t.live_path));
      copied = now->size;
    }
    return intent.carry + copied;
  };
  UniqueFd tmp;
  bool published = false;
  StatusOr<uint64_t> bytes =
      WriteArchive(live, intent, fill, nullptr, &tmp, &published);
  if (!bytes.ok()) return bytes.status();
  struct stat st;
  if (fstat(live.fd.get(), &st) != 0 || ftruncate(live.fd.get(), 0) != 0) {
    return Status::FromErrno(errno, "truncate " + live.t.live_path);
  }
  RETENTION_RETURN_IF_ERROR(posix::SyncFd(live.fd.get(), live.t.live_path));
  FinishRotation(live, /*new_carry=*/false, &result);
  result.bytes = *bytes;
  result.lossless = false;
  const uint64_t size = static_cast<uint64_t>(st.st_size);
  result.bytes_at_risk = size > copied ? size - copied : 0;
  result.warnings.push_back(
      live.t.live_path + ": " + why + "; copied and truncated instead, " +
      "which lost at least " + std::to_string(result.bytes_at_risk) +
      " bytes written meanwhile");
  return result;
}

// Why the head cannot be collapsed with an exact recovery ("" if it can),
// with the physical addresses of bytes 0 and `n` for the intent.
std::string CheckCollapsible(Live& live, uint64_t n, RotationIntent* intent) {
  StatusOr<uint64_t> head =
      posix::PhysicalAddress(live.fd.get(), 0, live.t.live_path);
  StatusOr<uint64_t> next =
      head.ok() ? posix::PhysicalAddress(live.fd.get(), n, live.t.live_path)
                : head;
  if (!next.ok())
    return "extents cannot be mapped (" + next.status().ToString() + ")";
  intent->length = n;
  intent->phys_head = *head;
  intent->phys_next = *next;
  return "";
}

// The exact path. Sets `*refused` (and changes nothing) when the
// filesystem refuses the collapse, so that the fallback runs instead.
StatusOr<RotationResult> CollapseHead(Live& live, uint64_t block,
                                      const HeadChase& chase,
                                      std::string* refused) {
  RotationIntent intent =
      posix::NewIntent(live.t, RotationIntent::Method::kCollapse, live.info);
  if (CollapseRefused(live.fd.get(), live.info.size, block)) {
    *refused = "the filesystem does not collapse ranges";
    return RotationResult();
  }
  StatusOr<UniqueFd> carry =
      posix::OpenCarry(live.t.live_dir, live.t.live_name, &intent.carry);
  if (!carry.ok()) return carry.status();
  auto head = posix::ChaseHead(live.t, live.fd.get(), live.info, carry->get(),
                               intent.carry, chase);
  if (!head.ok()) return head.status();
  if (*head) live.info.size = (*head)->copied;
  // At least one byte stays behind the head, so that byte 0 has a physical
  // address after the collapse too.
  const uint64_t n = (live.info.size - 1) / block * block;
  *refused = CheckCollapsible(live, n, &intent);
  if (!refused->empty()) return RotationResult();
  // The archive ends at the last whole line of the head; the fragment
  // after it goes to the new carry, which opens the next archive.
  StatusOr<uint64_t> cut =
      posix::LastLineEnd(live.fd.get(), n, live.t.live_path);
  if (!cut.ok()) return cut.status();
  intent.cut = *cut == 0 ? n : *cut;  // no line end: a line over kMaxCarry
  const bool new_carry = intent.cut < n;
  FillFn fill = [&](int tmp, UniqueFd* next) -> StatusOr<uint64_t> {
    RETENTION_RETURN_IF_ERROR(
        *head ? posix::TrimChased(live.t, **head, intent.carry, intent.cut, tmp)
              : posix::CopyRange(carry->get(), tmp, 0, intent.carry,
                                 live.t.live_path));
    const uint64_t from = *head ? std::min((*head)->copied, intent.cut) : 0;
    RETENTION_RETURN_IF_ERROR(posix::CopyRange(
        live.fd.get(), tmp, from, intent.cut - from, live.t.live_path));
    if (new_carry) {
      RETENTION_RETURN_IF_ERROR(posix::WriteNewCarry(
          live.t, live.fd.get(), intent.cut, n, false, next));
    }
    return intent.carry + intent.cut;
  };
  UniqueFd tmp;
  bool published = false;
  StatusOr<uint64_t> bytes = WriteArchive(
      live, intent, fill, *head ? &(*head)->tmp : nullptr, &tmp, &published);
  if (!bytes.ok()) return bytes.status();
  if (fallocate(live.fd.get(), FALLOC_FL_COLLAPSE_RANGE, 0,
                static_cast<off_t>(n)) != 0) {
    const int err = errno;
    Status st = Status::FromErrno(err, "collapse " + live.t.live_path);
    if (err != EOPNOTSUPP && err != EINVAL) return st;  // recovery decides
    // Refused before any change: the live file still holds the head and
    // the old carry its fragment, so withdrawing the archive loses nothing.
    RETENTION_RETURN_IF_ERROR(
        posix::RemoveIfSame(live.t.archive_dir, live.t.archive_name, tmp.get(),
                            live.t.archive_path));
    RETENTION_RETURN_IF_ERROR(
        posix::SyncFd(live.t.archive_dir, live.t.archive_path));
    RETENTION_RETURN_IF_ERROR(
        posix::DropNewCarry(live.t.live_dir, live.t.live_name));
    RETENTION_RETURN_IF_ERROR(
        posix::RemoveIntent(live.t.live_dir, live.t.live_name));
    *refused = "the filesystem refused the collapse (" + st.ToString() + ")";
    return RotationResult();
  }
  const auto collapsed = std::chrono::steady_clock::now();
  RETENTION_RETURN_IF_ERROR(posix::SyncFd(live.fd.get(), live.t.live_path));
  RotationResult result;
  FinishRotation(live, new_carry, &result);
  result.bytes = *bytes;
  if (*head) {
    result.waited = (*head)->waited;
    result.finish =
        std::chrono::duration_cast<Duration>(collapsed - (*head)->decided);
  }
  return result;
}

// A head holding a hole: a writer without O_APPEND keeps its offset and
// writes past any cut, so collapsing would only make the hole again
// (growing without end, NULs in every archive). The written bytes of the
// head (up to its last whole line) go to the archive, the fragment to the
// new carry, and the head is punched out in place: nothing moves under
// the writer, nothing it wrote is lost, disk use stays bounded; the file's
// apparent size is the writer's offset and keeps growing.
StatusOr<RotationResult> PunchHead(Live& live, uint64_t n) {
  RotationIntent intent =
      posix::NewIntent(live.t, RotationIntent::Method::kPunch, live.info);
  intent.length = n;
  StatusOr<UniqueFd> carry =
      posix::OpenCarry(live.t.live_dir, live.t.live_name, &intent.carry);
  if (!carry.ok()) return carry.status();
  StatusOr<uint64_t> cut =
      posix::LastLineEnd(live.fd.get(), n, live.t.live_path);
  if (!cut.ok()) return cut.status();
  intent.cut = *cut == 0 ? n : *cut;
  const bool new_carry = intent.cut < n;
  FillFn fill = [&](int tmp, UniqueFd* next) -> StatusOr<uint64_t> {
    RETENTION_RETURN_IF_ERROR(posix::CopyRange(carry->get(), tmp, 0,
                                               intent.carry, live.t.live_path));
    StatusOr<uint64_t> written =
        posix::CopyWritten(live.fd.get(), tmp, 0, intent.cut, live.t.live_path);
    if (!written.ok()) return written.status();
    if (new_carry) {
      RETENTION_RETURN_IF_ERROR(posix::WriteNewCarry(
          live.t, live.fd.get(), intent.cut, n, /*written_only=*/true, next));
    }
    return intent.carry + *written;
  };
  UniqueFd tmp;
  bool published = false;
  StatusOr<uint64_t> bytes =
      WriteArchive(live, intent, fill, nullptr, &tmp, &published);
  if (!bytes.ok()) return bytes.status();
  RETENTION_RETURN_IF_ERROR(
      posix::PunchHead(live.fd.get(), n, live.t.live_path));
  RotationResult result;
  FinishRotation(live, new_carry, &result);
  result.bytes = *bytes;
  result.punched = true;
  result.warnings.push_back(
      live.t.live_path +
      ": written without O_APPEND (the writer's offset runs past every cut, "
      "leaving a hole): rotated from now on by copying what was written and "
      "punching the head out in place; no line is lost and disk use stays "
      "bounded, but the file's apparent size keeps growing with the "
      "writer's offset (reads from its start see NUL bytes; at the "
      "filesystem's largest file size the writer fails) until the writer "
      "reopens it or opens it with O_APPEND");
  return result;
}

}  // namespace

StatusOr<RotationResult> RotateByCollapse(Dir& live_dir,
                                          const std::string& live_name,
                                          Dir& archive_dir,
                                          const std::string& archive_name,
                                          const FileInfo& expected_live,
                                          const RotationStepHook& hook,
                                          const HeadChase& chase) {
  StatusOr<RotationTarget> t =
      posix::MakeTarget(live_dir, live_name, archive_dir, archive_name);
  if (!t.ok()) return t.status();
  FileInfo info;
  StatusOr<UniqueFd> fd = posix::OpenLive(*t, &info);
  if (!fd.ok()) return fd.status();
  RETENTION_RETURN_IF_ERROR(
      posix::CheckIdentity(info, expected_live, t->live_path));
  RETENTION_RETURN_IF_ERROR(posix::CheckNothingPending(*t));
  Live live{*t, std::move(fd).value(), info, hook};

  const uint64_t block = BlockSize(live.fd.get());
  // At least one byte stays behind the head (CollapseHead).
  const uint64_t n = info.size == 0 ? 0 : (info.size - 1) / block * block;
  if (n == 0) return RotationResult();
  StatusOr<bool> hole = posix::HoleBefore(live.fd.get(), n, t->live_path);
  if (!hole.ok()) return hole.status();
  if (*hole && PunchWorks(live.fd.get(), info.size, block)) {
    return PunchHead(live, n);
  }
  // Looked for before the cut moves it (seeking moves no byte: all reads
  // and copies name their offsets): a hole past the head.
  RotationResult holes;
  posix::WarnHole(live.fd.get(), info.size, t->live_path, &holes);
  std::string refused;
  StatusOr<RotationResult> result = CollapseHead(live, block, chase, &refused);
  if (result.ok() && !refused.empty()) result = CopyAndTruncate(live, refused);
  // The /proc scan takes milliseconds: after the rotation, not inside it.
  if (result.ok()) posix::WarnNonAppendWriters(info, t->live_path, &*result);
  if (result.ok()) {
    for (std::string& w : holes.warnings) result->warnings.push_back(w);
  }
  return result;
}

const char* RotationStepName(RotationStep step) {
  switch (step) {
    case RotationStep::kIntentWritten:
      return "intent written";
    case RotationStep::kArchiveWritten:
      return "archive written";
    case RotationStep::kArchivePublished:
      return "archive published";
    case RotationStep::kLiveCut:
      return "live file cut";
    case RotationStep::kLiveRenamed:
      return "live file renamed";
    case RotationStep::kLiveReplaced:
      return "new live file in place";
    case RotationStep::kLiveCreated:
      return "live file created";
  }
  return "?";
}

}  // namespace retention
