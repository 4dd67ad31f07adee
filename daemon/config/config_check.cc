#include "config/config_check.h"

#include <algorithm>
#include <filesystem>

#include "config/config_value.h"

namespace retention {
namespace {

std::string ResolvePath(const std::string& path, const std::string& base_dir) {
  std::filesystem::path p(path);
  if (p.is_relative()) p = std::filesystem::path(base_dir) / p;
  std::string out = p.lexically_normal().string();
  // "/var/log/" and "/var/log" name the same directory; print one form.
  if (out.size() > 1 && out.back() == '/') out.pop_back();
  return out;
}

std::string ResolvePathList(const std::string& list,
                            const std::string& base_dir) {
  std::string out;
  for (const std::string& word : SplitWords(list)) {
    if (!out.empty()) out += ' ';
    out += ResolvePath(word, base_dir);
  }
  return out;
}

Status CheckChoice(const KeySpec& key, const std::string& raw) {
  if (std::find(key.choices.begin(), key.choices.end(), raw) !=
      key.choices.end()) {
    return Status::Ok();
  }
  std::string message = raw.empty() ? "empty value" : "bad value '" + raw + "'";
  return Status::InvalidArgument(
      message + "; expected one of: " + JoinNames(key.choices));
}

}  // namespace

Status CheckValue(const KeySpec& key, const std::string& base_dir,
                  std::string* raw) {
  if (key.type == ValueType::kEnum) return CheckChoice(key, *raw);
  if (raw->empty() && key.empty_disables) return Status::Ok();
  if (raw->empty() && key.type != ValueType::kString &&
      key.type != ValueType::kList) {
    return Status::InvalidArgument(std::string("empty value; expected a ") +
                                   ValueTypeName(key.type));
  }
  switch (key.type) {
    case ValueType::kString:
    case ValueType::kList:
    case ValueType::kEnum:
      return Status::Ok();
    case ValueType::kPath:
      // Quotes are not syntax: "" would name a file called "".
      if (*raw == "\"\"" || *raw == "''") {
        return Status::InvalidArgument(
            "quotes are taken literally, so " + *raw +
            " would name a file; write nothing after '=' for an empty value");
      }
      *raw = ResolvePath(*raw, base_dir);
      return Status::Ok();
    case ValueType::kPathList:
      *raw = ResolvePathList(*raw, base_dir);
      return Status::Ok();
    case ValueType::kSize:
      return ParseSize(*raw).status();
    case ValueType::kDuration:
      return ParseDuration(*raw).status();
    case ValueType::kBool:
      return ParseBool(*raw).status();
    case ValueType::kInt:
      return ParseInt(*raw).status();
    case ValueType::kFraction:
      return ParseFraction(*raw).status();
    case ValueType::kSpace:
      return ParseSpaceLimit(*raw).status();
  }
  return Status::Ok();
}

std::string NearestName(std::string_view word,
                        const std::vector<std::string>& candidates) {
  const size_t limit = std::max<size_t>(2, word.size() / 3);
  std::string best;
  size_t best_distance = limit + 1;
  for (const std::string& candidate : candidates) {
    const size_t d = EditDistance(word, candidate);
    if (d < best_distance) {
      best = candidate;
      best_distance = d;
    }
  }
  return best;
}

std::string JoinNames(const std::vector<std::string>& names) {
  std::string out;
  for (const std::string& name : names) {
    if (!out.empty()) out += ", ";
    out += name;
  }
  return out;
}

}  // namespace retention
