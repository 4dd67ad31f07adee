// Config: the effective configuration after reading the main file and its
// drop-ins (`FILE.d/*.conf` in name order; a later file's value for a key
// wins). Values are validated at load against the keys each kind registered
// in a KindRegistry, so typed getters on Section cannot fail. Relative paths
// in path-typed keys are resolved against the directory of the file that set
// them. A Config is an immutable value once loaded: share it read-only
// across threads.
#pragma once

#include <map>
#include <string>
#include <vector>

#include "base/clock.h"
#include "base/status.h"
#include "config/config_value.h"

namespace retention {

class KindRegistry;

// What LoadConfig reads at most (retentiond.conf(5), LIMITS): past these a
// configuration is refused with an error, not read at any cost.
inline constexpr size_t kMaxConfigFileBytes = 1 << 20;   // one file
inline constexpr size_t kMaxConfigTotalBytes = 4 << 20;  // all files
inline constexpr size_t kMaxConfigDropIns = 1000;
// Lines that are neither blank nor comments, in all files together.
inline constexpr size_t kMaxConfigLines = 10000;
// Errors reported: the first ones by file and line, then one saying how
// many more there were.
inline constexpr size_t kMaxConfigErrors = 20;

struct SourceLocation {
  std::string file;  // "(default)" for registered defaults
  int line = 0;
  std::string ToString() const;  // "FILE:LINE" or "(default)"
};

struct ConfigValue {
  std::string raw;  // as written, but with paths made absolute
  SourceLocation where;
};

struct ConfigError {
  SourceLocation where;
  std::string section;  // "logs.access", "daemon"; empty if none
  std::string key;      // empty when the error is about the section
  std::string message;
  // Set only on the last error of a list cut at kMaxConfigErrors: how many
  // were left out (its message says so too).
  size_t omitted = 0;
  // "FILE:LINE: [section] key: message"
  std::string ToString() const;
};

// How many errors `errors` stands for, those left out included.
size_t CountConfigErrors(const std::vector<ConfigError>& errors);

// One [daemon] or [KIND.NAME] section, merged across files, defaults filled.
struct Section {
  std::string kind;      // "daemon", "files", "logs", ...
  std::string name;      // "access" in [logs.access]; empty for [daemon]
  SourceLocation where;  // header of its first appearance
  std::map<std::string, ConfigValue> values;

  // "logs.access"; "daemon"; the kind alone for singleton kinds.
  std::string id() const;
  bool Has(const std::string& key) const;
  // Preconditions: the key is registered with the matching type and either
  // has a default or Has(key). Values were validated at load.
  const std::string& GetString(const std::string& key) const;
  // For keys without a default: their value, or "" when not set.
  const std::string& GetStringOrEmpty(const std::string& key) const;
  uint64_t GetSize(const std::string& key) const;
  Duration GetDuration(const std::string& key) const;
  bool GetBool(const std::string& key) const;
  int64_t GetInt(const std::string& key) const;
  double GetFraction(const std::string& key) const;
  SpaceLimit GetSpaceLimit(const std::string& key) const;  // empty if unset
  // Whitespace-separated list (paths, globs).
  std::vector<std::string> GetList(const std::string& key) const;
};

struct Config {
  std::vector<std::string> files;  // every file read, in order
  std::vector<Section> sections;  // [daemon] first, then in order of appearance

  const Section& daemon() const { return sections.front(); }
  const Section* Find(const std::string& id) const;
  // Every section but [daemon].
  std::vector<const Section*> policies() const;
};

// Reads `path` and then `path + ".d"/*.conf` (a missing drop-in directory is
// fine). On success fills *config and returns true. Otherwise returns false
// with every error found (not just the first) in *errors: unreadable files,
// syntax errors, unknown sections, kinds and keys (with the nearest known
// key suggested), bad values, missing required keys, a section repeated in
// one file, a policy name used by two kinds, a file that is not a regular
// file, limits passed. At most kMaxConfigErrors errors and one that counts
// the rest. When `sha256` is given, it gets the hex SHA-256 over every
// file's name and text as read (to identify a rejected configuration
// without recording it whole).
bool LoadConfig(const std::string& path, const KindRegistry& registry,
                Config* config, std::vector<ConfigError>* errors,
                std::string* sha256 = nullptr);

// Reads the same files as LoadConfig but needs only [daemon] to be sound:
// fills *daemon (defaults included) and returns true when it is, even if
// policies have errors, which still land in *errors. retentionctl uses it to
// find the control socket of a configuration whose policies are broken, so
// that `reload` reaches the daemon and prints its FILE:LINE errors.
bool LoadDaemonSection(const std::string& path, const KindRegistry& registry,
                       Section* daemon, std::vector<ConfigError>* errors);

// Same as LoadConfig, from text (tests); `name` stands for the file name in
// errors.
bool LoadConfigFromString(const std::string& name, const std::string& text,
                          const KindRegistry& registry, Config* config,
                          std::vector<ConfigError>* errors);

// The effective configuration as INI, each value followed by a comment with
// the FILE:LINE it came from ("(default)" for defaults).
std::string PrintConfig(const Config& config);

}  // namespace retention
