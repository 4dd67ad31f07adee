#include <grp.h>

#include <cerrno>
#include <vector>

#include "os/groups.h"

namespace retention {

StatusOr<gid_t> LookupGroup(const std::string& name) {
  std::vector<char> buffer(16384);
  struct group entry;
  struct group* found = nullptr;
  int err;
  while ((err = getgrnam_r(name.c_str(), &entry, buffer.data(), buffer.size(),
                           &found)) == ERANGE &&
         buffer.size() < (1u << 24)) {
    buffer.resize(buffer.size() * 2);
  }
  if (err != 0)
    return Status::FromErrno(err, "looking up group '" + name + "'");
  if (found == nullptr)
    return Status::NotFound("no group named '" + name + "'");
  return found->gr_gid;
}

}  // namespace retention
