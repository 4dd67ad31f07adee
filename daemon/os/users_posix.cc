#include <pwd.h>

#include <cerrno>
#include <vector>

#include "os/users.h"

namespace retention {

StatusOr<uid_t> LookupUser(const std::string& name) {
  std::vector<char> buffer(16384);
  struct passwd entry;
  struct passwd* found = nullptr;
  int err;
  while ((err = getpwnam_r(name.c_str(), &entry, buffer.data(), buffer.size(),
                           &found)) == ERANGE &&
         buffer.size() < (1u << 24)) {
    buffer.resize(buffer.size() * 2);
  }
  if (err != 0) return Status::FromErrno(err, "looking up user '" + name + "'");
  if (found == nullptr) return Status::NotFound("no user named '" + name + "'");
  return found->pw_uid;
}

}  // namespace retention
