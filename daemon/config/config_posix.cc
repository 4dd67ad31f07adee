// LoadConfig: the part of config loading that touches the OS — reading the
// main file, listing and reading its drop-ins. Everything else is in
// ConfigBuilder, which sees only text.
#include <dirent.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <memory>

#include "config/config.h"
#include "config/config_builder.h"

namespace retention {
namespace {

// Reads a regular file of at most `limit` bytes. A configuration file is
// small; a bigger one is a mistake (or /dev/zero behind a symlink), not
// something to read forever, and a FIFO or device is never one.
Status ReadWholeFile(const std::string& path, size_t limit, std::string* text) {
  // O_NONBLOCK: opening a FIFO must not wait for a writer; it is refused
  // below, once fstat says what the handle is.
  const int fd =
      open(path.c_str(), O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NONBLOCK);
  if (fd < 0) return Status::FromErrno(errno, "cannot read");
  struct stat st;
  Status status;
  if (fstat(fd, &st) != 0) {
    status = Status::FromErrno(errno, "cannot read");
  } else if (!S_ISREG(st.st_mode)) {
    status = Status::InvalidArgument("not a regular file");
  }
  char buffer[8192];
  while (status.ok()) {
    const ssize_t n = read(fd, buffer, sizeof(buffer));
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) status = Status::FromErrno(errno, "cannot read");
    if (n <= 0) break;
    text->append(buffer, static_cast<size_t>(n));
    if (text->size() > limit) {
      status = Status::InvalidArgument(
          limit < kMaxConfigFileBytes
              ? "with the files before it, larger than " +
                    std::to_string(kMaxConfigTotalBytes) + " bytes"
              : "larger than " + std::to_string(kMaxConfigFileBytes) +
                    " bytes");
    }
  }
  close(fd);
  return status;
}

bool IsDropInName(const std::string& name) {
  constexpr std::string_view kSuffix = ".conf";
  // Hidden files are editors' and package managers' leftovers.
  return name.size() > kSuffix.size() && name[0] != '.' &&
         name.compare(name.size() - kSuffix.size(), kSuffix.size(), kSuffix) ==
             0;
}

// The *.conf names in `dir`, in byte order. A missing directory has none.
Status ListDropIns(const std::string& dir, std::vector<std::string>* names) {
  std::unique_ptr<DIR, int (*)(DIR*)> handle(opendir(dir.c_str()), closedir);
  if (!handle) {
    if (errno == ENOENT) return Status::Ok();
    return Status::FromErrno(errno, "cannot list drop-in directory");
  }
  for (;;) {
    errno = 0;  // readdir reports an error only through errno
    const dirent* entry = readdir(handle.get());
    if (entry == nullptr && errno != 0) {
      return Status::FromErrno(errno, "cannot list drop-in directory");
    }
    if (entry == nullptr) break;
    if (!IsDropInName(entry->d_name)) continue;
    if (names->size() == kMaxConfigDropIns) {
      names->clear();
      return Status::InvalidArgument("more than " +
                                     std::to_string(kMaxConfigDropIns) +
                                     " drop-in files; none is read");
    }
    names->push_back(entry->d_name);
  }
  // std::string compares as unsigned bytes: the order `LC_ALL=C ls` shows.
  std::sort(names->begin(), names->end());
  return Status::Ok();
}

// Adds `path`, counting its bytes against *budget (all files together).
void AddFile(const std::string& path, size_t* budget, ConfigBuilder* builder) {
  std::string text;
  const Status status =
      ReadWholeFile(path, std::min(*budget, kMaxConfigFileBytes), &text);
  *budget -= std::min(*budget, text.size());
  if (!status.ok()) return builder->AddFileError(path, status.message());
  builder->AddFile(path, DirectoryOf(path), text);
}

// The main file, then its drop-ins.
void AddFiles(const std::string& path, ConfigBuilder* builder) {
  size_t budget = kMaxConfigTotalBytes;
  AddFile(path, &budget, builder);
  const std::string dir = path + ".d";
  std::vector<std::string> names;
  const Status listed = ListDropIns(dir, &names);
  if (!listed.ok()) builder->AddFileError(dir, listed.message());
  for (const std::string& name : names) {
    AddFile(dir + "/" + name, &budget, builder);
  }
}

}  // namespace

bool LoadConfig(const std::string& path, const KindRegistry& registry,
                Config* config, std::vector<ConfigError>* errors,
                std::string* sha256) {
  ConfigBuilder builder(registry);
  AddFiles(path, &builder);
  if (sha256 != nullptr) *sha256 = builder.Sha256();
  return builder.Finish(config, errors);
}

bool LoadDaemonSection(const std::string& path, const KindRegistry& registry,
                       Section* daemon, std::vector<ConfigError>* errors) {
  ConfigBuilder builder(registry);
  AddFiles(path, &builder);
  return builder.FinishDaemon(daemon, errors);
}

}  // namespace retention
