// Section, Config and the small value types of config.h. Values were
// validated when the configuration was loaded, so the getters only convert.
#include <cassert>

#include "config/config.h"
#include "config/config_value.h"

namespace retention {
namespace {

// Converts a validated value. A failure here means a caller broke the
// precondition (wrong type for the key): loud in debug builds, a zero
// value in release builds rather than a crash of the daemon.
template <typename T>
T Converted(const StatusOr<T>& parsed) {
  assert(parsed.ok());
  return parsed.ok() ? parsed.value() : T{};
}

}  // namespace

std::string SourceLocation::ToString() const {
  if (file == "(default)") return file;
  if (line <= 0) return file;
  return file + ":" + std::to_string(line);
}

size_t CountConfigErrors(const std::vector<ConfigError>& errors) {
  size_t count = 0;
  for (const ConfigError& e : errors) count += e.omitted ? e.omitted : 1;
  return count;
}

std::string ConfigError::ToString() const {
  if (where.file.empty()) return message;
  std::string out = where.ToString() + ": ";
  if (!section.empty()) {
    out += "[" + section + "]";
    out += key.empty() ? ": " : " " + key + ": ";
  } else if (!key.empty()) {
    out += key + ": ";
  }
  return out + message;
}

std::string Section::id() const {
  return name.empty() ? kind : kind + "." + name;
}

bool Section::Has(const std::string& key) const {
  return values.count(key) != 0;
}

const std::string& Section::GetString(const std::string& key) const {
  static const std::string kEmpty;
  auto it = values.find(key);
  assert(it != values.end());
  return it == values.end() ? kEmpty : it->second.raw;
}

const std::string& Section::GetStringOrEmpty(const std::string& key) const {
  static const std::string kEmpty;
  auto it = values.find(key);
  return it == values.end() ? kEmpty : it->second.raw;
}

uint64_t Section::GetSize(const std::string& key) const {
  return Converted(ParseSize(GetString(key)));
}

Duration Section::GetDuration(const std::string& key) const {
  return Converted(ParseDuration(GetString(key)));
}

bool Section::GetBool(const std::string& key) const {
  return Converted(ParseBool(GetString(key)));
}

int64_t Section::GetInt(const std::string& key) const {
  return Converted(ParseInt(GetString(key)));
}

double Section::GetFraction(const std::string& key) const {
  return Converted(ParseFraction(GetString(key)));
}

SpaceLimit Section::GetSpaceLimit(const std::string& key) const {
  if (GetStringOrEmpty(key).empty()) return SpaceLimit{};
  return Converted(ParseSpaceLimit(GetString(key)));
}

std::vector<std::string> Section::GetList(const std::string& key) const {
  return SplitWords(GetString(key));
}

const Section* Config::Find(const std::string& id) const {
  for (const Section& section : sections) {
    if (section.id() == id) return &section;
  }
  return nullptr;
}

std::vector<const Section*> Config::policies() const {
  std::vector<const Section*> out;
  for (size_t i = 1; i < sections.size(); ++i) out.push_back(&sections[i]);
  return out;
}

}  // namespace retention
