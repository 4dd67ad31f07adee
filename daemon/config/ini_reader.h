// IniReader: turns configuration text into raw sections of (key, value,
// line), without knowing any kind or key. Pure and thread-safe; the meaning
// of sections and values is Config's business.
//
// The dialect, deliberately small:
//   - blank lines are ignored; a line whose first non-blank character is '#'
//     or ';' is a comment.
//   - comments are whole lines only: a '#' or ';' after a value is part of
//     the value, because SQL `where` clauses and globs may contain them.
//   - `[KIND]` or `[KIND.NAME]` opens a section; KIND and NAME are
//     [A-Za-z0-9_-]+, with no spaces inside the brackets.
//   - `key = value` inside a section; whitespace around key and value is
//     trimmed; the key is [A-Za-z0-9_-]+; the value may be empty and may
//     contain '='.
//   - a line may not hold control bytes (NUL included) other than tabs and
//     a final '\r', nor be longer than kMaxLineBytes: a NUL would cut a
//     path short where the kernel reads it.
// Anything else is an error at its line; reading continues with the next
// line so every error in a file is reported at once. Text quoted from the
// file in a message is escaped and cut short (EscapeText).
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace retention {

inline constexpr size_t kMaxLineBytes = 64 * 1024;

struct IniEntry {
  std::string key;
  std::string value;
  int line = 0;
};

struct IniSection {
  std::string kind;
  std::string name;  // empty for [KIND]
  int line = 0;      // of the header
  std::vector<IniEntry> entries;

  // "kind.name", or "kind" when there is no name.
  std::string id() const;
};

struct IniError {
  int line = 0;
  std::string section;  // id of the enclosing section, empty if none
  std::string message;
};

struct IniFile {
  std::vector<IniSection> sections;  // in order, repeats included
  std::vector<IniError> errors;      // in line order
  size_t lines = 0;    // read lines that were neither blank nor comments
  int stopped_at = 0;  // the line past the budget, not read; 0: read all
};

// Never fails as a whole: problems land in IniFile::errors. A leading UTF-8
// byte order mark and CRLF line ends are accepted. After `max_entries`
// lines that are neither blank nor comments (keys, headers, bad lines),
// the rest of the text is not read (stopped_at says where it stopped).
IniFile ReadIni(std::string_view text, size_t max_entries = SIZE_MAX);

}  // namespace retention
