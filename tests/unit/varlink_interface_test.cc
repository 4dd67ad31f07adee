// The Varlink interface descriptions parsed as a standard parser does:
// types, methods and errors share one namespace, every referenced type is
// declared, and every served method is declared (issue 19: `type Hold` and
// `method Hold` made libvarlink's parser reject the interface).
#include <catch2/catch.hpp>
#include <map>
#include <regex>
#include <set>
#include <sstream>
#include <string>

#include "control/control_protocol.h"

namespace retention::varlink_interface_test {
namespace {

struct Declarations {
  std::map<std::string, std::string> kind_of;  // name -> type/method/error
  std::vector<std::string> duplicates;         // "method Hold after type"
  std::set<std::string> referenced_types;      // custom types used
};

Declarations Parse(std::string_view text) {
  Declarations d;
  static const std::regex kDecl(R"(^(type|method|error)\s+([A-Za-z0-9_]+))");
  static const std::regex kUse(R"((?::\s*|\[\]|\?)([A-Z][A-Za-z0-9_]*))");
  std::string line;
  std::istringstream in{std::string(text)};
  while (std::getline(in, line)) {
    if (line.rfind('#', 0) == 0) continue;
    std::smatch m;
    if (std::regex_search(line, m, kDecl)) {
      auto [it, fresh] = d.kind_of.emplace(m[2], m[1]);
      if (!fresh) {
        d.duplicates.push_back(std::string(m[1]) + " " + std::string(m[2]) +
                               " after " + it->second);
      }
    }
    for (auto u = std::sregex_iterator(line.begin(), line.end(), kUse);
         u != std::sregex_iterator(); ++u) {
      d.referenced_types.insert((*u)[1]);
    }
  }
  return d;
}

std::string ShortName(std::string_view method) {
  return std::string(method.substr(method.rfind('.') + 1));
}

TEST_CASE("the parser used here catches a name declared twice") {
  const Declarations d = Parse(
      "interface a.b\ntype Hold (kind: string)\n"
      "method Hold(kind: string) -> (hold: Hold)\n");
  REQUIRE(d.duplicates.size() == 1);
  CHECK(d.duplicates[0] == "method Hold after type");
}

TEST_CASE("no name is declared twice in the Varlink interfaces") {
  for (std::string_view text : {kManagerInterface, kServiceInterface}) {
    const Declarations d = Parse(text);
    CHECK(d.kind_of.size() > 3);
    for (const std::string& dup : d.duplicates) FAIL_CHECK(dup);
  }
}

TEST_CASE("every type the Manager interface uses is declared as a type") {
  const Declarations d = Parse(kManagerInterface);
  CHECK(d.referenced_types.count("HoldInfo") == 1);
  for (const std::string& name : d.referenced_types) {
    INFO(name);
    auto it = d.kind_of.find(name);
    REQUIRE(it != d.kind_of.end());
    CHECK(it->second == "type");
  }
}

TEST_CASE("every method the daemon serves is declared in its interface") {
  const Declarations d = Parse(kManagerInterface);
  size_t methods = 0;
  for (const auto& [name, kind] : d.kind_of) methods += kind == "method";
  CHECK(methods == std::size(kManagerMethods));
  for (const MethodSpec& spec : kManagerMethods) {
    INFO(spec.name);
    auto it = d.kind_of.find(ShortName(spec.name));
    REQUIRE(it != d.kind_of.end());
    CHECK(it->second == "method");
  }
}

}  // namespace
}  // namespace retention::varlink_interface_test
