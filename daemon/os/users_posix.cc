#include <pwd.h>

#include <cerrno>
#include <charconv>
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

StatusOr<uid_t> ResolveUser(const std::string& name_or_id) {
  if (name_or_id.empty()) {
    return Status::InvalidArgument("empty value; expected a user");
  }
  uid_t id{};
  const char* end = name_or_id.data() + name_or_id.size();
  auto [stop, err] = std::from_chars(name_or_id.data(), end, id);
  if (err == std::errc() && stop == end) return id;
  return LookupUser(name_or_id);
}

}  // namespace retention
