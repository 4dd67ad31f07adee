#include "config/config_builder.h"

#include <openssl/evp.h>

#include <algorithm>
#include <cstdio>
#include <filesystem>

#include "base/escape.h"
#include "config/config_check.h"

namespace retention {
namespace {

const SourceLocation kDefaultLocation{"(default)", 0};

// Errors kept before sorting (a file's own order is nearly sorted already);
// past them only a count.
constexpr size_t kStoredErrors = 200;
constexpr size_t kMaxMessageBytes = 300;
constexpr size_t kMaxQuotedKeyBytes = 80;

std::vector<std::string> KindNames(const KindRegistry& registry) {
  std::vector<std::string> names;
  for (const KindSpec& spec : registry.kinds()) names.push_back(spec.kind);
  return names;
}

std::string UnknownKeyMessage(const KindSpec& spec, const std::string& key) {
  std::vector<std::string> names;
  for (const KeySpec& k : spec.keys) names.push_back(k.name);
  const std::string nearest = NearestName(key, names);
  if (!nearest.empty()) return "unknown key; did you mean '" + nearest + "'?";
  if (names.empty()) return "unknown key; [" + spec.kind + "] takes no keys";
  std::sort(names.begin(), names.end());
  return "unknown key; known keys: " + JoinNames(names);
}

}  // namespace

std::string DirectoryOf(const std::string& file) {
  std::error_code ec;
  std::filesystem::path absolute = std::filesystem::absolute(file, ec);
  // absolute() fails only when the working directory is gone; the path as
  // given is then the best base there is.
  if (ec) absolute = file;
  return absolute.parent_path().lexically_normal().string();
}

ConfigBuilder::ConfigBuilder(const KindRegistry& registry)
    : registry_(registry), lines_left_(kMaxConfigLines) {
  Merged daemon;
  daemon.section.kind = "daemon";
  daemon.section.where = kDefaultLocation;
  daemon.spec = registry.Find("daemon");
  merged_.push_back(std::move(daemon));
}

void ConfigBuilder::AddFile(const std::string& name,
                            const std::string& base_dir,
                            std::string_view text) {
  order_.push_back(name);
  files_.push_back(name);
  hashed_.append(name).push_back('\0');
  hashed_.append(text).push_back('\0');
  if (lines_left_ == 0) {
    return Error({name, 0}, "", "",
                 "not read: the configuration already has " +
                     std::to_string(kMaxConfigLines) +
                     " lines of keys and headers");
  }
  IniFile ini = ReadIni(text, lines_left_);
  lines_left_ -= std::min(lines_left_, ini.lines);
  if (ini.stopped_at != 0) {
    // At line 0, so it is listed first: it explains the rest.
    Error({name, 0}, "", "",
          "more than " + std::to_string(kMaxConfigLines) +
              " lines of keys and headers in the configuration; not read "
              "from line " +
              std::to_string(ini.stopped_at) + " on");
  }
  for (IniError& e : ini.errors) {
    Error({name, e.line}, std::move(e.section), "", std::move(e.message));
  }
  SeenInFile seen_sections;
  for (const IniSection& raw : ini.sections) {
    AddSection(name, base_dir, raw, &seen_sections);
  }
}

void ConfigBuilder::AddFileError(const std::string& name,
                                 const std::string& message) {
  order_.push_back(name);
  Error({name, 0}, "", "", message);
}

void ConfigBuilder::AddSection(const std::string& file,
                               const std::string& base_dir,
                               const IniSection& raw,
                               SeenInFile* seen_sections) {
  const std::string id = raw.id();
  const KindSpec* spec = CheckHeader(file, raw);
  if (spec == nullptr) return;
  auto [it, first] = seen_sections->emplace(id, raw.line);
  if (!first) {
    SourceLocation earlier{file, it->second};
    return Error({file, raw.line}, id, "",
                 "section already defined at " + earlier.ToString());
  }
  if (!CheckNameUnique(file, raw)) return;
  Merged* merged = SectionFor(file, raw, spec);
  SeenInFile seen_keys;
  for (const IniEntry& entry : raw.entries) {
    SetValue(file, base_dir, entry, merged, &seen_keys);
  }
}

const KindSpec* ConfigBuilder::CheckHeader(const std::string& file,
                                           const IniSection& raw) {
  const KindSpec* spec = registry_.Find(raw.kind);
  const SourceLocation where{file, raw.line};
  if (spec == nullptr) {
    const std::vector<std::string> kinds = KindNames(registry_);
    const std::string nearest = NearestName(raw.kind, kinds);
    Error(where, raw.id(), "",
          "unknown kind '" + raw.kind + "'; " +
              (nearest.empty() ? "known kinds: " + JoinNames(kinds)
                               : "did you mean '" + nearest + "'?"));
  } else if (spec->singleton && !raw.name.empty()) {
    Error(where, raw.id(), "",
          "[" + raw.kind + "] takes no name; write [" + raw.kind + "]");
    spec = nullptr;
  } else if (!spec->singleton && raw.name.empty()) {
    Error(where, raw.id(), "",
          "[" + raw.kind + "] needs a name; write [" + raw.kind + ".NAME]");
    spec = nullptr;
  }
  return spec;
}

bool ConfigBuilder::CheckNameUnique(const std::string& file,
                                    const IniSection& raw) {
  // Singletons are addressed by kind, so only names can clash.
  if (raw.name.empty()) return true;
  const SourceLocation where{file, raw.line};
  auto [it, first] = names_.emplace(raw.name, std::make_pair(raw.id(), where));
  if (first || it->second.first == raw.id()) return true;
  Error(where, raw.id(), "",
        "policy name '" + raw.name + "' is already used by [" +
            it->second.first + "] at " + it->second.second.ToString() +
            "; names must be unique across kinds");
  return false;
}

ConfigBuilder::Merged* ConfigBuilder::SectionFor(const std::string& file,
                                                 const IniSection& raw,
                                                 const KindSpec* spec) {
  const std::string id = raw.id();
  for (Merged& merged : merged_) {
    if (merged.section.id() != id) continue;
    // [daemon] exists from the start; its header is where it is written.
    if (merged.section.where.file == kDefaultLocation.file) {
      merged.section.where = {file, raw.line};
    }
    return &merged;
  }
  Merged merged;
  merged.section.kind = raw.kind;
  merged.section.name = raw.name;
  merged.section.where = {file, raw.line};
  merged.spec = spec;
  merged_.push_back(std::move(merged));
  return &merged_.back();
}

void ConfigBuilder::SetValue(const std::string& file,
                             const std::string& base_dir, const IniEntry& entry,
                             Merged* merged, SeenInFile* seen_keys) {
  const std::string id = merged->section.id();
  const SourceLocation where{file, entry.line};
  auto [it, first] = seen_keys->emplace(entry.key, entry.line);
  if (!first) {
    SourceLocation earlier{file, it->second};
    return Error(where, id, entry.key,
                 "key already set at " + earlier.ToString());
  }
  const KeySpec* key = FindKey(*merged->spec, entry.key);
  if (key == nullptr) {
    return Error(where, id, entry.key,
                 UnknownKeyMessage(*merged->spec, entry.key));
  }
  std::string raw = entry.value;
  const Status status = CheckValue(*key, base_dir, &raw);
  if (!status.ok()) Error(where, id, entry.key, status.message());
  // Kept even when bad, so a required key is not also reported missing;
  // a config with errors is never handed out.
  merged->section.values[entry.key] = {std::move(raw), where};
}

void ConfigBuilder::FinishSection(Merged* merged) {
  if (merged->spec == nullptr) return;
  Section& section = merged->section;
  // A [daemon] never written has no header; point at the main file.
  SourceLocation header = section.where;
  if (header.file == kDefaultLocation.file && !order_.empty()) {
    header = {order_.front(), 0};
  }
  for (const KeySpec& key : merged->spec->keys) {
    if (key.prefix || section.Has(key.name)) continue;
    if (key.required) {
      Error(header, section.id(), key.name, "required key is missing");
    } else if (!key.default_value.empty()) {
      section.values[key.name] = {key.default_value, kDefaultLocation};
    }
  }
  if (failed_ids_.count(section.id()) || !merged->spec->validate) return;
  std::vector<ConfigError> found;
  merged->spec->validate(section, &found);
  for (ConfigError& e : found) {
    if (e.section.empty()) e.section = section.id();
    if (e.where.file.empty()) e.where = header;
    Error(std::move(e.where), std::move(e.section), std::move(e.key),
          std::move(e.message));
  }
}

void ConfigBuilder::CheckReferences(const Merged& merged) {
  if (merged.spec == nullptr) return;
  for (const KeySpec& key : merged.spec->keys) {
    const std::string& kind = key.names_policy_of_kind;
    auto value = merged.section.values.find(key.name);
    if (kind.empty() || value == merged.section.values.end()) continue;
    const std::string& name = value->second.raw;
    const bool exists =
        std::any_of(merged_.begin(), merged_.end(), [&](const Merged& m) {
          return m.section.id() == name;
        });
    std::string message;
    if (name.compare(0, kind.size() + 1, kind + ".") != 0) {
      message = "\"" + name + "\" must name a " + kind + " policy (" + kind +
                ".NAME)";
    } else if (!exists) {
      message = "names no configured policy: there is no [" + name + "]";
    }
    if (!message.empty()) {
      Error(value->second.where, merged.section.id(), key.name, message);
    }
  }
}

bool ConfigBuilder::Finish(Config* config, std::vector<ConfigError>* errors) {
  for (Merged& merged : merged_) FinishSection(&merged);
  for (const Merged& merged : merged_) CheckReferences(merged);
  if (errors != nullptr) *errors = SortedErrors();
  if (!errors_.empty()) return false;
  config->files = files_;
  config->sections.clear();
  for (Merged& merged : merged_) {
    config->sections.push_back(std::move(merged.section));
  }
  merged_.clear();
  return true;
}

bool ConfigBuilder::FinishDaemon(Section* daemon,
                                 std::vector<ConfigError>* errors) {
  for (Merged& merged : merged_) FinishSection(&merged);
  if (errors != nullptr) *errors = SortedErrors();
  if (failed_ids_.count("") || failed_ids_.count("daemon")) return false;
  *daemon = std::move(merged_.front().section);
  merged_.clear();
  return true;
}

void ConfigBuilder::Error(SourceLocation where, std::string section,
                          std::string key, std::string message) {
  // "" stands for errors outside any section (an unreadable file).
  failed_ids_.insert(section);
  if (errors_.size() >= kStoredErrors) {
    ++errors_dropped_;
    return;
  }
  errors_.push_back({std::move(where), std::move(section),
                     EscapeText(key, kMaxQuotedKeyBytes),
                     EscapeText(message, kMaxMessageBytes)});
}

std::string ConfigBuilder::Sha256() const {
  unsigned char digest[EVP_MAX_MD_SIZE];
  unsigned int size = 0;
  if (EVP_Digest(hashed_.data(), hashed_.size(), digest, &size, EVP_sha256(),
                 nullptr) != 1) {
    return "";  // OpenSSL failed: the caller records no hash
  }
  std::string hex;
  for (unsigned int i = 0; i < size; ++i) {
    char byte[3];
    std::snprintf(byte, sizeof byte, "%02x", digest[i]);
    hex += byte;
  }
  return hex;
}

std::vector<ConfigError> ConfigBuilder::SortedErrors() const {
  auto rank = [this](const ConfigError& e) {
    auto it = std::find(order_.begin(), order_.end(), e.where.file);
    return std::make_pair(it - order_.begin(), e.where.line);
  };
  std::vector<ConfigError> sorted = errors_;
  std::stable_sort(sorted.begin(), sorted.end(),
                   [&](const ConfigError& a, const ConfigError& b) {
                     return rank(a) < rank(b);
                   });
  const size_t total = errors_.size() + errors_dropped_;
  if (total <= kMaxConfigErrors) return sorted;
  sorted.resize(kMaxConfigErrors);
  ConfigError more;
  more.omitted = total - sorted.size();
  more.message = "... and " + std::to_string(more.omitted) + " more errors";
  sorted.push_back(std::move(more));
  return sorted;
}

}  // namespace retention
