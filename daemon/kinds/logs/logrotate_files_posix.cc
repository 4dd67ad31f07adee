// The importer's view of the machine: logrotate files and directories read
// (LoadLogrotatePath, logrotate_config.h), and programs looked up in the
// PATH a script would have had (FindProgram, logrotate_import.h).
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "kinds/logs/logrotate_config.h"
#include "kinds/logs/logrotate_import.h"

namespace retention {
namespace {

constexpr std::uintmax_t kMaxLogrotateFile = 0xffffff;  // as logrotate

StatusOr<LogrotateSource> ReadOne(const std::string& path) {
  struct stat st;
  if (stat(path.c_str(), &st) != 0) return Status::FromErrno(errno, path);
  if (!S_ISREG(st.st_mode)) {
    return Status::InvalidArgument(path + ": not a regular file");
  }
  if (static_cast<std::uintmax_t>(st.st_size) > kMaxLogrotateFile) {
    return Status::InvalidArgument(path + ": too large for a config file");
  }
  std::ifstream in(path);
  if (!in) return Status::FromErrno(errno, path);
  std::ostringstream text;
  text << in.rdbuf();
  return LogrotateSource{path, text.str()};
}

}  // namespace

StatusOr<std::vector<LogrotateSource>> LoadLogrotatePath(
    const std::string& path) {
  struct stat st;
  if (stat(path.c_str(), &st) != 0) return Status::FromErrno(errno, path);
  if (!S_ISDIR(st.st_mode)) {
    auto one = ReadOne(path);
    if (!one.ok()) return one.status();
    return std::vector<LogrotateSource>{*one};
  }
  std::vector<std::string> names;
  std::error_code ec;
  for (const auto& entry : std::filesystem::directory_iterator(path, ec)) {
    const std::string name = entry.path().filename().string();
    if (entry.is_regular_file(ec) && !IsLogrotateTaboo(name)) {
      names.push_back(name);
    }
  }
  if (ec) return Status::FromErrno(ec.value(), path);
  std::sort(names.begin(), names.end());
  std::vector<LogrotateSource> out;
  for (const std::string& name : names) {
    auto one = ReadOne(path + "/" + name);
    if (!one.ok()) return one.status();
    out.push_back(std::move(*one));
  }
  return out;
}

std::optional<std::string> FindProgram(const std::string& name) {
  for (const char* dir : {"/usr/local/sbin", "/usr/local/bin", "/usr/sbin",
                          "/usr/bin", "/sbin", "/bin"}) {
    const std::string path = std::string(dir) + "/" + name;
    if (access(path.c_str(), X_OK) == 0) return path;
  }
  return std::nullopt;
}

}  // namespace retention
