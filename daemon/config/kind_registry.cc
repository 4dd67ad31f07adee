#include "config/kind_registry.h"

#include <algorithm>
#include <cassert>

namespace retention {

const char* ValueTypeName(ValueType type) {
  switch (type) {
    case ValueType::kString:
      return "string";
    case ValueType::kPath:
      return "path";
    case ValueType::kPathList:
      return "path list";
    case ValueType::kList:
      return "list";
    case ValueType::kSize:
      return "size";
    case ValueType::kDuration:
      return "duration";
    case ValueType::kBool:
      return "boolean";
    case ValueType::kInt:
      return "integer";
    case ValueType::kFraction:
      return "fraction";
    case ValueType::kSpace:
      return "size or percentage";
    case ValueType::kEnum:
      return "choice";
  }
  return "unknown";
}

void KindRegistry::Register(KindSpec spec) {
  assert(Find(spec.kind) == nullptr);
  // Every policy kind takes the promise it keeps, in the privacy policy's
  // words, for the report and status (never interpreted).
  if (spec.factory) {
    spec.keys.push_back({.name = std::string(kDescriptionKey),
                         .help = "the promise in the privacy policy's words, "
                                 "shown in the report and status"});
  }
  kinds_.push_back(std::move(spec));
}

const KindSpec* KindRegistry::Find(const std::string& kind) const {
  auto it = std::find_if(kinds_.begin(), kinds_.end(),
                         [&](const KindSpec& k) { return k.kind == kind; });
  return it == kinds_.end() ? nullptr : &*it;
}

const KeySpec* FindKey(const KindSpec& spec, const std::string& key) {
  auto it = std::find_if(
      spec.keys.begin(), spec.keys.end(),
      [&](const KeySpec& k) { return !k.prefix && k.name == key; });
  if (it != spec.keys.end()) return &*it;
  const size_t dot = key.find('.');
  if (dot == std::string::npos || dot + 1 == key.size()) return nullptr;
  it = std::find_if(spec.keys.begin(), spec.keys.end(), [&](const KeySpec& k) {
    return k.prefix && k.name.compare(0, dot + 1, key, 0, dot + 1) == 0;
  });
  return it == spec.keys.end() ? nullptr : &*it;
}

void AddKeyError(const Section& s, const std::string& key, std::string message,
                 std::vector<ConfigError>* errors) {
  const SourceLocation where =
      !key.empty() && s.Has(key) ? s.values.at(key).where : s.where;
  errors->push_back({where, s.id(), key, std::move(message)});
}

void RequirePositiveDurations(const Section& s,
                              std::initializer_list<const char*> keys,
                              std::vector<ConfigError>* errors) {
  for (const char* key : keys) {
    if (s.GetDuration(key) <= Duration::zero()) {
      AddKeyError(s, key, "must be greater than 0", errors);
    }
  }
}

void RequireAbsoluteCommands(const Section& s,
                             std::initializer_list<const char*> keys,
                             std::vector<ConfigError>* errors) {
  for (const char* key : keys) {
    if (!s.Has(key)) continue;
    const std::string& command = s.GetString(key);
    const size_t start = command.find_first_not_of(" \t");
    if (start == std::string::npos || command[start] != '/') {
      AddKeyError(s, key,
                  "must start with an absolute path (it runs without a shell)",
                  errors);
    }
  }
}

}  // namespace retention
