#include "kinds/logs/rotation_intent.h"

#include <charconv>
#include <map>
#include <vector>

namespace retention {
namespace {

constexpr std::string_view kHeader = "retentiond rotation intent 1";

const char* MethodName(RotationIntent::Method method) {
  switch (method) {
    case RotationIntent::Method::kCollapse:
      return "collapse";
    case RotationIntent::Method::kCopy:
      return "copy";
    case RotationIntent::Method::kRename:
      return "rename";
    case RotationIntent::Method::kPunch:
      return "punch";
  }
  return "?";
}

// Splits "key rest of line" lines; the header and "end" must frame them.
StatusOr<std::map<std::string, std::string>> SplitFields(
    std::string_view text) {
  std::vector<std::string_view> lines;
  while (!text.empty()) {
    size_t nl = text.find('\n');
    if (nl == std::string_view::npos) break;  // a torn last line is dropped
    lines.push_back(text.substr(0, nl));
    text.remove_prefix(nl + 1);
  }
  if (lines.size() < 2 || lines.front() != kHeader || lines.back() != "end") {
    return Status::Corruption("rotation intent is incomplete");
  }
  std::map<std::string, std::string> fields;
  for (size_t i = 1; i + 1 < lines.size(); ++i) {
    size_t sp = lines[i].find(' ');
    if (sp == std::string_view::npos) {
      return Status::Corruption("rotation intent: bad line");
    }
    fields.emplace(lines[i].substr(0, sp), lines[i].substr(sp + 1));
  }
  return fields;
}

// Parses `count` space-separated unsigned numbers.
template <typename T>
bool ParseNumbers(const std::string& text, std::vector<T*> out) {
  const char* p = text.data();
  const char* end = p + text.size();
  for (size_t i = 0; i < out.size(); ++i) {
    if (i > 0 && (p == end || *p++ != ' ')) return false;
    auto [next, ec] = std::from_chars(p, end, *out[i]);
    if (ec != std::errc() || next == p) return false;
    p = next;
  }
  return p == end;
}

}  // namespace

std::string FormatIntent(const RotationIntent& in) {
  std::string s(kHeader);
  s += "\nmethod " + std::string(MethodName(in.method));
  s += "\narchive " + in.archive;
  if (!in.temp.empty()) s += "\ntemp " + in.temp;
  s += "\narchive_dir " + std::to_string(in.archive_dir_dev) + " " +
       std::to_string(in.archive_dir_ino);
  s += "\nlive " + std::to_string(in.live_dev) + " " +
       std::to_string(in.live_ino);
  s += "\nhead " + std::to_string(in.length) + " " +
       std::to_string(in.phys_head) + " " + std::to_string(in.phys_next);
  s += "\ncarry " + std::to_string(in.carry) + " " + std::to_string(in.cut);
  s += "\ncreate " + std::to_string(in.mode) + " " + std::to_string(in.uid) +
       " " + std::to_string(in.gid);
  s += "\nend\n";
  return s;
}

StatusOr<RotationIntent> ParseIntent(std::string_view text) {
  StatusOr<std::map<std::string, std::string>> fields = SplitFields(text);
  if (!fields.ok()) return fields.status();
  auto& f = *fields;
  RotationIntent in;
  const std::string& method = f["method"];
  if (method == "collapse") {
    in.method = RotationIntent::Method::kCollapse;
  } else if (method == "copy") {
    in.method = RotationIntent::Method::kCopy;
  } else if (method == "rename") {
    in.method = RotationIntent::Method::kRename;
  } else if (method == "punch") {
    in.method = RotationIntent::Method::kPunch;
  } else {
    return Status::Corruption("rotation intent: unknown method " + method);
  }
  in.archive = f["archive"];
  in.temp = f["temp"];
  bool ok = !in.archive.empty() && in.temp.find('/') == std::string::npos &&
            ParseNumbers<uint64_t>(
                f["archive_dir"], {&in.archive_dir_dev, &in.archive_dir_ino}) &&
            ParseNumbers<uint64_t>(f["live"], {&in.live_dev, &in.live_ino}) &&
            ParseNumbers<uint64_t>(
                f["head"], {&in.length, &in.phys_head, &in.phys_next}) &&
            ParseNumbers<uint32_t>(f["create"], {&in.mode, &in.uid, &in.gid});
  in.cut = in.length;
  if (ok && f.count("carry")) {
    ok = ParseNumbers<uint64_t>(f["carry"], {&in.carry, &in.cut}) &&
         in.cut <= in.length;
  }
  if (!ok) return Status::Corruption("rotation intent: bad field");
  return in;
}

std::string IntentName(const std::string& live_name) {
  return "." + live_name + ".rtd-rotate";
}

std::string CarryName(const std::string& live_name) {
  return "." + live_name + ".rtd-carry";
}

std::string NewCarryName(const std::string& live_name) {
  return CarryName(live_name) + ".new";
}

std::string ArchiveTempName(const std::string& archive_name) {
  return archive_name + ".rtd-tmp";
}

std::string ArchiveTempName(const std::string& archive_name,
                            const std::string& token) {
  return archive_name + "." + token + ".rtd-tmp";
}

std::string TempNameOf(const RotationIntent& intent) {
  return intent.temp.empty() ? ArchiveTempName(intent.archive) : intent.temp;
}

}  // namespace retention
