// FakeLogRotator: rotations, recovery and the writer model on a
// FakeFilesystem. See fake_log_rotator.h.
#include "fakes/fake_log_rotator.h"

#include <cerrno>

#include "os/fs_rules.h"

namespace retention {
namespace {

StatusOr<std::string> ReadAll(Filesystem& fs, Dir& dir,
                              const std::string& name) {
  auto file = fs.OpenFileAt(dir, name);
  if (!file.ok()) return file.status();
  std::string out, chunk;
  do {
    RETENTION_RETURN_IF_ERROR((*file)->Read(1 << 16, &chunk));
    out += chunk;
  } while (!chunk.empty());
  return out;
}

// Creates `name` holding `bytes`, synced with its directory.
Status WriteNew(Filesystem& fs, Dir& dir, const std::string& name,
                const std::string& bytes, uint32_t mode) {
  auto file = fs.CreateFileAt(dir, name, mode);
  if (!file.ok()) return file.status();
  RETENTION_RETURN_IF_ERROR((*file)->Write(bytes));
  RETENTION_RETURN_IF_ERROR((*file)->Sync());
  return fs.SyncDir(dir);
}

StatusOr<bool> There(Filesystem& fs, Dir& dir, const std::string& name) {
  auto info = fs.StatAt(dir, name);
  if (info.ok()) return true;
  if (info.status().IsNotFound()) return false;
  return info.status();
}

// The rotator's own files (intent, temp) go as the real one unlinks them:
// not through RemoveAt, so FakeFilesystem::removed() lists only what the
// code under test removed.
void Drop(FakeFilesystem& fs, Dir& dir, const std::string& name) {
  const std::string path = JoinPath(dir.path(), name);
  if (fs.Exists(path)) fs.Erase(path);
}

}  // namespace

StatusOr<RotationResult> FakeLogRotator::RotateByCollapse(
    Dir& live_dir, const std::string& live_name, Dir& archive_dir,
    const std::string& archive_name, const FileInfo& expected_live,
    const RotationStepHook& hook, const HeadChase& chase) {
  std::lock_guard lock(mu_);
  chases_.push_back(chase);
  RETENTION_RETURN_IF_ERROR(Injected(RotatorOp::kCollapse));
  StatusOr<FileInfo> live = CheckLive(live_dir, live_name, expected_live);
  if (!live.ok()) return live.status();
  RETENTION_RETURN_IF_ERROR(
      CheckNothingPending(live_dir, live_name, archive_dir, archive_name));
  if (live->size == 0) return RotationResult();
  RotationResult chased;
  if (chase.cap > live->size && on_chase_) on_chase_(chase, &chased);
  StatusOr<RotationResult> result =
      Cut(live_dir, live_name, archive_dir, archive_name, *live, hook);
  if (result.ok()) {
    result->waited = chased.waited;
    result->finish = chased.finish;
  }
  return result;
}

StatusOr<RotationResult> FakeLogRotator::Cut(Dir& live_dir,
                                             const std::string& live_name,
                                             Dir& archive_dir,
                                             const std::string& archive,
                                             const FileInfo& live,
                                             const RotationStepHook& hook) {
  const std::string live_path = JoinPath(live_dir.path(), live_name);
  auto head = ReadAll(fs_, live_dir, live_name);
  if (!head.ok()) return head.status();
  RotationIntent in;
  in.method = refuse_collapse_ ? RotationIntent::Method::kCopy
                               : RotationIntent::Method::kCollapse;
  in.archive = archive;
  in.archive_dir_dev = archive_dir.info().dev;
  in.archive_dir_ino = archive_dir.info().ino;
  in.live_dev = live.dev;
  in.live_ino = live.ino;
  in.length = head->size();
  const std::string intent = IntentName(live_name);
  const std::string temp = ArchiveTempName(archive);
  RETENTION_RETURN_IF_ERROR(Before(RotationStep::kIntentWritten));
  Status st = WriteNew(fs_, live_dir, intent, FormatIntent(in), 0600);
  if (!st.ok()) {
    Drop(fs_, live_dir, intent);
    return st;
  }
  RETENTION_RETURN_IF_ERROR(After(RotationStep::kIntentWritten, hook));
  st = Before(RotationStep::kArchiveWritten);
  if (st.ok()) st = WriteNew(fs_, archive_dir, temp, *head, live.mode);
  if (st.ok()) {
    RETENTION_RETURN_IF_ERROR(After(RotationStep::kArchiveWritten, hook));
    st = Before(RotationStep::kArchivePublished);
  }
  if (st.ok()) st = fs_.RenameAt(archive_dir, temp, archive_dir, archive);
  if (!st.ok()) {  // nothing published: dropping both undoes all
    Drop(fs_, archive_dir, temp);
    Drop(fs_, live_dir, intent);
    return st;
  }
  RETENTION_RETURN_IF_ERROR(After(RotationStep::kArchivePublished, hook));
  RETENTION_RETURN_IF_ERROR(Before(RotationStep::kLiveCut));  // recovery's
  fs_.CutHead(live_path, in.length);
  cut_.insert(live_path);
  RETENTION_RETURN_IF_ERROR(After(RotationStep::kLiveCut, hook));
  Drop(fs_, live_dir, intent);
  cut_.erase(live_path);
  RotationResult result;
  result.bytes = in.length;
  result.punched = punched_;
  const std::string archive_path = JoinPath(archive_dir.path(), archive);
  if (refuse_collapse_) {
    result.lossless = false;
    result.warnings.push_back(live_path +
                              ": the filesystem does not collapse ranges; "
                              "copied and truncated instead");
  }
  rotations_.push_back((refuse_collapse_ ? "copy " : "collapse ") + live_path +
                       " -> " + archive_path);
  return result;
}

StatusOr<RotationResult> FakeLogRotator::RotateByRename(
    Dir& live_dir, const std::string& live_name, Dir& archive_dir,
    const std::string& archive_name, const FileInfo& expected_live,
    const CreateSpec& create, const RotationStepHook& hook,
    const HeadChase& chase) {
  std::unique_lock lock(mu_);
  chases_.push_back(chase);
  RETENTION_RETURN_IF_ERROR(Injected(RotatorOp::kRename));
  StatusOr<FileInfo> live = CheckLive(live_dir, live_name, expected_live);
  if (!live.ok()) return live.status();
  RETENTION_RETURN_IF_ERROR(
      CheckNothingPending(live_dir, live_name, archive_dir, archive_name));
  const std::string live_path = JoinPath(live_dir.path(), live_name);
  const std::string archive_path = JoinPath(archive_dir.path(), archive_name);
  RotationIntent in;
  in.method = RotationIntent::Method::kRename;
  in.archive = archive_name;
  in.archive_dir_dev = archive_dir.info().dev;
  in.archive_dir_ino = archive_dir.info().ino;
  in.live_dev = live->dev;
  in.live_ino = live->ino;
  in.mode = create.mode.value_or(live->mode);
  in.uid = create.uid.value_or(live->uid);
  in.gid = create.gid.value_or(live->gid);
  const std::string intent = IntentName(live_name);
  RETENTION_RETURN_IF_ERROR(Before(RotationStep::kIntentWritten));
  Status st = WriteNew(fs_, live_dir, intent, FormatIntent(in), 0600);
  if (!st.ok()) {
    Drop(fs_, live_dir, intent);
    return st;
  }
  RETENTION_RETURN_IF_ERROR(After(RotationStep::kIntentWritten, hook));
  RotationResult chased;
  if (chase.cap > live->size && on_chase_) on_chase_(chase, &chased);
  st = Before(RotationStep::kLiveRenamed);
  if (st.ok()) {
    st = fs_.RenameAt(live_dir, live_name, archive_dir, archive_name);
  }
  if (!st.ok()) {
    Drop(fs_, live_dir, intent);
    return st;
  }
  held_[{live->dev, live->ino}] = kUntilTold;
  RETENTION_RETURN_IF_ERROR(After(RotationStep::kLiveRenamed, hook));
  RETENTION_RETURN_IF_ERROR(Before(RotationStep::kLiveCreated));  // recovery's
  RotationResult result;
  result.bytes = live->size;
  result.waited = chased.waited;
  result.finish = chased.finish;
  st = WriteNew(fs_, live_dir, live_name, "", in.mode);
  if (st.IsBusy()) {
    result.warnings.push_back(live_path +
                              ": recreated by someone else first; kept");
  } else if (!st.ok()) {
    return st;  // the intent stays: recovery creates the file
  }
  // The hook may tell the writer (SignalWriter takes mu_).
  lock.unlock();
  if (hook) hook(RotationStep::kLiveReplaced);
  lock.lock();
  RETENTION_RETURN_IF_ERROR(After(RotationStep::kLiveReplaced, {}));
  RETENTION_RETURN_IF_ERROR(After(RotationStep::kLiveCreated, hook));
  Drop(fs_, live_dir, intent);
  rotations_.push_back("rename " + live_path + " -> " + archive_path);
  return result;
}

StatusOr<std::vector<std::string>> FakeLogRotator::RecoverRotation(
    Dir& live_dir, const std::string& live_name, Dir& archive_dir) {
  std::lock_guard lock(mu_);
  RETENTION_RETURN_IF_ERROR(Injected(RotatorOp::kRecover));
  const std::string live_path = JoinPath(live_dir.path(), live_name);
  const std::string intent = IntentName(live_name);
  std::vector<std::string> done;
  auto text = ReadAll(fs_, live_dir, intent);
  if (!text.ok() && text.status().IsNotFound()) return done;
  if (!text.ok()) return text.status();
  StatusOr<RotationIntent> in = ParseIntent(*text);
  if (!in.ok()) {
    // Only a writer that died before its fsync leaves an incomplete one.
    Drop(fs_, live_dir, intent);
    done.push_back(live_path + ": incomplete rotation intent removed");
  } else if (archive_dir.info().dev != in->archive_dir_dev ||
             archive_dir.info().ino != in->archive_dir_ino) {
    return Status::InvalidArgument(live_path + ": its rotation used another " +
                                   "archive directory than " +
                                   archive_dir.path());
  } else {
    StatusOr<std::string> what =
        in->method == RotationIntent::Method::kRename
            ? RecoverRename(live_dir, live_name, archive_dir, *in)
            : RecoverCut(live_dir, live_name, archive_dir, *in);
    if (!what.ok()) return what.status();
    Drop(fs_, live_dir, intent);
    cut_.erase(live_path);
    done.push_back(*what);
  }
  recoveries_.insert(recoveries_.end(), done.begin(), done.end());
  return done;
}

StatusOr<std::string> FakeLogRotator::RecoverCut(Dir& live_dir,
                                                 const std::string& live_name,
                                                 Dir& archive_dir,
                                                 const RotationIntent& in) {
  const std::string live_path = JoinPath(live_dir.path(), live_name);
  const std::string archive_path = JoinPath(archive_dir.path(), in.archive);
  auto temp = There(fs_, archive_dir, ArchiveTempName(in.archive));
  if (!temp.ok()) return temp.status();
  if (*temp) {
    Drop(fs_, archive_dir, ArchiveTempName(in.archive));
    return live_path + ": rotation undone, its unpublished archive removed";
  }
  auto archive = There(fs_, archive_dir, in.archive);
  if (!archive.ok()) return archive.status();
  if (!*archive) return live_path + ": rotation undone, nothing was moved";
  if (cut_.count(live_path)) {
    return live_path + ": rotation to " + archive_path + " was complete";
  }
  auto live = fs_.StatAt(live_dir, live_name);
  if (!live.ok() || live->dev != in.live_dev || live->ino != in.live_ino) {
    return live_path + ": replaced since; " + archive_path +
           " kept, nothing collapsed";
  }
  fs_.CutHead(live_path, in.length);
  return live_path + ": head of " + std::to_string(in.length) +
         " bytes collapsed after a crash";
}

StatusOr<std::string> FakeLogRotator::RecoverRename(
    Dir& live_dir, const std::string& live_name, Dir& archive_dir,
    const RotationIntent& in) {
  const std::string live_path = JoinPath(live_dir.path(), live_name);
  const std::string archive_path = JoinPath(archive_dir.path(), in.archive);
  auto archive = There(fs_, archive_dir, in.archive);
  if (!archive.ok()) return archive.status();
  if (!*archive) return live_path + ": rotation undone, nothing was renamed";
  auto live = There(fs_, live_dir, live_name);
  if (!live.ok()) return live.status();
  if (*live) {
    return live_path + ": renamed to " + archive_path +
           "; the writer must be told to reopen";
  }
  RETENTION_RETURN_IF_ERROR(WriteNew(fs_, live_dir, live_name, "", in.mode));
  return live_path + ": recreated after its rename to " + archive_path +
         "; the writer must be told to reopen";
}

Status FakeLogRotator::SignalWriter(const std::string& pid_file, int signal) {
  std::function<void()> on_tell;
  {
    std::lock_guard lock(mu_);
    reopens_.push_back("signal " + std::to_string(signal) + " " + pid_file);
    RETENTION_RETURN_IF_ERROR(Injected(RotatorOp::kSignal));
    Told();
    on_tell = on_tell_;
  }
  if (on_tell) on_tell();
  return Status::Ok();
}

Status FakeLogRotator::RunReopenCommand(const std::string& command,
                                        Duration timeout) {
  (void)timeout;  // the fake command returns at once
  std::lock_guard lock(mu_);
  reopens_.push_back("command " + command);
  RETENTION_RETURN_IF_ERROR(Injected(RotatorOp::kCommand));
  Told();
  return Status::Ok();
}

StatusOr<bool> FakeLogRotator::IsOpenForWriting(Dir& dir,
                                                const std::string& name,
                                                const FileInfo& expected) {
  std::lock_guard lock(mu_);
  ++writing_asks_;
  RETENTION_RETURN_IF_ERROR(Injected(RotatorOp::kIsOpenForWriting));
  StatusOr<bool> writing = fs_.IsOpenForWritingAt(dir, name, expected);
  if (!writing.ok()) return writing;
  auto it = held_.find({expected.dev, expected.ino});
  if (it == held_.end()) return writing;
  if (it->second == 0) {
    held_.erase(it);
    return writing;
  }
  if (it->second > 0) --it->second;
  return true;
}

StatusOr<std::vector<int>> FakeLogRotator::VisibleWriters(const FileInfo&) {
  std::lock_guard lock(mu_);
  return writer_pids_;
}

Status FakeLogRotator::Injected(RotatorOp op) {
  auto it = failures_.find(op);
  if (it == failures_.end() || it->second.empty()) return Status::Ok();
  Status st = it->second.front();
  it->second.erase(it->second.begin());
  return st;
}

Status FakeLogRotator::Before(RotationStep step) {
  if (!fail_step_ || fail_step_->first != step) return Status::Ok();
  const int err = fail_step_->second;
  fail_step_.reset();
  return Status::FromErrno(err,
                           std::string(RotationStepName(step)) + " (injected)");
}

Status FakeLogRotator::After(RotationStep step, const RotationStepHook& hook) {
  if (hook) hook(step);
  if (crash_after_ != step) return Status::Ok();
  crash_after_.reset();
  return Status::Aborted(std::string("simulated crash after ") +
                         RotationStepName(step));
}

StatusOr<FileInfo> FakeLogRotator::CheckLive(Dir& dir, const std::string& name,
                                             const FileInfo& expected) {
  StatusOr<FileInfo> live = fs_.StatAt(dir, name);
  if (!live.ok()) return live.status();
  const std::string path = JoinPath(dir.path(), name);
  if (live->type != FileType::kRegular) {
    return Status::Unsafe(path + ": not a regular file");
  }
  if (!live->SameIdentity(expected)) {
    return Status::Unsafe(path + ": replaced since it was examined");
  }
  return live;
}

Status FakeLogRotator::CheckNothingPending(Dir& live_dir,
                                           const std::string& live_name,
                                           Dir& archive_dir,
                                           const std::string& archive) {
  auto intent = There(fs_, live_dir, IntentName(live_name));
  if (!intent.ok()) return intent.status();
  if (*intent) {
    return Status::FailedPrecondition(JoinPath(live_dir.path(), live_name) +
                                      ": an interrupted rotation is pending");
  }
  for (const std::string& name : {archive, ArchiveTempName(archive)}) {
    auto there = There(fs_, archive_dir, name);
    if (!there.ok()) return there.status();
    if (*there) {
      return Status::Busy(JoinPath(archive_dir.path(), name) + ": exists");
    }
  }
  return Status::Ok();
}

void FakeLogRotator::Told() {
  for (auto& [identity, asks] : held_) {
    if (asks == kUntilTold) asks = let_go_after_;
  }
}

}  // namespace retention
