// The man pages describe every configuration key, every retentionctl
// command, and every option of retentiond and retentionctl (as listed by
// their --help).
#include <catch2/catch.hpp>
#include <cctype>
#include <cstdio>
#include <fstream>
#include <regex>
#include <set>
#include <sstream>

#include "config/kind_registry.h"
#include "control/control_protocol.h"
#include "ctl/ctl_commands.h"

namespace retention::man_pages_test {
namespace {

std::string ReadPage(const std::string& name) {
  std::ifstream in(std::string(RETENTION_SOURCE_DIR) + "/man/" + name);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

// roff escapes '-' as '\-' in the pages.
std::string Roff(std::string text) {
  std::string out;
  for (char c : text) out += c == '-' ? std::string("\\-") : std::string(1, c);
  return out;
}

TEST_CASE(
    "every configuration key and section has an entry in retentiond.conf.5") {
  const std::string page = ReadPage("retentiond.conf.5");
  REQUIRE_FALSE(page.empty());
  const KindRegistry registry = BuiltinRegistry();
  for (const KindSpec& kind : registry.kinds()) {
    const std::string header = kind.singleton ? ".SH [" + kind.kind + "]"
                                              : ".SH [" + kind.kind + ".NAME]";
    CHECK(page.find(header) != std::string::npos);
    for (const KeySpec& key : kind.keys) {
      INFO(kind.kind << "." << key.name);
      CHECK(page.find(".BR " + key.name + " \" (") != std::string::npos);
    }
  }
}

TEST_CASE("every retentionctl command has an entry in retentionctl.1") {
  const std::string page = ReadPage("retentionctl.1");
  REQUIRE_FALSE(page.empty());
  for (const CtlCommand& c : CtlCommands()) {
    INFO(c.name);
    const std::string name = Roff(c.name);
    CHECK((page.find(".B " + name + "\n") != std::string::npos ||
           page.find(".BR " + name + " ") != std::string::npos));
  }
}

// The long options ("--config" -> "config") a binary's --help lists.
std::set<std::string> HelpOptions(const std::string& binary) {
  std::set<std::string> names;
  FILE* pipe = popen((binary + " --help").c_str(), "r");
  REQUIRE(pipe != nullptr);
  std::string help;
  char buffer[4096];
  while (size_t n = fread(buffer, 1, sizeof buffer, pipe))
    help.append(buffer, n);
  pclose(pipe);
  const std::regex option("--([a-z][a-z-]*)");
  for (std::sregex_iterator it(help.begin(), help.end(), option), end;
       it != end; ++it) {
    names.insert((*it)[1]);
  }
  return names;
}

// True when an entry of the page's OPTIONS list (a ".TP" paragraph whose tag
// line is set in bold) names --NAME, and not merely a longer option.
bool HasOptionEntry(const std::string& page, const std::string& name) {
  const std::string flag = Roff("--" + name);
  std::istringstream in(page);
  std::string line, previous;
  while (std::getline(in, line)) {
    if (previous == ".TP" && line.starts_with(".B")) {
      for (size_t at = line.find(flag); at != std::string::npos;
           at = line.find(flag, at + 1)) {
        const size_t end = at + flag.size();
        if (end == line.size() ||
            (!std::islower(static_cast<unsigned char>(line[end])) &&
             line[end] != '\\')) {
          return true;
        }
      }
    }
    previous = line;
  }
  return false;
}

// Issue 19: retentiond(8) said "This release implements two kinds".
TEST_CASE("retentiond.8 describes every built-in kind and counts them right") {
  const std::string page = ReadPage("retentiond.8");
  REQUIRE_FALSE(page.empty());
  const KindRegistry registry = BuiltinRegistry();
  const char* const kNumbers[] = {"zero", "one", "two",   "three", "four",
                                  "five", "six", "seven", "eight", "nine"};
  size_t kinds = 0;
  for (const KindSpec& kind : registry.kinds()) {
    if (kind.kind == "daemon") continue;
    ++kinds;
    INFO(kind.kind);
    CHECK(page.find("\n.B " + kind.kind + "\n") != std::string::npos);
  }
  REQUIRE(kinds < std::size(kNumbers));
  CHECK(page.find(std::string("This release implements ") + kNumbers[kinds] +
                  " kinds") != std::string::npos);
}

// Issue 19: retentiond.conf(5) said occupancy equals du run on each user
// directory alone, but a hard link is charged to the first user only.
TEST_CASE("retentiond.conf.5 says occupancy equals one du over all users") {
  const std::string page = ReadPage("retentiond.conf.5");
  CHECK(page.find("run on each user directory alone, and count") ==
        std::string::npos);
  CHECK(page.find("run over all the user directories at once") !=
        std::string::npos);
  CHECK(page.find("LC_ALL=C du \\-s \\-x \\-B1 users/*") != std::string::npos);
}

// Issue 19: README's list of the Manager's methods lacked five of them.
TEST_CASE("README lists every method of io.retentiond.Manager") {
  std::ifstream in(std::string(RETENTION_SOURCE_DIR) + "/README.md");
  std::stringstream ss;
  ss << in.rdbuf();
  const std::string readme = ss.str();
  const size_t list = readme.find("interface `io.retentiond.Manager` (");
  REQUIRE(list != std::string::npos);
  const size_t end = readme.find("`org.varlink.service.GetInfo`", list);
  REQUIRE(end != std::string::npos);
  const std::string rest = readme.substr(list, end - list);
  for (const MethodSpec& spec : kManagerMethods) {
    const std::string name(spec.name.substr(spec.name.rfind('.') + 1));
    INFO(name);
    CHECK(std::regex_search(rest, std::regex("`" + name + "[(`]")));
  }
}

TEST_CASE("every retentiond and retentionctl option has a man page entry") {
  const struct {
    const char* binary;
    const char* page;
  } programs[] = {{RETENTIOND_BIN, "retentiond.8"},
                  {RETENTIONCTL_BIN, "retentionctl.1"}};
  for (const auto& program : programs) {
    const std::string page = ReadPage(program.page);
    REQUIRE_FALSE(page.empty());
    const std::set<std::string> options = HelpOptions(program.binary);
    CHECK(options.count("help") == 1);
    for (const std::string& name : options) {
      INFO(program.page << ": --" << name);
      CHECK(HasOptionEntry(page, name));
    }
  }
}

}  // namespace
}  // namespace retention::man_pages_test
