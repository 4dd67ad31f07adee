#include "app/unit_paths.h"

#include <algorithm>
#include <sstream>

#include "config/kind_registry.h"

namespace retention {
namespace {

// "/a/b/c" -> "/a/b"; "/c" -> "/".
std::string Parent(const std::string& path) {
  const size_t slash = path.find_last_of('/');
  if (slash == std::string::npos || slash == 0) return "/";
  return path.substr(0, slash);
}

std::string WithoutTrailingSlash(std::string path) {
  while (path.size() > 1 && path.back() == '/') path.pop_back();
  return path;
}

bool ReadsOnly(PathUse use) {
  return use == PathUse::kReadsOnly || use == PathUse::kReadsIn;
}

// Adds the directories of `key`'s paths to `dirs` if the key reads only
// (`reads`) or writes (!`reads`).
void AddPathKey(const KeySpec& key, const ConfigValue& value, bool reads,
                std::vector<std::string>* dirs) {
  if (ReadsOnly(key.path_use) != reads) return;
  for (const std::string& word : SplitWords(value.raw)) {
    const std::string path = WithoutTrailingSlash(word);
    if (path.empty() || path[0] != '/') continue;
    switch (key.path_use) {
      case PathUse::kWritesIn:
      case PathUse::kReadsIn:
        dirs->push_back(path);
        break;
      case PathUse::kWritesBesideParent:
        dirs->push_back(Parent(Parent(path)));
        break;
      default:
        dirs->push_back(Parent(path));
    }
  }
}

// A database URL "sqlite:/var/lib/app/app.db ..." names a file SQLite
// writes beside (journal, WAL).
void AddDatabaseUrl(const ConfigValue& value, std::vector<std::string>* dirs) {
  static constexpr std::string_view kScheme = "sqlite:";
  const std::vector<std::string> words = SplitWords(value.raw);
  if (words.empty() || !words[0].starts_with(kScheme)) return;
  std::string path = words[0].substr(kScheme.size());
  // Relative database paths are relative to the file that set them.
  if (!path.empty() && path[0] != '/') {
    path = Parent(value.where.file) + "/" + path;
  }
  if (!path.empty() && path[0] == '/') dirs->push_back(Parent(path));
}

bool Beneath(const std::string& path, const std::string& dir) {
  if (dir == "/") return true;
  return path.size() > dir.size() && path.starts_with(dir) &&
         path[dir.size()] == '/';
}

// What ProtectHome= hides.
bool BeneathHome(const std::string& path) {
  for (const std::string home : {"/home", "/root", "/run/user"}) {
    if (path == home || Beneath(path, home)) return true;
  }
  return false;
}

// Sorted, distinct, and without a directory beneath another one kept or
// beneath one of `covering`.
std::vector<std::string> Outermost(std::vector<std::string> dirs,
                                   const std::vector<std::string>& covering) {
  std::sort(dirs.begin(), dirs.end());
  dirs.erase(std::unique(dirs.begin(), dirs.end()), dirs.end());
  std::vector<std::string> kept;
  auto beneath_any = [](const std::string& dir,
                        const std::vector<std::string>& of) {
    return std::any_of(of.begin(), of.end(), [&](const std::string& k) {
      return k == dir || Beneath(dir, k);
    });
  };
  for (const std::string& dir : dirs) {
    if (!beneath_any(dir, kept) && !beneath_any(dir, covering)) {
      kept.push_back(dir);
    }
  }
  return kept;
}

// The directories of `config`'s path keys that read only (`reads`) or not.
std::vector<std::string> PathKeyDirs(const Config& config,
                                     const KindRegistry& registry, bool reads) {
  std::vector<std::string> dirs;
  for (const Section& section : config.sections) {
    const KindSpec* kind = registry.Find(section.kind);
    if (kind == nullptr) continue;
    for (const auto& [name, value] : section.values) {
      const KeySpec* key = FindKey(*kind, name);
      if (key == nullptr) continue;
      if (key->type == ValueType::kPath || key->type == ValueType::kPathList) {
        AddPathKey(*key, value, reads, &dirs);
      } else if (key->type == ValueType::kString && !reads) {
        AddDatabaseUrl(value, &dirs);
      }
    }
  }
  return dirs;
}

// `bind`: for BindPaths=, where ':' separates source and destination.
std::string Quote(const std::string& path, bool bind = false) {
  std::string escaped;
  bool needs_quotes = false;
  for (char c : path) {
    if (c == '%') escaped += '%';
    if (c == ':' && bind) escaped += '\\';
    if (c == '"' || c == '\\') escaped += '\\';
    if (c == ' ' || c == '\t' || c == '"' || c == '\\' || c == '\'') {
      needs_quotes = true;
    }
    escaped += c;
  }
  return needs_quotes ? "\"-" + escaped + "\"" : "-" + escaped;
}

}  // namespace

std::vector<std::string> UnitWritablePaths(const Config& config,
                                           const KindRegistry& registry) {
  return Outermost(PathKeyDirs(config, registry, false), {});
}

std::vector<std::string> UnitHomeReadPaths(const Config& config,
                                           const KindRegistry& registry) {
  std::vector<std::string> home;
  for (const std::string& dir : PathKeyDirs(config, registry, true)) {
    if (BeneathHome(dir)) home.push_back(dir);
  }
  return Outermost(home, UnitWritablePaths(config, registry));
}

std::string FormatUnitPathsDropIn(const std::string& config_path,
                                  const std::vector<std::string>& dirs,
                                  const std::vector<std::string>& home_reads) {
  std::ostringstream out;
  out << "# The directories retentiond writes in, from " << config_path
      << ".\n"
         "# Generated by: retentiond --print-unit-paths\n"
         "# Install as /etc/systemd/system/retentiond.service.d/paths.conf,\n"
         "# then: systemctl daemon-reload && systemctl restart retentiond\n"
         "[Service]\n";
  for (const std::string& dir : dirs) {
    if (BeneathHome(dir)) {
      out << "BindPaths=" << Quote(dir, true) << "\n";
    } else {
      out << "ReadWritePaths=" << Quote(dir) << "\n";
    }
  }
  for (const std::string& dir : home_reads) {
    out << "BindReadOnlyPaths=" << Quote(dir, true) << "\n";
  }
  return out.str();
}

}  // namespace retention
