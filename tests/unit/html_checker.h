// A small strict checker for the report's HTML: every non-void element is
// closed in order, tag names are plain lowercase words (so a stray '<' from
// unescaped text fails), and nothing refers outside the page. Test-only,
// pure.
#pragma once

#include <set>
#include <string>
#include <vector>

namespace retention {

// "" when `name` is a plain tag name, else why not.
inline std::string CheckTagName(const std::string& name) {
  if (name.empty()) return "empty tag name";
  for (char c : name) {
    if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9'))) {
      return "bad tag name '" + name + "'";
    }
  }
  return "";
}

// "" when well-formed, else the first problem.
inline std::string CheckHtmlNesting(const std::string& html) {
  static const std::set<std::string> kVoid = {"meta",  "br",   "hr",  "img",
                                              "input", "link", "col", "wbr"};
  std::vector<std::string> open;
  for (size_t i = html.find('<'); i != std::string::npos;
       i = html.find('<', i)) {
    if (html.compare(i, 2, "<!") == 0) {  // doctype
      i = html.find('>', i);
      if (i == std::string::npos) return "unterminated declaration";
      continue;
    }
    const size_t end = html.find('>', i);
    if (end == std::string::npos) return "unterminated tag";
    const std::string tag = html.substr(i + 1, end - i - 1);
    i = end + 1;
    const bool closing = !tag.empty() && tag[0] == '/';
    const bool self_closing = !tag.empty() && tag.back() == '/';
    std::string name = tag.substr(closing ? 1 : 0);
    name = name.substr(0, name.find_first_of(" \t\n/"));
    if (std::string bad = CheckTagName(name); !bad.empty()) return bad;
    if (closing) {
      if (open.empty() || open.back() != name) {
        return "</" + name + "> closes <" +
               (open.empty() ? std::string("nothing") : open.back()) + ">";
      }
      open.pop_back();
    } else if (!self_closing && kVoid.count(name) == 0) {
      open.push_back(name);
    }
  }
  if (!open.empty()) return "<" + open.back() + "> is never closed";
  return "";
}

// "" when the page refers to nothing outside itself.
inline std::string CheckSelfContained(const std::string& html) {
  for (const char* bad :
       {"http://", "https://", "src=", "<link", "<script", "href=", "url("}) {
    if (html.find(bad) != std::string::npos) {
      return std::string("contains ") + bad;
    }
  }
  return "";
}

}  // namespace retention
