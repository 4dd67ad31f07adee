// AccountsQuarantine: step a of an account purge (accounts_policy.h) and
// its undoing, decided on handles and identities, never on a name alone.
//
// Planning (Observe) opens the directory of data directories and lstats
// each due account's name in it: a directory (dev+inode), something else,
// or nothing. Execution (Check) looks again and proceeds only if it can
// prove what it will act on:
//   - the very directory planning saw (same dev+inode, a directory, not a
//     mount point) is moved with RenameDirAt — the kernel refuses, in the
//     rename itself, a symlink swapped in meanwhile — and is then reopened
//     O_NOFOLLOW|O_DIRECTORY from the quarantine side and identity-checked
//     (MoveIn); anything else found there is moved back;
//   - or nothing was under the name at planning nor at execution, and the
//     directory holding it did not change in between (same dev, inode,
//     mtime and ctime: no entry was added, removed or renamed in it) nor
//     for `absent_quiet` before (a directory moved aside for an instant,
//     as an attacker racing the purge would, is not taken for absent).
// Anything else fails with the reason, and nothing is moved: the purge
// waits for the next run. Only this process writes in the quarantine
// directory (0700), so what it verified there stays verified.
//
// Threading: one run at a time, like the policy.
#pragma once

#include <map>
#include <optional>
#include <string>
#include <vector>

#include "base/status.h"
#include "kinds/accounts/accounts_rule.h"
#include "os/filesystem.h"

namespace retention {

// What planning saw of the data directories.
struct DataDirsSeen {
  struct Entry {
    Status error;                  // could not look (then `info` is unset)
    std::optional<FileInfo> info;  // lstat of the name; nullopt: nothing
  };
  // The directory holding them as opened before any name in it was looked
  // at; nullopt: it did not exist.
  std::optional<FileInfo> parent;
  std::map<std::string, Entry> dirs;  // by account id
};

// "data_dir DEV:INO", the identity a progress record keeps while a tree
// may be in quarantine, and back (nullopt for any other text).
std::string DirIdentityText(const FileInfo& dir);
std::optional<FileInfo> ParseDirIdentity(const std::string& text);

class AccountsQuarantine {
 public:
  // `rule.data_dir` must not be empty.
  AccountsQuarantine(Filesystem& fs, AccountsRule rule);

  // Planning: lstat of each account's data directory name.
  DataDirsSeen Observe(const std::vector<std::string>& accounts);

  // Whether the account's tree is in quarantine and is `expected` (opened
  // O_NOFOLLOW|O_DIRECTORY there, same dev+inode): true; nothing there:
  // false. Something else there, or nothing to check it against: it is
  // moved back to the data directory's name and kAborted says so, or, if
  // that name is taken or the move fails, kUnsafe says it is left there.
  StatusOr<bool> Verify(const std::string& account,
                        const std::optional<FileInfo>& expected);

  // Execution: the directory planning saw, still under the name, to move;
  // or nullopt when the name is proven empty (see above). Fails, having
  // moved nothing, with the reason the purge must wait.
  StatusOr<std::optional<FileInfo>> Check(const std::string& account,
                                          const DataDirsSeen& seen);

  // Moves `dir` (from Check) into quarantine and verifies it there; what
  // arrived there if it is not `dir` is moved back (kAborted) or left
  // (kUnsafe), as Verify does.
  Status MoveIn(const std::string& account, const FileInfo& dir);

  // Moves the account's quarantined tree back to its data directory's
  // name if it is `expected` (with no identity recorded: a directory on
  // this filesystem) and that name is free: true; nothing in quarantine:
  // false. Fails, moving nothing, saying why.
  StatusOr<bool> MoveBack(const std::string& account,
                          const std::optional<FileInfo>& expected);

  // Whether anything is in quarantine under the account's name.
  StatusOr<bool> Holds(const std::string& account);

  // Whether the data directory's name holds the directory `dir`.
  StatusOr<bool> AtHome(const std::string& account, const FileInfo& dir);

 private:
  std::string QuarantinedPath(const std::string& account) const;
  // Moves what is in quarantine back (see Verify); `why` it is not ours.
  Status PutBack(Dir& quarantine, const std::string& account,
                 const std::string& why);
  StatusOr<std::unique_ptr<Dir>> OpenQuarantine();
  // The filesystem's time now: the ctime of a probe made in quarantine.
  StatusOr<WallTime> FilesystemNow();

  Filesystem& fs_;
  AccountsRule rule_;
};

}  // namespace retention
