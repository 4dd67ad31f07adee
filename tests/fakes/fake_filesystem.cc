// FakeFilesystem's Filesystem and File operations. Each one first consumes an
// injected failure, then applies the same rules, in the same order, as
// daemon/filesystem_posix.cc. See fake_filesystem.h.
#include "fakes/fake_filesystem.h"

#include <algorithm>
#include <cassert>
#include <cerrno>

#include "os/fs_rules.h"

namespace retention {
namespace {

// OK when no failure was injected (err == 0).
Status Injection(int err, const std::string& what) {
  if (err == 0) return Status::Ok();
  return Status::FromErrno(err, what + " (injected)");
}

}  // namespace

class FakeFilesystem::FakeDir final : public Dir {
 public:
  FakeDir(uint64_t ino, FileInfo info, std::string path)
      : ino_(ino), info_(info), path_(std::move(path)) {}
  const FileInfo& info() const override { return info_; }
  const std::string& path() const override { return path_; }
  // Precondition: `dir` came from a FakeFilesystem (handles never mix).
  static uint64_t InoOf(Dir& dir) {
    assert(dynamic_cast<FakeDir*>(&dir) != nullptr);
    return static_cast<FakeDir&>(dir).ino_;
  }

 private:
  uint64_t ino_;
  FileInfo info_;
  std::string path_;
};

// Plain fields: only FakeFilesystem, which owns the state, touches them.
class FakeFilesystem::FakeFile final : public File {
 public:
  FakeFile(FakeFilesystem& fs, uint64_t ino, std::string path, bool writable)
      : fs_(fs), ino_(ino), path_(std::move(path)), writable_(writable) {}
  Status Write(std::string_view data) override {
    return fs_.FileWrite(*this, data);
  }
  Status Read(size_t max, std::string* out) override {
    return fs_.FileRead(*this, max, out);
  }
  Status Sync() override { return fs_.FileSync(*this); }
  StatusOr<FileInfo> Stat() override { return fs_.FileStat(*this); }

  FakeFilesystem& fs_;
  const uint64_t ino_;
  const std::string path_;
  const bool writable_;
  uint64_t offset_ = 0;
};

Status FakeFilesystem::CheckEnterable(uint64_t parent, uint64_t child,
                                      const FileInfo* expected,
                                      const std::string& path) const {
  const Node& n = At(child);
  if (n.type == FileType::kSymlink) {
    return Status::Unsafe(path + ": is a symlink");
  }
  if (n.type != FileType::kDirectory) {
    return expected != nullptr
               ? Status::Unsafe(path + ": replaced by a non-directory")
               : Status::FromErrno(ENOTDIR, "open directory " + path);
  }
  if (n.mount_root || n.dev != At(parent).dev) {
    return Status::Unsafe(path + ": another filesystem is mounted here");
  }
  if (expected != nullptr && !Info(child).SameIdentity(*expected)) {
    return Status::Unsafe(path + ": replaced since it was listed");
  }
  return Status::Ok();
}

Status FakeFilesystem::CheckCreatable(uint64_t dir, const std::string& name,
                                      const std::string& path) const {
  RETENTION_RETURN_IF_ERROR(CheckName(name));
  if (At(dir).unlinked) return Status::FromErrno(ENOENT, "create " + path);
  if (Child(dir, name) != 0) return Status::FromErrno(EEXIST, "create " + path);
  return Status::Ok();
}

StatusOr<uint64_t> FakeFilesystem::FindRegular(uint64_t dir,
                                               const std::string& name,
                                               const std::string& path) const {
  RETENTION_RETURN_IF_ERROR(CheckName(name));
  uint64_t ino = Child(dir, name);
  if (ino == 0) return Status::FromErrno(ENOENT, "open " + path);
  if (At(ino).type == FileType::kSymlink) {
    return Status::FromErrno(ELOOP, "open " + path);
  }
  if (At(ino).type != FileType::kRegular) {
    return Status::Unsafe(path + ": not a regular file");
  }
  return ino;
}

StatusOr<std::unique_ptr<Dir>> FakeFilesystem::OpenRoot(
    const std::string& raw) {
  std::lock_guard lock(mutex_);
  RETENTION_RETURN_IF_ERROR(
      Injection(TakeFailure(FsOp::kOpenRoot), "open root " + raw));
  std::string path = raw;
  while (path.size() > 1 && path.back() == '/') path.pop_back();
  const std::string last = path.substr(path.rfind('/') + 1);
  if (path.empty() || path[0] != '/' || last == "." || last == "..") {
    return Status::InvalidArgument("not a usable absolute root: " + raw);
  }
  int err = 0;
  uint64_t ino = Walk(path, true, &err);
  if (ino == 0) return Status::FromErrno(err, "open root " + path);
  if (At(ino).type == FileType::kSymlink) {
    return Status::Unsafe(path + ": is a symlink");
  }
  if (At(ino).type != FileType::kDirectory) {
    return Status::InvalidArgument(path + ": not a directory");
  }
  return std::unique_ptr<Dir>(std::make_unique<FakeDir>(ino, Info(ino), path));
}

StatusOr<std::unique_ptr<Dir>> FakeFilesystem::OpenDir(
    Dir& parent, const std::string& name, const FileInfo* expected) {
  std::lock_guard lock(mutex_);
  const std::string path = JoinPath(parent.path(), name);
  RETENTION_RETURN_IF_ERROR(
      Injection(TakeFailure(FsOp::kOpenDir), "open directory " + path));
  RETENTION_RETURN_IF_ERROR(CheckName(name));
  uint64_t ino = Child(FakeDir::InoOf(parent), name);
  if (ino == 0) return Status::FromErrno(ENOENT, "open directory " + path);
  RETENTION_RETURN_IF_ERROR(
      CheckEnterable(FakeDir::InoOf(parent), ino, expected, path));
  return std::unique_ptr<Dir>(std::make_unique<FakeDir>(ino, Info(ino), path));
}

StatusOr<std::vector<std::string>> FakeFilesystem::List(Dir& dir) {
  std::lock_guard lock(mutex_);
  RETENTION_RETURN_IF_ERROR(
      Injection(TakeFailure(FsOp::kList), "list " + dir.path()));
  std::vector<std::string> names;
  for (const auto& [name, ino] : At(FakeDir::InoOf(dir)).children) {
    names.push_back(name);
  }
  return names;
}

StatusOr<FileInfo> FakeFilesystem::StatAt(Dir& dir, const std::string& name) {
  std::lock_guard lock(mutex_);
  const std::string path = JoinPath(dir.path(), name);
  RETENTION_RETURN_IF_ERROR(
      Injection(TakeFailure(FsOp::kStat), "statx " + path));
  RETENTION_RETURN_IF_ERROR(CheckName(name));
  uint64_t ino = Child(FakeDir::InoOf(dir), name);
  if (ino == 0) return Status::FromErrno(ENOENT, "statx " + path);
  return Info(ino);
}

Status FakeFilesystem::RemoveAt(Dir& dir, const std::string& name,
                                const FileInfo& expected) {
  std::lock_guard lock(mutex_);
  const std::string path = JoinPath(dir.path(), name);
  RETENTION_RETURN_IF_ERROR(
      Injection(TakeFailure(FsOp::kRemove), "unlinkat " + path));
  RETENTION_RETURN_IF_ERROR(CheckName(name));
  uint64_t ino = Child(FakeDir::InoOf(dir), name);
  if (ino == 0) return Status::Ok();  // already gone: the goal is met
  RETENTION_RETURN_IF_ERROR(CheckRemovable(Info(ino), expected, path));
  if (!At(ino).children.empty())
    return Status::FromErrno(ENOTEMPTY, "rmdir " + path);
  Unlink(FakeDir::InoOf(dir), name);
  removed_.push_back(path);
  return Status::Ok();
}

Status FakeFilesystem::RenameAt(Dir& from, const std::string& from_name,
                                Dir& to, const std::string& to_name) {
  std::lock_guard lock(mutex_);
  const std::string what = "rename " + JoinPath(from.path(), from_name) +
                           " to " + JoinPath(to.path(), to_name);
  RETENTION_RETURN_IF_ERROR(Injection(TakeFailure(FsOp::kRename), what));
  RETENTION_RETURN_IF_ERROR(CheckName(from_name));
  RETENTION_RETURN_IF_ERROR(CheckName(to_name));
  const uint64_t src_dir = FakeDir::InoOf(from), dst_dir = FakeDir::InoOf(to);
  const uint64_t ino = Child(src_dir, from_name);
  if (ino == 0 || At(dst_dir).unlinked) return Status::FromErrno(ENOENT, what);
  if (Child(dst_dir, to_name) != 0) return Status::FromErrno(EEXIST, what);
  if (At(src_dir).dev != At(dst_dir).dev) return Status::FromErrno(EXDEV, what);
  if (At(ino).mount_root) return Status::FromErrno(EBUSY, what);
  // A directory cannot move below itself.
  for (uint64_t p = dst_dir; At(ino).type == FileType::kDirectory;
       p = At(p).parent) {
    if (p == ino) return Status::FromErrno(EINVAL, what);
    if (p == kRootIno) break;
  }
  At(src_dir).children.erase(from_name);
  Touch(src_dir);
  Link(dst_dir, to_name, ino);
  At(ino).ctime = clock_.Now();
  return Status::Ok();
}

Status FakeFilesystem::RenameDirAt(Dir& from, const std::string& from_name,
                                   Dir& to, const std::string& to_name) {
  {
    // The check and the move are two steps here; tests of the fake do not
    // race renames (the POSIX one is atomic).
    std::lock_guard lock(mutex_);
    RETENTION_RETURN_IF_ERROR(CheckName(from_name));
    const uint64_t ino = Child(FakeDir::InoOf(from), from_name);
    if (ino != 0 && At(ino).type != FileType::kDirectory) {
      return Status::Unsafe("rename directory " +
                            JoinPath(from.path(), from_name) +
                            ": not a directory");
    }
  }
  return RenameAt(from, from_name, to, to_name);
}

Status FakeFilesystem::ReplaceFileAt(Dir& dir, const std::string& from_name,
                                     const std::string& to_name) {
  std::lock_guard lock(mutex_);
  const std::string what = "replace " + JoinPath(dir.path(), to_name);
  RETENTION_RETURN_IF_ERROR(Injection(TakeFailure(FsOp::kRename), what));
  RETENTION_RETURN_IF_ERROR(CheckName(from_name));
  RETENTION_RETURN_IF_ERROR(CheckName(to_name));
  const uint64_t d = FakeDir::InoOf(dir);
  const uint64_t src = Child(d, from_name), dst = Child(d, to_name);
  if (src == 0) return Status::FromErrno(ENOENT, what);
  if (At(src).type != FileType::kRegular) {
    return Status::Unsafe(what + ": source is not a regular file");
  }
  if (dst != 0 && At(dst).type != FileType::kRegular &&
      At(dst).type != FileType::kSymlink) {
    return Status::Unsafe(what + ": target is not a regular file or symlink");
  }
  if (dst != 0) Unlink(d, to_name);
  At(d).children.erase(from_name);
  Link(d, to_name, src);
  Touch(d);
  return Status::Ok();
}

Status FakeFilesystem::MakeDirAt(Dir& dir, const std::string& name,
                                 uint32_t mode) {
  std::lock_guard lock(mutex_);
  const std::string path = JoinPath(dir.path(), name);
  RETENTION_RETURN_IF_ERROR(
      Injection(TakeFailure(FsOp::kMakeDir), "mkdirat " + path));
  RETENTION_RETURN_IF_ERROR(CheckCreatable(FakeDir::InoOf(dir), name, path));
  uint64_t ino = NewNode(FileType::kDirectory, FakeDir::InoOf(dir));
  At(ino).mode = mode & 07777;
  Link(FakeDir::InoOf(dir), name, ino);
  return Status::Ok();
}

StatusOr<std::unique_ptr<File>> FakeFilesystem::CreateFileAt(
    Dir& dir, const std::string& name, uint32_t mode) {
  std::lock_guard lock(mutex_);
  const std::string path = JoinPath(dir.path(), name);
  RETENTION_RETURN_IF_ERROR(
      Injection(TakeFailure(FsOp::kCreate), "create " + path));
  RETENTION_RETURN_IF_ERROR(CheckCreatable(FakeDir::InoOf(dir), name, path));
  uint64_t ino = NewNode(FileType::kRegular, FakeDir::InoOf(dir));
  At(ino).mode = mode & 07777;
  Link(FakeDir::InoOf(dir), name, ino);
  return std::unique_ptr<File>(
      std::make_unique<FakeFile>(*this, ino, path, true));
}

Status FakeFilesystem::SetModeAt(Dir& dir, const std::string& name,
                                 uint32_t mode) {
  std::lock_guard lock(mutex_);
  const std::string path = JoinPath(dir.path(), name);
  StatusOr<uint64_t> ino = FindRegular(FakeDir::InoOf(dir), name, path);
  if (!ino.ok()) return ino.status();
  At(*ino).mode = mode & 07777;
  return Status::Ok();
}

StatusOr<std::unique_ptr<File>> FakeFilesystem::OpenFileAt(
    Dir& dir, const std::string& name) {
  std::lock_guard lock(mutex_);
  const std::string path = JoinPath(dir.path(), name);
  RETENTION_RETURN_IF_ERROR(
      Injection(TakeFailure(FsOp::kOpen), "open " + path));
  StatusOr<uint64_t> ino = FindRegular(FakeDir::InoOf(dir), name, path);
  if (!ino.ok()) return ino.status();
  return std::unique_ptr<File>(
      std::make_unique<FakeFile>(*this, *ino, path, false));
}

Status FakeFilesystem::SyncDir(Dir& dir) {
  std::lock_guard lock(mutex_);
  return Injection(TakeFailure(FsOp::kSyncDir), "fsync " + dir.path());
}

StatusOr<DiskSpace> FakeFilesystem::Space(Dir& dir) {
  std::lock_guard lock(mutex_);
  RETENTION_RETURN_IF_ERROR(
      Injection(TakeFailure(FsOp::kSpace), "fstatvfs " + dir.path()));
  return space_;
}

StatusOr<bool> FakeFilesystem::IsLocked(Dir& dir, const std::string& name) {
  std::lock_guard lock(mutex_);
  const std::string path = JoinPath(dir.path(), name);
  RETENTION_RETURN_IF_ERROR(
      Injection(TakeFailure(FsOp::kIsLocked), "flock " + path));
  StatusOr<uint64_t> ino = FindRegular(FakeDir::InoOf(dir), name, path);
  if (!ino.ok()) return ino.status();
  return At(*ino).locked;
}

StatusOr<std::vector<uint64_t>> FakeFilesystem::LockedInodes(Dir& dir) {
  std::lock_guard lock(mutex_);
  RETENTION_RETURN_IF_ERROR(Injection(TakeFailure(FsOp::kLockedInodes),
                                      "read /proc/locks for " + dir.path()));
  std::vector<uint64_t> inodes;
  for (const auto& [ino, node] : nodes_) {
    if (node.locked) inodes.push_back(node.ino);
  }
  return inodes;  // nodes_ is ordered by inode number
}

StatusOr<bool> FakeFilesystem::IsOpenForWritingAt(Dir& dir,
                                                  const std::string& name,
                                                  const FileInfo& expected) {
  std::lock_guard lock(mutex_);
  const std::string path = JoinPath(dir.path(), name);
  RETENTION_RETURN_IF_ERROR(
      Injection(TakeFailure(FsOp::kIsOpenForWriting), "lease " + path));
  StatusOr<uint64_t> ino = FindRegular(FakeDir::InoOf(dir), name, path);
  if (!ino.ok()) return ino.status();
  if (!Info(*ino).SameIdentity(expected)) {
    return Status::Aborted(path + ": replaced since it was examined");
  }
  return At(*ino).writing;
}

Status FakeFilesystem::FileWrite(FakeFile& file, std::string_view data) {
  std::lock_guard lock(mutex_);
  RETENTION_RETURN_IF_ERROR(
      Injection(TakeFailure(FsOp::kWrite), "write " + file.path_));
  if (!file.writable_) return Status::FromErrno(EBADF, "write " + file.path_);
  Node& n = At(file.ino_);
  n.bytes.resize(std::max<uint64_t>(n.size, file.offset_), '\0');
  n.bytes.replace(file.offset_, data.size(), data);
  file.offset_ += data.size();
  n.size = n.bytes.size();
  n.mtime = n.ctime = clock_.Now();
  return Status::Ok();
}

Status FakeFilesystem::FileRead(FakeFile& file, size_t max, std::string* out) {
  std::lock_guard lock(mutex_);
  out->clear();
  RETENTION_RETURN_IF_ERROR(
      Injection(TakeFailure(FsOp::kRead), "read " + file.path_));
  if (file.writable_) return Status::FromErrno(EBADF, "read " + file.path_);
  const Node& n = At(file.ino_);
  const uint64_t end = std::min<uint64_t>(n.size, file.offset_ + max);
  if (end <= file.offset_) return Status::Ok();
  out->assign(end - file.offset_, '\0');  // beyond the written bytes: zeros
  if (file.offset_ < n.bytes.size()) {
    n.bytes.copy(out->data(), end - file.offset_, file.offset_);
  }
  file.offset_ = end;
  return Status::Ok();
}

Status FakeFilesystem::FileSync(FakeFile& file) {
  std::lock_guard lock(mutex_);
  return Injection(TakeFailure(FsOp::kSync), "fsync " + file.path_);
}

StatusOr<FileInfo> FakeFilesystem::FileStat(FakeFile& file) {
  std::lock_guard lock(mutex_);
  RETENTION_RETURN_IF_ERROR(
      Injection(TakeFailure(FsOp::kStat), "statx " + file.path_));
  return Info(file.ino_);
}

// Releases the lock when destroyed, as closing a descriptor does.
class FakeFilesystem::FakeLock final : public FileLock {
 public:
  FakeLock(FakeFilesystem& fs, uint64_t ino) : fs_(fs), ino_(ino) {}
  ~FakeLock() override {
    std::lock_guard lock(fs_.mutex_);
    fs_.At(ino_).locked = false;
  }

 private:
  FakeFilesystem& fs_;
  uint64_t ino_;
};

StatusOr<std::unique_ptr<FileLock>> FakeFilesystem::LockFileAt(
    Dir& dir, const std::string& name) {
  std::lock_guard lock(mutex_);
  const std::string path = JoinPath(dir.path(), name);
  RETENTION_RETURN_IF_ERROR(
      Injection(TakeFailure(FsOp::kLock), "flock " + path));
  RETENTION_RETURN_IF_ERROR(CheckName(name));
  uint64_t ino = Child(FakeDir::InoOf(dir), name);
  if (ino == 0) {
    RETENTION_RETURN_IF_ERROR(CheckCreatable(FakeDir::InoOf(dir), name, path));
    ino = NewNode(FileType::kRegular, FakeDir::InoOf(dir));
    At(ino).mode = 0600;
    Link(FakeDir::InoOf(dir), name, ino);
  }
  Node& n = At(ino);
  if (n.type != FileType::kRegular)
    return Status::Unsafe(path + ": not a regular file");
  if (n.locked) return Status::FromErrno(EWOULDBLOCK, "flock " + path);
  n.locked = true;
  n.bytes = "fake\n";
  n.size = n.bytes.size();
  return std::unique_ptr<FileLock>(std::make_unique<FakeLock>(*this, ino));
}

}  // namespace retention
