#include "config/ini_reader.h"

#include <algorithm>
#include <cstdio>

#include "base/escape.h"

namespace retention {
namespace {

bool IsNameChar(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
         (c >= '0' && c <= '9') || c == '_' || c == '-';
}

bool IsName(std::string_view s) {
  return !s.empty() && std::all_of(s.begin(), s.end(), IsNameChar);
}

// "name" or "prefix.name" (a per-item key such as quota.alice).
bool IsKey(std::string_view s) {
  const size_t dot = s.find('.');
  if (dot == std::string_view::npos) return IsName(s);
  return IsName(s.substr(0, dot)) && IsName(s.substr(dot + 1));
}

// Fills kind/name from "[kind]" or "[kind.name]"; false if malformed.
bool ParseHeader(std::string_view line, IniSection* section) {
  if (line.size() < 2 || line.front() != '[' || line.back() != ']') {
    return false;
  }
  std::string_view inner = line.substr(1, line.size() - 2);
  const size_t dot = inner.find('.');
  std::string_view kind = inner.substr(0, dot);
  std::string_view name;
  if (dot != std::string_view::npos) name = inner.substr(dot + 1);
  if (!IsName(kind) || (dot != std::string_view::npos && !IsName(name))) {
    return false;
  }
  section->kind = std::string(kind);
  section->name = std::string(name);
  return true;
}

// Where `line` (untrimmed, without its '\n') has a control byte other than
// a tab or a final '\r', or npos.
size_t FindControlByte(std::string_view line) {
  for (size_t i = 0; i < line.size(); ++i) {
    const auto c = static_cast<unsigned char>(line[i]);
    if (c == '\t' || (c == '\r' && i + 1 == line.size())) continue;
    if (c < 0x20 || c == 0x7f) return i;
  }
  return std::string_view::npos;
}

class Reader {
 public:
  explicit Reader(size_t max_entries) : max_entries_(max_entries) {}
  IniFile Read(std::string_view text);

 private:
  // False when the line cannot be read (an error was recorded).
  bool CheckRawLine(std::string_view line, int number);
  void ReadLine(std::string_view line, int number);
  void ReadEntry(std::string_view line, int number);
  void Error(int number, std::string message) {
    file_.errors.push_back({number, current_id_, std::move(message)});
  }

  enum class State { kBeforeSections, kInSection, kAfterBadHeader };

  IniFile file_;
  size_t max_entries_;
  size_t entries_ = 0;
  State state_ = State::kBeforeSections;
  std::string current_id_;
};

IniFile Reader::Read(std::string_view text) {
  constexpr std::string_view kBom = "\xEF\xBB\xBF";
  if (text.substr(0, kBom.size()) == kBom) text.remove_prefix(kBom.size());
  int number = 0;
  while (!text.empty()) {
    const size_t end = text.find('\n');
    const std::string_view raw = text.substr(0, end);
    if (CheckRawLine(raw, ++number)) ReadLine(Trim(raw), number);
    if (file_.stopped_at != 0) break;
    if (end == std::string_view::npos) break;
    text.remove_prefix(end + 1);
  }
  file_.lines = std::min(entries_, max_entries_);
  return std::move(file_);
}

bool Reader::CheckRawLine(std::string_view line, int number) {
  if (line.size() > kMaxLineBytes) {
    Error(number, "line of " + std::to_string(line.size()) +
                      " bytes; the limit is " + std::to_string(kMaxLineBytes));
    return false;
  }
  const size_t at = FindControlByte(line);
  if (at == std::string_view::npos) return true;
  char hex[8];
  std::snprintf(hex, sizeof hex, "\\x%02x",
                static_cast<unsigned char>(line[at]));
  Error(number, std::string("control byte ") + hex + " at column " +
                    std::to_string(at + 1) +
                    "; a line may hold no control character but tabs");
  return false;
}

void Reader::ReadLine(std::string_view line, int number) {
  if (line.empty() || line[0] == '#' || line[0] == ';') return;
  if (entries_++ == max_entries_) {
    file_.stopped_at = number;
    return;
  }
  if (line[0] != '[') return ReadEntry(line, number);
  IniSection section;
  section.line = number;
  if (!ParseHeader(line, &section)) {
    // Its keys must not land in the previous section, and one error for
    // the header is enough: they are skipped until the next good header.
    state_ = State::kAfterBadHeader;
    current_id_.clear();
    return Error(number, "bad section header '" + EscapeText(line, 80) +
                             "'; expected [KIND] or [KIND.NAME] with names "
                             "of letters, digits, '_' and '-'");
  }
  current_id_ = section.id();
  state_ = State::kInSection;
  file_.sections.push_back(std::move(section));
}

void Reader::ReadEntry(std::string_view line, int number) {
  const size_t eq = line.find('=');
  if (eq == std::string_view::npos) {
    return Error(number, "expected 'key = value', a [section] or a comment");
  }
  const std::string_view key = Trim(line.substr(0, eq));
  if (key.empty()) return Error(number, "empty key before '='");
  if (!IsKey(key)) {
    return Error(number, "bad key '" + EscapeText(key, 80) +
                             "'; keys are letters, digits, '_' and '-', "
                             "or two such names joined by '.'");
  }
  if (state_ == State::kAfterBadHeader) return;  // reported at the header
  if (state_ == State::kBeforeSections) {
    return Error(number, "key '" + EscapeText(key, 80) +
                             "' outside of a section; add a [section] "
                             "header above it");
  }
  file_.sections.back().entries.push_back(
      {std::string(key), std::string(Trim(line.substr(eq + 1))), number});
}

}  // namespace

std::string IniSection::id() const {
  return name.empty() ? kind : kind + "." + name;
}

IniFile ReadIni(std::string_view text, size_t max_entries) {
  return Reader(max_entries).Read(text);
}

}  // namespace retention
