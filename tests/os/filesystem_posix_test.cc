// What only the real filesystem can show: flock held by another descriptor,
// real mounts, statx fields, free space, errno kept in errors. The contract
// shared with the fake is in filesystem_contract_test.cc.
#include <sys/file.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/statvfs.h>
#include <sys/sysmacros.h>

#include <catch2/catch.hpp>

#include "os/filesystem_envs.h"

namespace retention::filesystem_posix_test {
namespace {

using Code = Status::Code;

// Mounts on construction, detaches on destruction (before the temp dir that
// holds the mount point is removed). ok() is false where mounting is not
// permitted, e.g. in an unprivileged container.
class ScopedMount {
 public:
  ScopedMount(const std::string& source, const std::string& target,
              const char* type, unsigned long flags)
      : target_(target) {
    ok_ = mount(source.c_str(), target.c_str(), type, flags, nullptr) == 0;
  }
  ~ScopedMount() {
    if (ok_) umount2(target_.c_str(), MNT_DETACH);
  }
  bool ok() const { return ok_; }

 private:
  std::string target_;
  bool ok_ = false;
};

class FileDescriptor {
 public:
  explicit FileDescriptor(const std::string& path)
      : fd_(open(path.c_str(), O_RDONLY | O_CLOEXEC)) {}
  ~FileDescriptor() {
    if (fd_ >= 0) close(fd_);
  }
  int get() const { return fd_; }

 private:
  int fd_;
};

TEST_CASE("a file is locked while another descriptor holds an flock on it") {
  PosixEnv env;
  env.File("root/app.log", "x");
  auto root = OpenRootOf(env, "root");
  // flock locks belong to open file descriptions, so this one conflicts with
  // the probe's own open() even within one process.
  FileDescriptor holder(env.Path("root/app.log"));
  REQUIRE(holder.get() >= 0);

  SECTION("exclusively") { REQUIRE(flock(holder.get(), LOCK_EX) == 0); }
  SECTION("shared") { REQUIRE(flock(holder.get(), LOCK_SH) == 0); }
  auto locked = env.fs().IsLocked(*root, "app.log");
  REQUIRE(locked.ok());
  CHECK(*locked);

  REQUIRE(flock(holder.get(), LOCK_UN) == 0);
  locked = env.fs().IsLocked(*root, "app.log");
  REQUIRE(locked.ok());
  CHECK_FALSE(*locked);
}

TEST_CASE("probing a lock leaves the file unlocked for its writer") {
  PosixEnv env;
  env.File("root/app.log", "x");
  auto root = OpenRootOf(env, "root");

  REQUIRE(env.fs().IsLocked(*root, "app.log").ok());
  FileDescriptor writer(env.Path("root/app.log"));
  CHECK(flock(writer.get(), LOCK_EX | LOCK_NB) == 0);
}

TEST_CASE("the proc mount below / is never entered") {
  auto fs = NewPosixFilesystem();
  auto root = fs->OpenRoot("/");
  REQUIRE(root.ok());
  auto proc = fs->StatAt(**root, "proc");
  REQUIRE(proc.ok());
  if (!proc->mount_root && proc->dev == (*root)->info().dev) {
    WARN("/proc is not a mount point here; nothing to test");
    return;
  }
  CHECK(fs->OpenDir(**root, "proc").status().code() == Code::kUnsafe);
  CHECK(fs->OpenDir(**root, "proc", &*proc).status().code() == Code::kUnsafe);
}

TEST_CASE("a filesystem mounted below the root is never entered or removed") {
  PosixEnv env;
  env.File("root/mnt/hidden", "under the mount");
  auto root = OpenRootOf(env, "root");
  ScopedMount tmpfs("none", env.Path("root/mnt"), "tmpfs", 0);
  if (!tmpfs.ok()) {
    WARN("mounting a tmpfs is not permitted here; nothing to test");
    return;
  }
  FileInfo mnt = MustStat(env.fs(), *root, "mnt");

  CHECK(mnt.mount_root);
  CHECK(mnt.dev != root->info().dev);
  CHECK(env.fs().OpenDir(*root, "mnt").status().code() == Code::kUnsafe);
  CHECK(env.fs().OpenDir(*root, "mnt", &mnt).status().code() == Code::kUnsafe);
  CHECK(env.fs().RemoveAt(*root, "mnt", mnt).code() == Code::kUnsafe);
}

TEST_CASE("a bind mount of the same filesystem is never entered") {
  PosixEnv env;
  env.File("elsewhere/secret", "S");
  env.Dir("root/bind");
  auto root = OpenRootOf(env, "root");
  ScopedMount bind(env.Path("elsewhere"), env.Path("root/bind"), nullptr,
                   MS_BIND);
  if (!bind.ok()) {
    WARN("bind mounts are not permitted here; nothing to test");
    return;
  }
  // Same device: only STATX_ATTR_MOUNT_ROOT can tell.
  FileInfo bound = MustStat(env.fs(), *root, "bind");
  CHECK(bound.mount_root);
  CHECK(env.fs().OpenDir(*root, "bind").status().code() == Code::kUnsafe);
  CHECK(env.Contents("elsewhere/secret") == "S");
}

TEST_CASE("statx fields agree with lstat") {
  PosixEnv env;
  env.File("root/a", std::string(5000, 'x'));
  auto root = OpenRootOf(env, "root");
  FileInfo info = MustStat(env.fs(), *root, "a");
  struct stat st;
  REQUIRE(lstat(env.Path("root/a").c_str(), &st) == 0);

  CHECK(info.type == FileType::kRegular);
  CHECK(info.dev == st.st_dev);
  CHECK(info.ino == st.st_ino);
  CHECK(info.mode == (st.st_mode & 07777));
  CHECK(info.uid == st.st_uid);
  CHECK(info.gid == st.st_gid);
  CHECK(info.nlink == st.st_nlink);
  CHECK(info.size == 5000);
  CHECK(info.blocks == static_cast<uint64_t>(st.st_blocks));
  CHECK(ToUnixSeconds(info.mtime) == st.st_mtim.tv_sec);
  CHECK(ToUnixSeconds(info.ctime) == st.st_ctim.tv_sec);
  REQUIRE(lstat(env.Path("root").c_str(), &st) == 0);
  CHECK(root->info().ino == st.st_ino);
  CHECK(root->info().type == FileType::kDirectory);
}

TEST_CASE("the size and free space of a root's filesystem match statvfs") {
  PosixEnv env;
  env.Dir("root");
  auto root = OpenRootOf(env, "root");
  auto space = env.fs().Space(*root);
  REQUIRE(space.ok());
  struct statvfs vfs;
  REQUIRE(statvfs(env.Path("root").c_str(), &vfs) == 0);
  CHECK(space->total == uint64_t{vfs.f_blocks} * vfs.f_frsize);
  CHECK(space->available > 0);
  CHECK(space->available <= space->total);
}

TEST_CASE("errors keep the errno that caused them") {
  PosixEnv env;
  env.File("root/a", "x");
  env.Symlink("root/link", "a");
  auto root = OpenRootOf(env, "root");

  Status missing = env.fs().OpenFileAt(*root, "nope").status();
  CHECK(missing.code() == Code::kNotFound);
  CHECK(missing.errno_value() == ENOENT);
  Status loop = env.fs().OpenFileAt(*root, "link").status();
  CHECK(loop.code() == Code::kUnsafe);
  CHECK(loop.errno_value() == ELOOP);
  Status not_dir = env.fs().OpenDir(*root, "a").status();
  CHECK(not_dir.code() == Code::kNotFound);
  CHECK(not_dir.errno_value() == ENOTDIR);
  Status exists = env.fs().MakeDirAt(*root, "a", 0700);
  CHECK(exists.code() == Code::kBusy);
  CHECK(exists.message().find("File exists") != std::string::npos);
}

TEST_CASE("a FIFO is refused without blocking the open") {
  PosixEnv env;
  env.Dir("root");
  env.Fifo("root/pipe");
  auto root = OpenRootOf(env, "root");
  // No writer exists: a blocking open would hang this test forever.
  CHECK(env.fs().OpenFileAt(*root, "pipe").status().code() == Code::kUnsafe);
}

TEST_CASE("a file opened to read reads and refuses writes") {
  PosixEnv env;
  env.File("root/a", "abc");
  auto root = OpenRootOf(env, "root");
  auto file = env.fs().OpenFileAt(*root, "a");
  REQUIRE(file.ok());
  std::string out;
  CHECK((*file)->Read(10, &out).ok());
  CHECK(out == "abc");
  CHECK((*file)->Write("x").code() == Code::kIoError);  // read-only: EBADF
}

}  // namespace
}  // namespace retention::filesystem_posix_test
