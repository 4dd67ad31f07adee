#include "kinds/logs/logrotate_config.h"

#include <cctype>
#include <optional>
#include <sstream>

#include "base/escape.h"

namespace retention {
namespace {

constexpr const char* kScriptKeys[] = {"postrotate", "prerotate", "firstaction",
                                       "lastaction", "preremove"};
constexpr const char* kTabooSuffixes[] = {
    ",v",        ".bak",       ".cfsaved",  ".disabled", ".dpkg-bak",
    ".dpkg-del", ".dpkg-dist", ".dpkg-new", ".dpkg-old", ".dpkg-tmp",
    ".new",      ".old",       ".orig",     ".pacnew",   ".pacorig",
    ".pacsave",  ".rpmnew",    ".rpmorig",  ".rpmsave",  ".swp",
    ".ucf-dist", ".ucf-new",   ".ucf-old",  "~"};
constexpr int kMaxNesting = 10;  // logrotate's MAX_NESTING

bool IsScriptKey(const std::string& key) {
  for (const char* k : kScriptKeys) {
    if (key == k) return true;
  }
  return false;
}

// Splits patterns at blanks, "..." and '...' quoting one word each, a
// backslash escaping the next character (popt's rules).
std::vector<std::string> SplitPatterns(std::string_view text) {
  std::vector<std::string> out;
  std::string word;
  bool in_word = false;
  char quote = 0;
  for (size_t i = 0; i < text.size(); ++i) {
    const char c = text[i];
    if (c == '\\' && i + 1 < text.size()) {
      word += text[++i];
      in_word = true;
    } else if (quote != 0) {
      if (c == quote) {
        quote = 0;
      } else {
        word += c;
      }
    } else if (c == '"' || c == '\'') {
      quote = c;
      in_word = true;
    } else if (std::isspace(static_cast<unsigned char>(c))) {
      if (in_word) out.push_back(word);
      word.clear();
      in_word = false;
    } else {
      word += c;
      in_word = true;
    }
  }
  if (in_word) out.push_back(word);
  return out;
}

class Reader {
 public:
  Reader(const LogrotateLoader& load, LogrotateConfig* out)
      : load_(load), out_(out) {}

  void ReadPath(const std::string& path, const std::string& where, int depth);

 private:
  void ReadText(const LogrotateSource& source, int depth);
  // One line (or the rest of one after a '{'); false ends the file.
  void Line(std::string_view line, int depth);
  void Directive(std::string_view line, int depth);
  void Error(const std::string& message) {
    out_->errors.push_back(Where() + ": " + message);
  }
  std::string Where() const { return file_ + ":" + std::to_string(line_); }

  const LogrotateLoader& load_;
  LogrotateConfig* out_;
  std::vector<LogrotateDirective> defaults_;  // the global directives
  std::string file_;
  int line_ = 0;
  std::optional<LogrotateBlock> block_;  // open, or being named
  bool naming_ = false;                  // patterns read, '{' not yet
  std::string patterns_;
  std::optional<LogrotateDirective> script_;  // lines up to endscript
};

void Reader::ReadPath(const std::string& path, const std::string& where,
                      int depth) {
  if (depth > kMaxNesting) {
    out_->errors.push_back(where + ": include nesting too deep");
    return;
  }
  auto sources = load_(path);
  if (!sources.ok()) {
    out_->errors.push_back((where.empty() ? "" : where + ": ") +
                           sources.status().ToString());
    return;
  }
  for (const LogrotateSource& source : *sources) ReadText(source, depth);
}

void Reader::ReadText(const LogrotateSource& source, int depth) {
  const std::string saved_file = file_;
  const int saved_line = line_;
  file_ = source.path;
  line_ = 0;
  std::istringstream in(source.text);
  for (std::string line; std::getline(in, line);) {
    ++line_;
    Line(line, depth);
  }
  if (script_) Error("missing endscript for " + script_->key);
  if (naming_) Error("missing '{' after log files definition");
  if (block_) Error("missing '}' for the block of " + block_->where);
  script_.reset();
  block_.reset();
  naming_ = false;
  file_ = saved_file;
  line_ = saved_line;
}

void Reader::Line(std::string_view line, int depth) {
  if (script_) {
    std::string_view first = Trim(line);
    first = first.substr(0, first.find_first_of(" \t"));
    if (first == "endscript") {
      block_->directives.push_back(*script_);
      script_.reset();
    } else {
      script_->value += std::string(line) + "\n";
    }
    return;
  }
  line = Trim(line);
  if (naming_) {
    const size_t brace = line.find('{');
    if (!line.starts_with('#'))
      patterns_ += " " + std::string(line.substr(0, brace));
    if (brace == std::string_view::npos) return;
    naming_ = false;
    block_->patterns = SplitPatterns(patterns_);
    if (block_->patterns.empty()) Error("{ expected after log file name(s)");
    Line(line.substr(brace + 1), depth);
    return;
  }
  if (line.empty() || line[0] == '#') return;
  const char c = line[0];
  if (c == '/' || c == '"' || c == '\'' || c == '~') {
    if (block_) {
      Error("unexpected log filename inside a block");
      return;
    }
    block_ = LogrotateBlock{file_, Where(), {}, defaults_};
    naming_ = true;
    patterns_.clear();
    Line(line, depth);
  } else if (c == '}') {
    if (!block_) {
      Error("unexpected }");
      return;
    }
    out_->blocks.push_back(std::move(*block_));
    block_.reset();
    if (!Trim(line.substr(1)).empty()) Error("unexpected text after }");
  } else if (std::isalpha(static_cast<unsigned char>(c))) {
    Directive(line, depth);
  } else {
    Error(
        "lines must begin with a keyword or a filename (possibly in "
        "double quotes)");
  }
}

void Reader::Directive(std::string_view line, int depth) {
  size_t end = 0;
  while (end < line.size() &&
         std::isalpha(static_cast<unsigned char>(line[end])))
    ++end;
  const std::string key(line.substr(0, end));
  std::string_view rest = line.substr(end);
  if (!rest.empty() && !std::isspace(static_cast<unsigned char>(rest[0])) &&
      rest[0] != '=') {
    Error("keyword '" + key + "' not properly separated");
    return;
  }
  rest = Trim(rest);
  if (rest.starts_with('=')) rest = Trim(rest.substr(1));
  LogrotateDirective d{key, std::string(rest), Where()};
  if (IsScriptKey(key)) {
    if (!block_) {
      Error(key + " outside a log block");
      return;
    }
    d.value.clear();
    script_ = d;
    return;
  }
  if (key == "include") {
    if (block_) {
      Error("include is not allowed inside a log block");
      return;
    }
    ReadPath(d.value, Where(), depth + 1);
    return;
  }
  (block_ ? block_->directives : defaults_).push_back(std::move(d));
}

}  // namespace

bool IsLogrotateTaboo(const std::string& name) {
  for (std::string_view suffix : kTabooSuffixes) {
    if (name.size() >= suffix.size() &&
        name.compare(name.size() - suffix.size(), suffix.size(), suffix) == 0) {
      return true;
    }
  }
  // ".rhn-cfg-tmp-*"
  return name.find(".rhn-cfg-tmp-") != std::string::npos;
}

LogrotateConfig ReadLogrotate(const std::vector<std::string>& paths,
                              const LogrotateLoader& load) {
  LogrotateConfig out;
  Reader reader(load, &out);
  for (const std::string& path : paths) reader.ReadPath(path, "", 0);
  return out;
}

}  // namespace retention
