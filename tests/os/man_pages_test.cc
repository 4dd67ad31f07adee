// The man pages describe every configuration key and every retentionctl
// command that exists.
#include <catch2/catch.hpp>
#include <fstream>
#include <sstream>

#include "ctl_commands.h"
#include "kind_registry.h"

namespace retention {
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
    const std::string header =
        kind.singleton ? ".SH [" + kind.kind + "]" : ".SH [" + kind.kind + ".NAME]";
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

}  // namespace
}  // namespace retention
