#include <grp.h>

#include <cerrno>
#include <charconv>
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

StatusOr<gid_t> ResolveGroup(const std::string& name_or_id) {
  if (name_or_id.empty()) {
    return Status::InvalidArgument("empty value; expected a group");
  }
  gid_t id{};
  const char* end = name_or_id.data() + name_or_id.size();
  auto [stop, err] = std::from_chars(name_or_id.data(), end, id);
  if (err == std::errc() && stop == end) return id;
  return LookupGroup(name_or_id);
}

}  // namespace retention
