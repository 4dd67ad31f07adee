#include "kinds/accounts/accounts_quarantine.h"

#include <algorithm>
#include <chrono>
#include <cstdio>

#include "os/fs_rules.h"

namespace retention {
namespace {

constexpr uint32_t kQuarantineMode = 0700;
constexpr char kIdentityPrefix[] = "data_dir ";

std::string What(const FileInfo& info) {
  if (info.type == FileType::kSymlink) return "a symlink";
  if (info.mount_root) return "a mount point";
  if (info.type != FileType::kDirectory) return "not a directory";
  return "another directory (inode " + std::to_string(info.ino) + ")";
}

// No entry was added, removed or renamed in the directory between the two
// looks (each such change sets its mtime and ctime).
bool Unchanged(const FileInfo& before, const FileInfo& after) {
  return before.SameIdentity(after) && before.mtime == after.mtime &&
         before.ctime == after.ctime;
}

std::string Later(const std::string& why) {
  return why + "; nothing purged, left for the next run";
}

}  // namespace

std::string DirIdentityText(const FileInfo& dir) {
  return kIdentityPrefix + std::to_string(dir.dev) + ":" +
         std::to_string(dir.ino);
}

std::optional<FileInfo> ParseDirIdentity(const std::string& text) {
  unsigned long long dev = 0, ino = 0;
  char tail = 0;
  if (std::sscanf(text.c_str(), "data_dir %llu:%llu%c", &dev, &ino, &tail) !=
      2) {
    return std::nullopt;
  }
  FileInfo info;
  info.type = FileType::kDirectory;
  info.dev = dev;
  info.ino = ino;
  return info;
}

AccountsQuarantine::AccountsQuarantine(Filesystem& fs, AccountsRule rule)
    : fs_(fs), rule_(std::move(rule)) {}

std::string AccountsQuarantine::QuarantinedPath(
    const std::string& account) const {
  return rule_.quarantine + "/" + account + kQuarantineMarker;
}

DataDirsSeen AccountsQuarantine::Observe(
    const std::vector<std::string>& accounts) {
  DataDirsSeen seen;
  auto parent = fs_.OpenRoot(rule_.data_dir.parent);
  if (parent.ok()) seen.parent = (*parent)->info();
  for (const std::string& id : accounts) {
    DataDirsSeen::Entry& e = seen.dirs[id];
    if (!parent.ok()) {
      // No directory of account directories: no account has files.
      if (!parent.status().IsNotFound()) e.error = parent.status();
      continue;
    }
    auto info = fs_.StatAt(**parent, rule_.data_dir.NameOf(id));
    if (info.ok()) {
      e.info = *info;
    } else if (!info.status().IsNotFound()) {
      e.error = info.status();
    }
  }
  return seen;
}

StatusOr<std::unique_ptr<Dir>> AccountsQuarantine::OpenQuarantine() {
  const std::string& path = rule_.quarantine;
  auto q = fs_.OpenRoot(path);
  if (q.ok() || !q.status().IsNotFound()) return q;
  const PathParts parts = SplitPath(path);
  auto parent = fs_.OpenRoot(parts.dir);
  if (!parent.ok()) return parent.status();
  Status made = fs_.MakeDirAt(**parent, parts.name, kQuarantineMode);
  if (!made.ok() && !made.IsBusy()) return made;  // busy: made meanwhile
  return fs_.OpenRoot(path);
}

StatusOr<bool> AccountsQuarantine::Verify(
    const std::string& account, const std::optional<FileInfo>& expected) {
  auto q = fs_.OpenRoot(rule_.quarantine);
  if (!q.ok()) {
    if (q.status().IsNotFound()) return false;  // nothing quarantined yet
    return q.status();
  }
  const std::string qname = account + kQuarantineMarker;
  auto top = fs_.StatAt(**q, qname);
  if (!top.ok()) {
    if (top.status().IsNotFound()) return false;
    return top.status();
  }
  if (!expected) {
    return PutBack(**q, account, "no identity was recorded to check it");
  }
  auto opened = fs_.OpenDir(**q, qname, &*expected);
  if (opened.ok()) return true;
  if (opened.status().code() != Status::Code::kUnsafe) return opened.status();
  return PutBack(**q, account, "it is " + What(*top));
}

Status AccountsQuarantine::PutBack(Dir& quarantine, const std::string& account,
                                   const std::string& why) {
  const std::string qpath = QuarantinedPath(account);
  const std::string path = rule_.data_dir.PathOf(account);
  const std::string head =
      qpath + " is not the data directory planned (" + why + ")";
  auto parent = fs_.OpenRoot(rule_.data_dir.parent);
  Status st = parent.ok()
                  ? fs_.RenameAt(quarantine, account + kQuarantineMarker,
                                 **parent, rule_.data_dir.NameOf(account))
                  : parent.status();
  if (!st.ok()) {
    return Status::Unsafe(head + "; it cannot be moved back to " + path + " (" +
                          st.ToString() +
                          "): left in quarantine; nothing purged");
  }
  // Already moved back; a lost directory sync only delays its durability.
  (void)fs_.SyncDir(quarantine);
  (void)fs_.SyncDir(**parent);
  return Status::Aborted(Later(head + "; moved back to " + path));
}

StatusOr<std::optional<FileInfo>> AccountsQuarantine::Check(
    const std::string& account, const DataDirsSeen& seen) {
  const std::string path = rule_.data_dir.PathOf(account);
  auto e = seen.dirs.find(account);
  if (e == seen.dirs.end()) {
    return Status::FailedPrecondition(
        Later(path + " was not looked at when planning"));
  }
  if (!e->second.error.ok()) {
    return Status::FailedPrecondition(
        Later(path + " could not be looked at when planning: " +
              e->second.error.ToString()));
  }
  const std::optional<FileInfo>& planned = e->second.info;
  if (planned &&
      (planned->type != FileType::kDirectory || planned->mount_root)) {
    return Status::Unsafe(path + " is " + What(*planned) +
                          "; refused: nothing of account " + account +
                          " purged, left for the next run");
  }
  auto parent = fs_.OpenRoot(rule_.data_dir.parent);
  if (!parent.ok()) {
    if (!planned && !seen.parent && parent.status().IsNotFound()) {
      return std::optional<FileInfo>();  // no directory of data directories
    }
    return Status::FailedPrecondition(
        Later(rule_.data_dir.parent + ": " + parent.status().ToString()));
  }
  auto now = fs_.StatAt(**parent, rule_.data_dir.NameOf(account));
  if (!now.ok() && !now.status().IsNotFound()) return now.status();
  if (!planned) {
    if (now.ok()) {
      return Status::Busy(Later(path + " appeared since planning"));
    }
    // Looked at after the name, so the two looks at the parent enclose
    // both looks at the name.
    auto after = fs_.OpenRoot(rule_.data_dir.parent);
    if (!after.ok()) return after.status();
    if (!seen.parent || !Unchanged(*seen.parent, (*after)->info())) {
      return Status::Busy(Later(rule_.data_dir.parent +
                                " changed since planning, so the absence of " +
                                path + " is not proven"));
    }
    // Unchanged since planning, but an instant ago? The directory could
    // be just out of place for that instant (moved aside and back).
    auto fs_now = FilesystemNow();
    if (!fs_now.ok()) return fs_now.status();
    const FileInfo& p = (*after)->info();
    if (*fs_now - std::max(p.mtime, p.ctime) < rule_.absent_quiet) {
      return Status::Busy(
          Later(rule_.data_dir.parent + " changed less than " +
                std::to_string(std::chrono::duration_cast<std::chrono::seconds>(
                                   rule_.absent_quiet)
                                   .count()) +
                "s ago, so the absence of " + path + " is not proven"));
    }
    return std::optional<FileInfo>();
  }
  if (!now.ok()) {
    return Status::Busy(Later(path + " is gone since planning"));
  }
  if (now->type != FileType::kDirectory || now->mount_root ||
      !now->SameIdentity(*planned)) {
    return Status::Unsafe(
        Later(path + " changed since planning (it is now " + What(*now) + ")"));
  }
  return std::optional<FileInfo>(*now);
}

Status AccountsQuarantine::MoveIn(const std::string& account,
                                  const FileInfo& dir) {
  auto parent = fs_.OpenRoot(rule_.data_dir.parent);
  if (!parent.ok()) return parent.status();
  auto q = OpenQuarantine();
  if (!q.ok()) return q.status();
  if ((*q)->info().dev != (*parent)->info().dev) {
    return Status::FailedPrecondition(
        "quarantine " + rule_.quarantine + " is on another filesystem than " +
        rule_.data_dir.parent +
        "; set quarantine to a directory on the same filesystem");
  }
  const std::string qname = account + kQuarantineMarker;
  Status moved =
      fs_.RenameDirAt(**parent, rule_.data_dir.NameOf(account), **q, qname);
  if (!moved.ok()) {
    return moved.IsNotFound() || moved.code() == Status::Code::kUnsafe
               ? Status::Busy(Later(moved.message()))
               : moved;
  }
  auto opened = fs_.OpenDir(**q, qname, &dir);
  if (!opened.ok()) {
    if (opened.status().code() != Status::Code::kUnsafe) return opened.status();
    auto top = fs_.StatAt(**q, qname);
    return PutBack(
        **q, account,
        top.ok() ? "it is " + What(*top) : opened.status().ToString());
  }
  opened->reset();
  RETENTION_RETURN_IF_ERROR(fs_.SyncDir(**q));
  return fs_.SyncDir(**parent);
}

StatusOr<bool> AccountsQuarantine::MoveBack(
    const std::string& account, const std::optional<FileInfo>& expected) {
  auto q = fs_.OpenRoot(rule_.quarantine);
  if (!q.ok()) {
    if (q.status().IsNotFound()) return false;
    return q.status();
  }
  const std::string qname = account + kQuarantineMarker;
  auto top = fs_.StatAt(**q, qname);
  if (!top.ok()) {
    if (top.status().IsNotFound()) return false;
    return top.status();
  }
  // Without a recorded identity (a purge begun before identities were
  // recorded), it must at least be a directory on this filesystem.
  auto opened = fs_.OpenDir(**q, qname, expected ? &*expected : nullptr);
  if (!opened.ok()) return opened.status();
  opened->reset();
  auto parent = fs_.OpenRoot(rule_.data_dir.parent);
  if (!parent.ok()) return parent.status();
  RETENTION_RETURN_IF_ERROR(
      fs_.RenameDirAt(**q, qname, **parent, rule_.data_dir.NameOf(account)));
  RETENTION_RETURN_IF_ERROR(fs_.SyncDir(**parent));
  RETENTION_RETURN_IF_ERROR(fs_.SyncDir(**q));
  return true;
}

StatusOr<bool> AccountsQuarantine::AtHome(const std::string& account,
                                          const FileInfo& dir) {
  auto parent = fs_.OpenRoot(rule_.data_dir.parent);
  if (!parent.ok()) {
    if (parent.status().IsNotFound()) return false;
    return parent.status();
  }
  auto now = fs_.StatAt(**parent, rule_.data_dir.NameOf(account));
  if (!now.ok()) {
    if (now.status().IsNotFound()) return false;
    return now.status();
  }
  return now->type == FileType::kDirectory && now->SameIdentity(dir);
}

StatusOr<WallTime> AccountsQuarantine::FilesystemNow() {
  // The time the filesystem stamps a change with now, the same clock as
  // the times it is compared with (never the daemon's wall clock, which
  // a test or an operator may have set elsewhere).
  constexpr char kProbe[] = ".now";
  auto q = OpenQuarantine();
  if (!q.ok()) return q.status();
  if (auto old = fs_.StatAt(**q, kProbe); old.ok()) {
    RETENTION_RETURN_IF_ERROR(fs_.RemoveAt(**q, kProbe, *old));  // cut short
  }
  RETENTION_RETURN_IF_ERROR(fs_.MakeDirAt(**q, kProbe, kQuarantineMode));
  auto probe = fs_.StatAt(**q, kProbe);
  if (!probe.ok()) return probe.status();
  RETENTION_RETURN_IF_ERROR(fs_.RemoveAt(**q, kProbe, *probe));
  return probe->ctime;
}

StatusOr<bool> AccountsQuarantine::Holds(const std::string& account) {
  auto q = fs_.OpenRoot(rule_.quarantine);
  if (!q.ok()) {
    if (q.status().IsNotFound()) return false;
    return q.status();
  }
  auto top = fs_.StatAt(**q, account + kQuarantineMarker);
  if (top.ok()) return true;
  if (top.status().IsNotFound()) return false;
  return top.status();
}

}  // namespace retention
