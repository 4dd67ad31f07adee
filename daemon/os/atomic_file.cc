#include "os/atomic_file.h"

namespace retention {
namespace {

Status WriteTemp(Filesystem& fs, Dir& dir, const std::string& temp,
                 std::string_view content, uint32_t mode) {
  auto file = fs.CreateFileAt(dir, temp, mode);
  if (file.status().IsBusy()) {  // left by a crash: nobody else writes it
    auto stale = fs.StatAt(dir, temp);
    if (!stale.ok()) return stale.status();
    RETENTION_RETURN_IF_ERROR(fs.RemoveAt(dir, temp, *stale));
    file = fs.CreateFileAt(dir, temp, mode);
  }
  if (!file.ok()) return file.status();
  RETENTION_RETURN_IF_ERROR((*file)->Write(content));
  return (*file)->Sync();
}

}  // namespace

StatusOr<std::string> ReadWholeFile(Filesystem& fs, const std::string& path,
                                    size_t max) {
  const size_t slash = path.find_last_of('/');
  if (path.empty() || path[0] != '/' || slash + 1 == path.size()) {
    return Status::InvalidArgument(path + ": not an absolute file path");
  }
  auto dir = fs.OpenRoot(slash == 0 ? "/" : path.substr(0, slash));
  if (!dir.ok()) return dir.status();
  auto file = fs.OpenFileAt(**dir, path.substr(slash + 1));
  if (!file.ok()) return file.status();
  std::string content;
  for (;;) {
    std::string chunk;
    RETENTION_RETURN_IF_ERROR((*file)->Read(64 * 1024, &chunk));
    if (chunk.empty()) return content;
    content += chunk;
    if (content.size() > max) {
      return Status::InvalidArgument(path + " is larger than " +
                                std::to_string(max) + " bytes");
    }
  }
}

Status WriteFileAtomically(Filesystem& fs, const std::string& path,
                           std::string_view content, uint32_t mode) {
  const size_t slash = path.find_last_of('/');
  if (path.empty() || path[0] != '/' || slash + 1 == path.size()) {
    return Status::InvalidArgument(path + ": not an absolute file path");
  }
  auto dir = fs.OpenRoot(slash == 0 ? "/" : path.substr(0, slash));
  if (!dir.ok()) return dir.status();
  const std::string name = path.substr(slash + 1);
  const std::string temp = "." + name + ".tmp";
  Status st = WriteTemp(fs, **dir, temp, content, mode);
  if (st.ok()) st = fs.ReplaceFileAt(**dir, temp, name);
  if (!st.ok()) {
    auto left = fs.StatAt(**dir, temp);
    // Best effort: a temp file that cannot be removed now is replaced by the
    // next write.
    if (left.ok()) (void)fs.RemoveAt(**dir, temp, *left);
    return st;
  }
  return fs.SyncDir(**dir);
}

}  // namespace retention
