// The INI dialect: sections, entries, comments, and errors at their line.
#include "ini_reader.h"

#include <catch2/catch.hpp>

namespace retention {
namespace {

TEST_CASE("the ini reader splits sections and trimmed entries with lines") {
  IniFile ini = ReadIni(
      "\xEF\xBB\xBF# comment\r\n"
      "  ; another comment\n"
      "[daemon]\n"
      "\n"
      "  state_dir   =   /var/lib/x  \r\n"
      "[logs.app-1]\n"
      "where = a = 'b' # c ; d\n"
      "empty =\n");
  CHECK(ini.errors.empty());
  REQUIRE(ini.sections.size() == 2);
  CHECK(ini.sections[0].id() == "daemon");
  CHECK(ini.sections[0].line == 3);
  REQUIRE(ini.sections[0].entries.size() == 1);
  CHECK(ini.sections[0].entries[0].key == "state_dir");
  CHECK(ini.sections[0].entries[0].value == "/var/lib/x");
  CHECK(ini.sections[0].entries[0].line == 5);
  const IniSection& logs = ini.sections[1];
  CHECK(logs.kind == "logs");
  CHECK(logs.name == "app-1");
  REQUIRE(logs.entries.size() == 2);
  CHECK(logs.entries[0].value == "a = 'b' # c ; d");
  CHECK(logs.entries[1].value.empty());
}

TEST_CASE("the ini reader keeps repeated sections for the caller to judge") {
  IniFile ini = ReadIni("[a]\nx = 1\n[a]\nx = 2\n");
  CHECK(ini.errors.empty());
  CHECK(ini.sections.size() == 2);
}

TEST_CASE("the ini reader reports every bad line and keeps going") {
  IniFile ini = ReadIni(
      "orphan = 1\n"        // 1: outside a section
      "[ok]\n"              // 2
      "no equals sign\n"    // 3
      "= value\n"           // 4: empty key
      "[bad header\n"       // 5
      "skipped = 1\n"       // 6: under a bad header, not reported again
      "[a.b.c]\n"           // 7
      "[a.]\n"              // 8
      "[]\n"                // 9
      "[ok2] # trailing\n"  // 10
      "[ok3]\n"             // 11
      "x y = 1\n");         // 12
  std::vector<int> lines;
  for (const IniError& e : ini.errors) lines.push_back(e.line);
  CHECK(lines == std::vector<int>{1, 3, 4, 5, 7, 8, 9, 10, 12});
  REQUIRE(ini.sections.size() == 2);
  CHECK(ini.sections[0].entries.empty());
  CHECK(ini.errors[1].section == "ok");
  CHECK(ini.errors[0].section.empty());
}

}  // namespace
}  // namespace retention
