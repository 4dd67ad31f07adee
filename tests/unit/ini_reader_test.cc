// The INI dialect: sections, entries, comments, and errors at their line.
#include "config/ini_reader.h"

#include <catch2/catch.hpp>

namespace retention::ini_reader_test {
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
}  // namespace retention::ini_reader_test

namespace retention::ini_reader_test {
namespace {

TEST_CASE("a control byte in a line is an error and the line is not read") {
  using namespace std::string_literals;
  IniFile ini = ReadIni(
      "[files.x]\n"
      "root = /X/outer\0/inner\n"s  // 2: NUL would cut the path short
      "match = a\x1b[2Jb\n"         // 3: an escape sequence
      "every =\t1d\r\n"             // 4: tab and CRLF are fine
      "# comment \x7f\n"s);         // 5: not even in comments
  std::vector<int> lines;
  for (const IniError& e : ini.errors) lines.push_back(e.line);
  CHECK(lines == std::vector<int>{2, 3, 5});
  CHECK(ini.errors[0].message.find("control byte \\x00 at column 16") == 0);
  CHECK(ini.errors[1].message.find("\\x1b") != std::string::npos);
  REQUIRE(ini.sections.size() == 1);
  REQUIRE(ini.sections[0].entries.size() == 1);
  CHECK(ini.sections[0].entries[0].key == "every");
}

TEST_CASE("a line over the limit is an error that does not echo it") {
  IniFile ini =
      ReadIni("[files.x]\nroot = /" + std::string(kMaxLineBytes, 'a') + "\n");
  REQUIRE(ini.errors.size() == 1);
  CHECK(ini.errors[0].line == 2);
  CHECK(ini.errors[0].message.size() < 100);
  CHECK(ini.sections[0].entries.empty());
}

TEST_CASE("text quoted in errors is escaped and cut short") {
  IniFile ini = ReadIni("[bad \xff header" + std::string(1000, 'h') + "]\n");
  REQUIRE(ini.errors.size() == 1);
  const std::string& m = ini.errors[0].message;
  CHECK(m.find("\\xff") != std::string::npos);
  CHECK(m.find('\xff') == std::string::npos);
  CHECK(m.find("more bytes)") != std::string::npos);
  CHECK(m.size() < 300);
}

TEST_CASE("the ini reader stops after its line budget") {
  std::string text = "[files.x]\n";
  for (int i = 0; i < 50; ++i) text += "k" + std::to_string(i) + " = 1\n";
  IniFile ini = ReadIni(text, 10);
  CHECK(ini.errors.empty());
  CHECK(ini.stopped_at == 11);
  CHECK(ini.lines == 10);
  CHECK(ini.sections[0].entries.size() == 9);
}

}  // namespace
}  // namespace retention::ini_reader_test
