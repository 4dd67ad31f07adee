#include "control/control_access.h"

#include <algorithm>

namespace retention {

bool InGroup(const Caller& caller, gid_t gid) {
  return caller.gid == gid ||
         std::find(caller.groups.begin(), caller.groups.end(), gid) !=
             caller.groups.end();
}

bool MayCall(const Caller& caller, const AccessRules& rules,
             bool changes_state) {
  if (caller.uid == 0) return true;
  if (changes_state)
    return rules.admin_gid && InGroup(caller, *rules.admin_gid);
  if (caller.uid == rules.daemon_uid) return true;
  if (rules.socket_gid && InGroup(caller, *rules.socket_gid)) return true;
  // An admin may also read: the admin group implies the read rights.
  return rules.admin_gid && InGroup(caller, *rules.admin_gid);
}

std::string DescribeCaller(const Caller& caller) {
  return "uid " + std::to_string(caller.uid) + " pid " +
         std::to_string(caller.pid);
}

}  // namespace retention
