// Who may call what on the control socket. The caller is whoever the kernel
// says is at the other end (SO_PEERCRED for uid, gid and pid, SO_PEERGROUPS
// for the supplementary groups, both taken when the client connected), never
// anything the client claims. Read methods: root, the daemon's own user, and
// members of the socket's group. Methods that change state: root and members
// of admin_group only. Pure; thread-safe.
#pragma once

#include <sys/types.h>

#include <optional>
#include <string>
#include <vector>

namespace retention {

struct Caller {
  uid_t uid = 0;
  gid_t gid = 0;
  pid_t pid = 0;
  std::vector<gid_t> groups;  // supplementary groups
};

struct AccessRules {
  uid_t daemon_uid = 0;
  std::optional<gid_t> socket_gid;  // [daemon] socket_group
  std::optional<gid_t> admin_gid;   // [daemon] admin_group
};

// True when `caller`'s primary or a supplementary group is `gid`.
bool InGroup(const Caller& caller, gid_t gid);

// Whether `caller` may call a method; `changes_state` as ChangesState().
bool MayCall(const Caller& caller, const AccessRules& rules,
             bool changes_state);

// "uid 1000 pid 4242", for logs and the ledger.
std::string DescribeCaller(const Caller& caller);

}  // namespace retention
