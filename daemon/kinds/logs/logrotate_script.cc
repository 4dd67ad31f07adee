#include "kinds/logs/logrotate_script.h"

#include <regex>
#include <sstream>

#include "base/escape.h"
#include "config/config_value.h"

namespace retention {
namespace {

// The script's command lines: comments and blank lines gone, continued
// lines joined.
std::vector<std::string> CommandLines(const std::string& script) {
  std::vector<std::string> out;
  std::istringstream in(script);
  std::string pending;
  for (std::string line; std::getline(in, line);) {
    std::string_view t = Trim(line);
    if (t.empty() || t[0] == '#') continue;
    if (t.back() == '\\') {
      pending += std::string(t.substr(0, t.size() - 1)) + " ";
      continue;
    }
    out.push_back(pending + std::string(t));
    pending.clear();
  }
  if (!pending.empty()) out.push_back(pending);
  return out;
}

// Drops what the daemon does anyway or reports instead: output to
// /dev/null (a command's stdout is /dev/null) and an ignored failure.
std::string DropTail(std::string line, std::string* note) {
  static const std::regex tail(
      R"(\s*(\|\|\s*(true|:)|[12]?>\s*/dev/null|2>&1|&>\s*/dev/null)\s*$)");
  std::smatch m;
  while (std::regex_search(line, m, tail)) {
    if (note->find(m[1].str()) == std::string::npos) {
      *note += (note->empty() ? "dropped " : ", ") + m[1].str();
    }
    line = line.substr(0, static_cast<size_t>(m.position(0)));
  }
  return line;
}

bool KillForm(const std::vector<std::string>& lines, ScriptConversion* out) {
  static const std::regex guard(
      R"(^(if\s+)?(\[\s+-[fesr]\s+\S+\s+\]|test\s+-[fesr]\s+\S+)\s*;?\s*(then)?$|^then$|^fi$)");
  static const std::regex kill(
      R"re(^((\[\s+-[fesr]\s+\S+\s+\]|test\s+-[fesr]\s+\S+)\s*&&\s*)?kill\s+(-s\s+)?-?(SIG)?([A-Z0-9]+)\s+(`cat\s+([^`\s]+)`|\$\(cat\s+([^)\s]+)\)|"\$\(cat\s+([^)\s]+)\)")$)re");
  int kills = 0;
  for (const std::string& raw : lines) {
    std::string dropped;
    const std::string line = DropTail(raw, &dropped);
    std::smatch m;
    if (std::regex_match(line, m, kill)) {
      ++kills;
      out->signal = m[5].str();
      out->pid_file = m[7].matched   ? m[7].str()
                      : m[8].matched ? m[8].str()
                                     : m[9].str();
      out->note = dropped;
    } else if (!std::regex_match(line, guard)) {
      return false;
    }
  }
  return kills == 1;
}

}  // namespace

ScriptConversion ConvertScript(const std::string& script,
                               const ProgramFinder& find) {
  ScriptConversion out;
  const std::vector<std::string> lines = CommandLines(script);
  if (lines.empty()) {
    out.why_not = "the script is empty";
    return out;
  }
  if (KillForm(lines, &out)) return out;
  out = ScriptConversion{};
  if (lines.size() > 1) {
    out.why_not = "the script has several commands and needs a shell";
    return out;
  }
  const std::string line = DropTail(lines[0], &out.note);
  if (line.find_first_of(";|&$`<>(){}*?[]'\"\\~=") != std::string::npos) {
    out.why_not =
        "the script uses the shell (variables, quoting, pipes, tests or "
        "redirections)";
    return out;
  }
  out.argv = SplitWords(line);
  if (out.argv.empty()) {
    out.why_not = "the script is empty";
  } else if (out.argv[0][0] != '/') {
    auto path = find ? find(out.argv[0]) : std::nullopt;
    if (path) {
      out.argv[0] = *path;
    } else {
      out.argv.insert(out.argv.begin(), "/usr/bin/env");
    }
  }
  return out;
}

}  // namespace retention
