// LoadConfig on real files: the main file, its drop-in directory, and the
// ways reading them can fail. Each test works in a fresh temp directory.
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

#include <catch2/catch.hpp>
#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

#include "config/config.h"
#include "unit/test_registry.h"

namespace retention::config_dropin_test {
namespace {

namespace fs = std::filesystem;

class TempDir {
 public:
  TempDir() {
    std::string pattern =
        (fs::temp_directory_path() / "retention-config-XXXXXX").string();
    REQUIRE(mkdtemp(pattern.data()) != nullptr);
    path_ = pattern;
  }
  ~TempDir() {
    std::error_code ec;
    // Best effort: a leftover temp dir must not fail the test run.
    fs::remove_all(path_, ec);
  }
  std::string Write(const std::string& relative, const std::string& text) {
    const fs::path file = path_ / relative;
    fs::create_directories(file.parent_path());
    std::ofstream(file) << text;
    return file.string();
  }
  std::string Path(const std::string& relative) const {
    return (path_ / relative).string();
  }

 private:
  fs::path path_;
};

struct Loaded {
  bool ok = false;
  Config config;
  std::vector<std::string> messages;
};

Loaded Load(const std::string& path) {
  auto registry = MakeTestRegistry();
  Loaded out;
  std::vector<ConfigError> errors;
  out.ok = LoadConfig(path, registry->registry, &out.config, &errors);
  for (const ConfigError& e : errors) out.messages.push_back(e.ToString());
  return out;
}

TEST_CASE("drop-ins apply in name order and the later file wins") {
  TempDir dir;
  const std::string main = dir.Write(
      "r.conf", "[logs.app]\npaths = /a\nmax_age = 1d\ncompress = gzip\n");
  const std::string second =
      dir.Write("r.conf.d/20-later.conf", "[logs.app]\nmax_age = 3d\n");
  const std::string first = dir.Write("r.conf.d/10-first.conf",
                                      "# first\n[logs.app]\nmax_age = 2d\n"
                                      "compress = none\n");
  Loaded loaded = Load(main);
  INFO(Catch::Detail::stringify(loaded.messages));
  REQUIRE(loaded.ok);
  CHECK(loaded.config.files == std::vector<std::string>{main, first, second});
  const Section* logs = loaded.config.Find("logs.app");
  REQUIRE(logs != nullptr);
  CHECK(logs->GetString("max_age") == "3d");
  CHECK(logs->values.at("max_age").where.ToString() == second + ":2");
  CHECK(logs->GetString("compress") == "none");
  CHECK(logs->values.at("compress").where.ToString() == first + ":4");
  CHECK(logs->where.ToString() == main + ":1");
  CHECK(loaded.config.sections.size() == 2);
}

TEST_CASE("a drop-in may add sections and resolve paths from its own dir") {
  TempDir dir;
  const std::string main = dir.Write("r.conf", "[daemon]\n");
  dir.Write("r.conf.d/a.conf", "[occupancy]\nroot = users\n");
  Loaded loaded = Load(main);
  REQUIRE(loaded.ok);
  CHECK(loaded.config.Find("occupancy")->GetString("root") ==
        dir.Path("r.conf.d/users"));
}

TEST_CASE("files in the drop-in directory not ending in .conf are ignored") {
  TempDir dir;
  const std::string main = dir.Write("r.conf", "[daemon]\n");
  dir.Write("r.conf.d/a.conf.bak", "garbage\n");
  dir.Write("r.conf.d/README", "garbage\n");
  dir.Write("r.conf.d/.hidden.conf", "garbage\n");
  dir.Write("r.conf.d/b.conf~", "garbage\n");
  Loaded loaded = Load(main);
  INFO(Catch::Detail::stringify(loaded.messages));
  REQUIRE(loaded.ok);
  CHECK(loaded.config.files == std::vector<std::string>{main});
}

TEST_CASE("a missing drop-in directory is fine") {
  TempDir dir;
  const std::string main = dir.Write("r.conf", "[occupancy]\nroot = /d\n");
  CHECK(Load(main).ok);
}

TEST_CASE("a missing main file is an error naming it") {
  TempDir dir;
  Loaded loaded = Load(dir.Path("absent.conf"));
  CHECK_FALSE(loaded.ok);
  REQUIRE(loaded.messages.size() == 1);
  CHECK(loaded.messages[0] ==
        dir.Path("absent.conf") + ": cannot read: No such file or directory");
}

TEST_CASE("an unreadable drop-in is an error naming it") {
  TempDir dir;
  const std::string main = dir.Write("r.conf", "[daemon]\n");
  // Root reads any mode, so unreadability comes from the file's kind.
  fs::create_directories(dir.Path("r.conf.d/50-dir.conf"));
  fs::create_symlink(dir.Path("nowhere"),
                     dir.Path("r.conf.d/60-dangling.conf"));
  Loaded loaded = Load(main);
  CHECK_FALSE(loaded.ok);
  REQUIRE(loaded.messages.size() == 2);
  CHECK(loaded.messages[0] ==
        dir.Path("r.conf.d/50-dir.conf") + ": not a regular file");
  CHECK(loaded.messages[1] == dir.Path("r.conf.d/60-dangling.conf") +
                                  ": cannot read: No such file or directory");
}

TEST_CASE("a file without read permission is an error naming it") {
  if (geteuid() == 0) {
    WARN("skipped: root reads any mode (see the unreadable drop-in test)");
    return;
  }
  TempDir dir;
  const std::string main = dir.Write("r.conf", "[daemon]\n");
  fs::permissions(main, fs::perms::none);
  Loaded loaded = Load(main);
  CHECK_FALSE(loaded.ok);
  REQUIRE(loaded.messages.size() == 1);
  CHECK(loaded.messages[0] == main + ": cannot read: Permission denied");
}

TEST_CASE("a drop-in path that is not a directory is an error naming it") {
  TempDir dir;
  const std::string main = dir.Write("r.conf", "[daemon]\n");
  dir.Write("r.conf.d", "not a directory\n");
  Loaded loaded = Load(main);
  CHECK_FALSE(loaded.ok);
  REQUIRE(loaded.messages.size() == 1);
  CHECK(loaded.messages[0] == main +
                                  ".d: cannot list drop-in directory: Not a "
                                  "directory");
}

TEST_CASE("errors across files are ordered by file, then line") {
  TempDir dir;
  const std::string main =
      dir.Write("r.conf", "[logs.app]\npaths = /a\n\n\nmax_age = x\n");
  const std::string drop =
      dir.Write("r.conf.d/a.conf", "[logs.app]\ncompres = zstd\n");
  const std::string again =
      dir.Write("r.conf.d/b.conf", "[logs.app]\nmax_age = 1d\nmax_age = 2d\n");
  Loaded loaded = Load(main);
  CHECK_FALSE(loaded.ok);
  REQUIRE(loaded.messages.size() == 3);
  CHECK_THAT(loaded.messages[0],
             Catch::StartsWith(main + ":5: [logs.app] max_age: bad duration"));
  CHECK(loaded.messages[1] == drop +
                                  ":2: [logs.app] compres: unknown key; did "
                                  "you mean 'compress'?");
  CHECK(loaded.messages[2] ==
        again + ":3: [logs.app] max_age: key already set at " + again + ":2");
}

TEST_CASE("the same section in two files is an override, not a repeat") {
  TempDir dir;
  const std::string main = dir.Write("r.conf", "[daemon]\nlog_level = info\n");
  dir.Write("r.conf.d/a.conf", "[daemon]\nlog_level = debug\n");
  Loaded loaded = Load(main);
  REQUIRE(loaded.ok);
  CHECK(loaded.config.daemon().GetString("log_level") == "debug");
}

TEST_CASE("a FIFO is refused as the main file and as a drop-in") {
  TempDir dir;
  REQUIRE(mkfifo(dir.Path("r.conf").c_str(), 0600) == 0);
  fs::create_directories(dir.Path("r.conf.d"));
  REQUIRE(mkfifo(dir.Path("r.conf.d/10-fifo.conf").c_str(), 0600) == 0);
  Loaded loaded = Load(dir.Path("r.conf"));
  CHECK_FALSE(loaded.ok);
  REQUIRE(loaded.messages.size() == 2);
  CHECK(loaded.messages[0] == dir.Path("r.conf") + ": not a regular file");
  CHECK(loaded.messages[1] ==
        dir.Path("r.conf.d/10-fifo.conf") + ": not a regular file");
}

TEST_CASE("a file over the size limit is refused, and so is a total over it") {
  TempDir dir;
  const std::string main = dir.Write(
      "r.conf", "[daemon]\n#" + std::string(kMaxConfigFileBytes, 'x') + "\n");
  Loaded loaded = Load(main);
  CHECK_FALSE(loaded.ok);
  REQUIRE(loaded.messages.size() == 1);
  CHECK(loaded.messages[0].find(main + ": larger than 1048576 bytes") == 0);
  // Each drop-in under the limit, together over it.
  dir.Write("r.conf", "[daemon]\n");
  std::string comments;  // exactly 1 MiB of 1 KiB comment lines
  while (comments.size() < kMaxConfigFileBytes) {
    comments += "#" + std::string(1022, 'x') + "\n";
  }
  for (int i = 0; i < 5; ++i) {
    dir.Write("r.conf.d/" + std::to_string(i) + ".conf", comments);
  }
  loaded = Load(main);
  CHECK_FALSE(loaded.ok);
  REQUIRE(loaded.messages.size() == 2);
  CHECK(loaded.messages[0] ==
        dir.Path("r.conf.d/3.conf") +
            ": with the files before it, larger than 4194304 bytes");
}

TEST_CASE("more drop-ins than the limit are refused, none read") {
  TempDir dir;
  const std::string main = dir.Write("r.conf", "[daemon]\n");
  for (size_t i = 0; i <= kMaxConfigDropIns; ++i) {
    dir.Write("r.conf.d/" + std::to_string(i) + ".conf", "");
  }
  Loaded loaded = Load(main);
  CHECK_FALSE(loaded.ok);
  REQUIRE(loaded.messages.size() == 1);
  CHECK(loaded.messages[0] ==
        dir.Path("r.conf.d") + ": more than 1000 drop-in files; none is read");
}

TEST_CASE("the configuration's SHA-256 covers every file read") {
  TempDir dir;
  const std::string main = dir.Write("r.conf", "[daemon]\n");
  auto registry = MakeTestRegistry();
  auto sha = [&] {
    Config config;
    std::vector<ConfigError> errors;
    std::string sha256;
    LoadConfig(main, registry->registry, &config, &errors, &sha256);
    return sha256;
  };
  const std::string first = sha();
  CHECK(first.size() == 64);
  CHECK(sha() == first);
  dir.Write("r.conf.d/1.conf", "# a comment changes it\n");
  CHECK(sha() != first);
}

}  // namespace
}  // namespace retention::config_dropin_test
