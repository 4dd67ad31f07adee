// The POSIX LogRotator (log_rotator.h): each operation is the free function
// of log_rotation.h of that name, unchanged; "who writes it" is the lease
// probe behind Filesystem::IsOpenForWritingAt.
#include <memory>

#include "kinds/logs/log_rotation.h"
#include "kinds/logs/log_rotator.h"
#include "kinds/logs/rotation_io_posix.h"
#include "os/file_posix.h"
#include "os/fs_rules.h"

namespace retention {
namespace {

class PosixLogRotator final : public LogRotator {
 public:
  StatusOr<RotationResult> RotateByCollapse(
      Dir& live_dir, const std::string& live_name, Dir& archive_dir,
      const std::string& archive_name, const FileInfo& expected_live,
      const RotationStepHook& hook, const HeadChase& chase) override {
    return retention::RotateByCollapse(live_dir, live_name, archive_dir,
                                       archive_name, expected_live, hook,
                                       chase);
  }

  StatusOr<RotationResult> RotateByRename(
      Dir& live_dir, const std::string& live_name, Dir& archive_dir,
      const std::string& archive_name, const FileInfo& expected_live,
      const CreateSpec& create, const RotationStepHook& hook,
      const HeadChase& chase) override {
    return retention::RotateByRename(live_dir, live_name, archive_dir,
                                     archive_name, expected_live, create, hook,
                                     chase);
  }

  StatusOr<std::vector<std::string>> RecoverRotation(
      Dir& live_dir, const std::string& live_name, Dir& archive_dir) override {
    return retention::RecoverRotation(live_dir, live_name, archive_dir);
  }

  Status SignalWriter(const std::string& pid_file, int signal) override {
    return retention::SignalWriter(pid_file, signal);
  }

  Status RunReopenCommand(const std::string& command,
                          Duration timeout) override {
    return retention::RunReopenCommand(command, timeout);
  }

  StatusOr<bool> IsOpenForWriting(Dir& dir, const std::string& name,
                                  const FileInfo& expected) override {
    return posix::IsOpenForWriting(dir, name, expected);
  }

  StatusOr<std::vector<int>> VisibleWriters(const FileInfo& file) override {
    return posix::VisibleWriters(file);
  }

  StatusOr<uint64_t> UnwrittenHead(Dir& dir, const std::string& name,
                                   const FileInfo& expected) override {
    const std::string path = JoinPath(dir.path(), name);
    StatusOr<posix::UniqueFd> fd =
        posix::OpenRegular(posix::DirFd(dir), name, path);
    if (!fd.ok()) return fd.status();
    StatusOr<FileInfo> info = posix::StatxAt(fd->get(), "", path);
    if (!info.ok()) return info.status();
    if (!info->SameIdentity(expected)) return uint64_t{0};  // replaced
    return posix::UnwrittenHead(fd->get(), info->size, path);
  }
};

}  // namespace

std::unique_ptr<LogRotator> NewPosixLogRotator() {
  return std::make_unique<PosixLogRotator>();
}

}  // namespace retention
