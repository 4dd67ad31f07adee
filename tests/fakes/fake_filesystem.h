// FakeFilesystem: an in-memory Filesystem for unit tests of planners and
// executors, in the spirit of ninja's VirtualFileSystem. It keeps the same
// contract as the POSIX implementation (symlinks are never followed below a
// root, mounts are refused, identity is re-checked before a removal, a
// non-empty directory is kBusy, removing what is gone is OK, a rename never
// replaces), and adds what tests need: building trees in one line, playing
// the attacker (Replace, MarkMount), failing any operation on demand
// (FailNext), and reading back what happened (removed, Exists, FileContents).
// Timestamps of what the code under test creates or writes come from the
// FakeClock. Files added with AddFile have a size but no stored bytes: they
// read as zeros, so a 200 MB log costs nothing.
//
// Threading: every method takes one internal mutex, so a FakeFilesystem may
// back tests of worker pools. Dir and File handles must not outlive it.
#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "fakes/fake_clock.h"
#include "os/filesystem.h"

namespace retention {

// One value per Filesystem / File operation, for FailNext. kStat covers both
// Filesystem::StatAt and File::Stat.
enum class FsOp {
  kOpenRoot,
  kOpenDir,
  kList,
  kStat,
  kRemove,
  kRename,
  kMakeDir,
  kCreate,
  kOpen,
  kWrite,
  kRead,
  kSync,
  kSyncDir,
  kSpace,
  kIsLocked,
  kLockedInodes,
  kIsOpenForWriting,
  kLock,
};

class FakeFilesystem final : public Filesystem {
 public:
  explicit FakeFilesystem(FakeClock& clock);
  ~FakeFilesystem() override;

  // Filesystem. FsOp injection applies before anything else is checked.
  StatusOr<std::unique_ptr<Dir>> OpenRoot(const std::string& path) override;
  StatusOr<std::unique_ptr<Dir>> OpenDir(
      Dir& parent, const std::string& name,
      const FileInfo* expected = nullptr) override;
  StatusOr<std::vector<std::string>> List(Dir& dir) override;
  StatusOr<FileInfo> StatAt(Dir& dir, const std::string& name) override;
  Status RemoveAt(Dir& dir, const std::string& name,
                  const FileInfo& expected) override;
  Status RenameAt(Dir& from, const std::string& from_name, Dir& to,
                  const std::string& to_name) override;
  Status RenameDirAt(Dir& from, const std::string& from_name, Dir& to,
                     const std::string& to_name) override;
  Status ReplaceFileAt(Dir& dir, const std::string& from_name,
                       const std::string& to_name) override;
  Status MakeDirAt(Dir& dir, const std::string& name, uint32_t mode) override;
  StatusOr<std::unique_ptr<File>> CreateFileAt(Dir& dir,
                                               const std::string& name,
                                               uint32_t mode) override;
  Status SetModeAt(Dir& dir, const std::string& name, uint32_t mode) override;
  StatusOr<std::unique_ptr<File>> OpenFileAt(Dir& dir,
                                             const std::string& name) override;
  Status SyncDir(Dir& dir) override;
  StatusOr<DiskSpace> Space(Dir& dir) override;
  StatusOr<bool> IsLocked(Dir& dir, const std::string& name) override;
  // Every inode SetLocked or LockFileAt holds, whatever its directory.
  StatusOr<std::vector<uint64_t>> LockedInodes(Dir& dir) override;
  // What SetWriting said (the fake keeps no open descriptors); kAborted if
  // `name` is not `expected` any more.
  StatusOr<bool> IsOpenForWritingAt(Dir& dir, const std::string& name,
                                    const FileInfo& expected) override;
  // Also seen by IsLocked while held, as flock is between descriptors.
  StatusOr<std::unique_ptr<FileLock>> LockFileAt(
      Dir& dir, const std::string& name) override;

  // Tree building. Paths are absolute ("/data/users/alice/a.txt"); missing
  // parents are created as directories. Adding over an existing name
  // replaces it (a new inode), except AddDir, which keeps an existing
  // directory. A path through a non-directory aborts the test.
  void AddDir(const std::string& path);
  void AddFile(const std::string& path, uint64_t size, WallTime mtime);
  void AddFileWithContents(const std::string& path, const std::string& bytes,
                           WallTime mtime);
  void AddSymlink(const std::string& path, const std::string& target);
  // A FIFO-like entry (FileType::kOther).
  void AddSpecial(const std::string& path);

  // Attacks and outside events. Each aborts the test if `path` is missing.
  // The directory becomes another filesystem: a new device for its whole
  // subtree, and mount_root on the directory itself.
  void MarkMount(const std::string& path);
  // As if another process held (or released) an flock on the file.
  void SetLocked(const std::string& path, bool locked);
  // As if another process had the file open for writing (or closed it).
  void SetWriting(const std::string& path, bool writing);
  void SetMtime(const std::string& path, WallTime t);
  // Drops the first `n` bytes (at most its size) of the regular file in
  // place, as fallocate(FALLOC_FL_COLLAPSE_RANGE) does: same inode, the
  // rest moves to offset 0. For fakes of the log rotation primitives.
  void CutHead(const std::string& path, uint64_t n);
  // The name now refers to a new inode of the same type and content (a
  // directory's entries move to it): a swap by an attacker.
  void Replace(const std::string& path);
  // Removes the name and everything below it, as another process would;
  // not recorded in removed().
  void Erase(const std::string& path);

  // The next call of `op` fails with Status::FromErrno(err, ...); several
  // calls queue several failures, consumed in order.
  void FailNext(FsOp op, int err);
  // What Space reports (1 TiB available of 2 TiB until set); writes and
  // removals do not change it.
  void SetSpace(DiskSpace space);

  // Inspection. Paths are not resolved through symlinks.
  bool Exists(const std::string& path) const;
  // lstat by path; kNotFound if missing.
  StatusOr<FileInfo> StatPath(const std::string& path) const;
  // The bytes of a regular file (zeros beyond what was written); empty if
  // `path` is missing or not a regular file.
  std::string FileContents(const std::string& path) const;
  // Paths removed through RemoveAt, in order ("/root/dir/name").
  std::vector<std::string> removed() const;

 private:
  // An inode. Removed inodes stay in nodes_ (unlinked) because open handles
  // may still refer to them, as real descriptors do.
  struct Node {
    FileType type = FileType::kOther;
    uint64_t ino = 0;
    uint64_t dev = 0;
    uint32_t mode = 0644;
    uint64_t size = 0;
    WallTime mtime{};
    WallTime ctime{};
    WallTime atime{};
    bool mount_root = false;
    bool locked = false;
    bool writing = false;  // SetWriting
    bool unlinked = false;
    uint64_t parent = 0;                       // directories: where they live
    std::string bytes;                         // regular files: written bytes
    std::string target;                        // symlinks
    std::map<std::string, uint64_t> children;  // directories
  };
  class FakeDir;
  class FakeFile;
  class FakeLock;
  friend class FakeFile;

  // Tree internals (fake_filesystem_tree.cc); callers hold mutex_.
  Node& At(uint64_t ino);
  const Node& At(uint64_t ino) const;
  uint64_t NewNode(FileType type, uint64_t parent);
  uint64_t Walk(const std::string& path, bool follow_parents, int* err) const;
  uint64_t MustFind(const std::string& path) const;
  uint64_t AddEntry(const std::string& path, FileType type);
  uint64_t Child(uint64_t dir, const std::string& name) const;
  void Link(uint64_t dir, const std::string& name, uint64_t ino);
  void Unlink(uint64_t dir, const std::string& name);
  void Detach(uint64_t ino);
  void Touch(uint64_t ino);
  FileInfo Info(uint64_t ino) const;
  int TakeFailure(FsOp op);

  // Operation bodies (fake_filesystem.cc); callers hold mutex_.
  Status CheckEnterable(uint64_t parent, uint64_t child,
                        const FileInfo* expected,
                        const std::string& path) const;
  Status CheckCreatable(uint64_t dir, const std::string& name,
                        const std::string& path) const;
  StatusOr<uint64_t> FindRegular(uint64_t dir, const std::string& name,
                                 const std::string& path) const;
  Status FileWrite(FakeFile& file, std::string_view data);
  Status FileRead(FakeFile& file, size_t max, std::string* out);
  Status FileSync(FakeFile& file);
  StatusOr<FileInfo> FileStat(FakeFile& file);

  static constexpr uint64_t kRootIno = 1;

  FakeClock& clock_;
  mutable std::mutex mutex_;
  std::map<uint64_t, Node> nodes_;  // never shrinks; references stay valid
  uint64_t next_ino_ = 1;
  uint64_t next_dev_ = 1;
  DiskSpace space_{uint64_t{1} << 40, uint64_t{1} << 41};
  std::map<FsOp, std::vector<int>> failures_;
  std::vector<std::string> removed_;
};

}  // namespace retention
