// HookedFilesystem: forwards every call to another Filesystem (usually a
// FakeFilesystem) and lets a test act in the middle of a long operation,
// where FailNext cannot reach: run a function after each File::Read of a file
// opened through it (set a stop flag, swap the file, create a rival), or
// misreport the size StatAt returns (a writer still appending). Tests only;
// used from one thread; must not outlive the wrapped Filesystem.
#pragma once

#include <functional>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "os/filesystem.h"

namespace retention {

class HookedFilesystem final : public Filesystem {
 public:
  explicit HookedFilesystem(Filesystem& inner) : inner_(inner) {}

  // Runs after every successful File::Read on files from OpenFileAt.
  std::function<void()> after_read;
  // Added to the size of every successful StatAt.
  uint64_t size_delta = 0;
  // Runs after every successful RemoveAt.
  std::function<void()> after_remove;
  // Runs after every successful RenameAt and RenameDirAt, with the target.
  std::function<void(Dir& to, const std::string& to_name)> after_rename;
  std::function<void(Dir& dir)> after_sync_dir;
  // How many times IsLocked and LockedInodes were asked.
  size_t is_locked_calls = 0;
  size_t locked_inodes_calls = 0;

  StatusOr<std::unique_ptr<Dir>> OpenRoot(const std::string& path) override {
    return inner_.OpenRoot(path);
  }
  StatusOr<std::unique_ptr<Dir>> OpenDir(Dir& parent, const std::string& name,
                                         const FileInfo* expected) override {
    return inner_.OpenDir(parent, name, expected);
  }
  StatusOr<std::vector<std::string>> List(Dir& dir) override {
    return inner_.List(dir);
  }
  StatusOr<FileInfo> StatAt(Dir& dir, const std::string& name) override {
    StatusOr<FileInfo> info = inner_.StatAt(dir, name);
    if (info.ok()) info->size += size_delta;
    return info;
  }
  Status RemoveAt(Dir& dir, const std::string& name,
                  const FileInfo& expected) override {
    Status st = inner_.RemoveAt(dir, name, expected);
    if (st.ok() && after_remove) after_remove();
    return st;
  }
  Status RenameAt(Dir& from, const std::string& from_name, Dir& to,
                  const std::string& to_name) override {
    Status st = inner_.RenameAt(from, from_name, to, to_name);
    if (st.ok() && after_rename) after_rename(to, to_name);
    return st;
  }
  Status RenameDirAt(Dir& from, const std::string& from_name, Dir& to,
                     const std::string& to_name) override {
    Status st = inner_.RenameDirAt(from, from_name, to, to_name);
    if (st.ok() && after_rename) after_rename(to, to_name);
    return st;
  }
  Status ReplaceFileAt(Dir& dir, const std::string& from_name,
                       const std::string& to_name) override {
    return inner_.ReplaceFileAt(dir, from_name, to_name);
  }
  Status MakeDirAt(Dir& dir, const std::string& name, uint32_t mode) override {
    return inner_.MakeDirAt(dir, name, mode);
  }
  StatusOr<std::unique_ptr<File>> CreateFileAt(Dir& dir,
                                               const std::string& name,
                                               uint32_t mode) override {
    return inner_.CreateFileAt(dir, name, mode);
  }
  Status SetModeAt(Dir& dir, const std::string& name, uint32_t mode) override {
    return inner_.SetModeAt(dir, name, mode);
  }
  StatusOr<std::unique_ptr<File>> OpenFileAt(Dir& dir,
                                             const std::string& name) override {
    StatusOr<std::unique_ptr<File>> file = inner_.OpenFileAt(dir, name);
    if (!file.ok()) return file;
    return std::unique_ptr<File>(
        std::make_unique<HookedFile>(*this, std::move(file).value()));
  }
  Status SyncDir(Dir& dir) override {
    Status st = inner_.SyncDir(dir);
    if (st.ok() && after_sync_dir) after_sync_dir(dir);
    return st;
  }
  StatusOr<DiskSpace> Space(Dir& dir) override { return inner_.Space(dir); }
  StatusOr<bool> IsLocked(Dir& dir, const std::string& name) override {
    ++is_locked_calls;
    return inner_.IsLocked(dir, name);
  }
  StatusOr<std::vector<uint64_t>> LockedInodes(Dir& dir) override {
    ++locked_inodes_calls;
    return inner_.LockedInodes(dir);
  }
  StatusOr<bool> IsOpenForWritingAt(Dir& dir, const std::string& name,
                                    const FileInfo& expected) override {
    return inner_.IsOpenForWritingAt(dir, name, expected);
  }
  StatusOr<std::unique_ptr<FileLock>> LockFileAt(
      Dir& dir, const std::string& name) override {
    return inner_.LockFileAt(dir, name);
  }

 private:
  class HookedFile final : public File {
   public:
    HookedFile(HookedFilesystem& fs, std::unique_ptr<File> inner)
        : fs_(fs), inner_(std::move(inner)) {}
    Status Write(std::string_view data) override { return inner_->Write(data); }
    Status Read(size_t max, std::string* out) override {
      Status st = inner_->Read(max, out);
      if (st.ok() && fs_.after_read) fs_.after_read();
      return st;
    }
    Status Sync() override { return inner_->Sync(); }
    StatusOr<FileInfo> Stat() override { return inner_->Stat(); }

   private:
    HookedFilesystem& fs_;
    std::unique_ptr<File> inner_;
  };

  Filesystem& inner_;
};

}  // namespace retention
