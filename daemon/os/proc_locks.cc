#include "os/proc_locks.h"

#include <algorithm>
#include <charconv>
#include <optional>
#include <string>

namespace retention {
namespace {

bool IsHex(std::string_view s) {
  return !s.empty() && std::all_of(s.begin(), s.end(), [](char c) {
    return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f');
  });
}

// The inode of a "MAJ:MIN:INODE" field; nullopt if `field` is not one.
std::optional<uint64_t> InodeOf(std::string_view field) {
  const size_t first = field.find(':');
  const size_t second = field.find(':', first + 1);
  if (first == std::string_view::npos || second == std::string_view::npos ||
      field.find(':', second + 1) != std::string_view::npos) {
    return std::nullopt;
  }
  if (!IsHex(field.substr(0, first)) ||
      !IsHex(field.substr(first + 1, second - first - 1))) {
    return std::nullopt;
  }
  const std::string_view ino = field.substr(second + 1);
  uint64_t value = 0;
  auto [end, err] = std::from_chars(ino.data(), ino.data() + ino.size(), value);
  if (ino.empty() || err != std::errc() || end != ino.data() + ino.size()) {
    return std::nullopt;
  }
  return value;
}

// The inodes of one line's fields, in `out`; false if the line has none.
bool AddLineInode(std::string_view line, std::vector<uint64_t>* out) {
  int found = 0;
  bool none = false;
  size_t at = 0;
  while (at < line.size()) {
    const size_t start = line.find_first_not_of(" \t", at);
    if (start == std::string_view::npos) break;
    const size_t end = std::min(line.find_first_of(" \t", start), line.size());
    const std::string_view field = line.substr(start, end - start);
    if (auto ino = InodeOf(field)) {
      out->push_back(*ino);
      ++found;
    }
    if (field == "<none>:0") none = true;
    at = end;
  }
  return found == 1 || (found == 0 && none);
}

}  // namespace

StatusOr<std::vector<uint64_t>> ParseProcLocks(std::string_view text) {
  std::vector<uint64_t> inodes;
  size_t at = 0;
  while (at < text.size()) {
    const size_t end = std::min(text.find('\n', at), text.size());
    const std::string_view line = text.substr(at, end - at);
    at = end + 1;
    if (line.find_first_not_of(" \t") == std::string_view::npos) continue;
    if (!AddLineInode(line, &inodes)) {
      return Status::Corruption("/proc/locks: unexpected line \"" +
                                std::string(line.substr(0, 120)) + "\"");
    }
  }
  std::sort(inodes.begin(), inodes.end());
  inodes.erase(std::unique(inodes.begin(), inodes.end()), inodes.end());
  return inodes;
}

}  // namespace retention
