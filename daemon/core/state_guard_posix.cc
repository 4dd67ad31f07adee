#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>

#include "core/state_guard.h"

namespace retention {
namespace {

Status Errno(const std::string& what) { return Status::FromErrno(errno, what); }

std::string Trim(std::string s) {
  while (!s.empty() && (s.back() == '\n' || s.back() == ' ')) s.pop_back();
  return s;
}

Status WriteAll(int fd, const std::string& data, const std::string& path) {
  size_t done = 0;
  while (done < data.size()) {
    ssize_t n = write(fd, data.data() + done, data.size() - done);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) return Errno("write " + path);
    done += static_cast<size_t>(n);
  }
  return fsync(fd) == 0 ? Status::Ok() : Errno("fsync " + path);
}

}  // namespace

StatusOr<StateGuard::Identity> StateGuard::StateFileIdentity() const {
  const std::string path = state_dir_ + "/state.db";
  struct stat st {};
  if (lstat(path.c_str(), &st) != 0) return Errno(path);
  return Identity{static_cast<uint64_t>(st.st_dev),
                  static_cast<uint64_t>(st.st_ino)};
}

StatusOr<std::string> StateGuard::ReadLedgerIdFile() const {
  const std::string path = state_dir_ + "/" + kLedgerIdFile;
  int fd = open(path.c_str(), O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
  if (fd < 0) return Errno(path);
  char buf[256];
  ssize_t n = read(fd, buf, sizeof buf);
  const int err = errno;
  close(fd);
  if (n < 0) return Status::FromErrno(err, "read " + path);
  return Trim(std::string(buf, static_cast<size_t>(n)));
}

Status StateGuard::WriteLedgerIdFile(const std::string& id) const {
  const std::string path = state_dir_ + "/" + kLedgerIdFile;
  const std::string tmp = path + ".tmp";
  unlink(tmp.c_str());  // a crash's leftover; absent is fine
  int fd = open(tmp.c_str(),
                O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600);
  if (fd < 0) return Errno(tmp);
  Status st = WriteAll(fd, id + "\n", tmp);
  close(fd);
  if (st.ok() && rename(tmp.c_str(), path.c_str()) != 0) st = Errno(path);
  if (!st.ok()) {
    unlink(tmp.c_str());
    return st;
  }
  int dir = open(state_dir_.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (dir < 0) return Errno(state_dir_);
  st = fsync(dir) == 0 ? Status::Ok() : Errno("fsync " + state_dir_);
  close(dir);
  return st;
}

Status StateGuard::Adopt() {
  auto identity = StateFileIdentity();
  if (!identity.ok()) return identity.status();
  opened_ = *identity;
  auto id = db_.LedgerId();
  if (!id.ok()) return id.status();
  auto known = ReadLedgerIdFile();
  if (!known.ok() && known.status().IsNotFound()) {
    return WriteLedgerIdFile(*id);
  }
  if (!known.ok()) return known.status();
  if (*known == *id) return Status::Ok();
  return Status::FailedPrecondition(
      state_dir_ + "/state.db holds ledger " + *id +
      " but this state directory held ledger " + *known +
      ": state.db was replaced or recreated, and the ledger it held would "
      "be lost. Restore it, or, to start a new ledger on purpose, remove " +
      state_dir_ + "/" + kLedgerIdFile);
}

Status StateGuard::Check() {
  auto identity = StateFileIdentity();
  if (!identity.ok() || !(*identity == opened_)) {
    return Status::FailedPrecondition(
        state_dir_ + "/state.db was " +
        (identity.ok() ? "replaced" : "removed") +
        " while retentiond runs: nothing is deleted, since the ledger would "
        "not survive; restart retentiond once state.db is back");
  }
  return ledger_.CheckAppendable();
}

}  // namespace retention
