#include "kinds/occupancy/occupancy_scanner.h"

#include <algorithm>
#include <cstdio>
#include <tuple>

#include "kinds/occupancy/occupancy_tally.h"

namespace retention {
namespace {

std::vector<std::string> SplitComponents(const std::string& layout) {
  std::vector<std::string> parts;
  size_t start = 0;
  while (start <= layout.size()) {
    size_t slash = layout.find('/', start);
    if (slash == std::string::npos) slash = layout.size();
    parts.push_back(layout.substr(start, slash - start));
    start = slash + 1;
  }
  return parts;
}

void AddUsage(UserUsage* to, const UserUsage& from) {
  to->allocated += from.allocated;
  to->apparent += from.apparent;
  to->files += from.files;
  to->dirs += from.dirs;
  to->errors += from.errors;
}

// Charges each linked inode once, to the first user (lowest index) linking it.
void ChargeLinks(std::vector<LinkRecord>* links,
                 std::vector<UserUsage>* usage) {
  std::sort(links->begin(), links->end(),
            [](const LinkRecord& a, const LinkRecord& b) {
              return std::tie(a.dev, a.ino, a.user) <
                     std::tie(b.dev, b.ino, b.user);
            });
  for (size_t i = 0; i < links->size(); ++i) {
    const LinkRecord& r = (*links)[i];
    if (i > 0 && (*links)[i - 1].dev == r.dev && (*links)[i - 1].ino == r.ino) {
      continue;
    }
    UserUsage& u = (*usage)[r.user];
    u.allocated += r.allocated;
    u.apparent += r.apparent;
    ++u.files;
  }
}

}  // namespace

std::string CheckLayout(const std::string& layout) {
  int ids = 0;
  for (const std::string& part : SplitComponents(layout)) {
    if (part.empty() || part == "." || part == "..") {
      return "components must be names, '*' or '{id}', separated by one '/'";
    }
    if (part == "{id}") {
      ++ids;
    } else if (part.find('{') != std::string::npos) {
      return "'{id}' must be a whole component";
    }
  }
  if (ids != 1) return "must contain '{id}' exactly once";
  return "";
}

std::vector<std::string> LayoutComponents(const std::string& layout) {
  return SplitComponents(layout);
}

std::string EscapeName(const std::string& name) {
  std::string out;
  out.reserve(name.size());
  for (unsigned char c : name) {
    if (c >= 0x20 && c < 0x7f && c != '\\') {
      out.push_back(static_cast<char>(c));
    } else {
      char hex[8];
      std::snprintf(hex, sizeof hex, "\\x%02x", c);
      out += hex;
    }
  }
  return out;
}

void OccupancyTally::Warn(std::string message) {
  if (warnings.size() >= OccupancyScan::kMaxWarnings) {
    ++warnings_dropped;
    return;
  }
  warnings.push_back(std::move(message));
}

OccupancyScan MergeTallies(const std::vector<std::string>& users,
                           std::vector<OccupancyTally>& tallies) {
  OccupancyScan scan;
  std::vector<UserUsage> usage(users.size());
  std::vector<LinkRecord> links;
  for (OccupancyTally& t : tallies) {
    for (size_t i = 0; i < users.size(); ++i) AddUsage(&usage[i], t.usage[i]);
    links.insert(links.end(), t.links.begin(), t.links.end());
    scan.entries += t.entries;
    scan.mounts.insert(scan.mounts.end(), t.mounts.begin(), t.mounts.end());
    scan.warnings.insert(scan.warnings.end(), t.warnings.begin(),
                         t.warnings.end());
    scan.warnings_dropped += t.warnings_dropped;
  }
  ChargeLinks(&links, &usage);
  for (size_t i = 0; i < users.size(); ++i) usage[i].user = users[i];
  scan.users = std::move(usage);
  std::sort(scan.mounts.begin(), scan.mounts.end());
  std::sort(scan.warnings.begin(), scan.warnings.end());
  if (scan.warnings.size() > OccupancyScan::kMaxWarnings) {
    scan.warnings_dropped += scan.warnings.size() - OccupancyScan::kMaxWarnings;
    scan.warnings.resize(OccupancyScan::kMaxWarnings);
  }
  return scan;
}

}  // namespace retention
