// Config loading from text: merging, every kind of error, and printing.
#include "config/config.h"

#include <catch2/catch.hpp>
#include <chrono>
#include <string>
#include <vector>

#include "unit/test_registry.h"

namespace retention::config_test {
namespace {

struct Loaded {
  bool ok = false;
  Config config;
  std::vector<ConfigError> errors;
  std::vector<std::string> messages;  // errors as ToString()
};

Loaded Load(const std::string& text,
            const std::string& name = "/etc/retentiond/test.conf",
            TestRegistry* registry = nullptr) {
  std::unique_ptr<TestRegistry> own;
  if (registry == nullptr) {
    own = MakeTestRegistry();
    registry = own.get();
  }
  Loaded out;
  out.ok = LoadConfigFromString(name, text, registry->registry, &out.config,
                                &out.errors);
  for (const ConfigError& e : out.errors) out.messages.push_back(e.ToString());
  return out;
}

// The one error a config is expected to produce.
std::string OnlyError(const std::string& text) {
  Loaded loaded = Load(text, "t.conf");
  CHECK_FALSE(loaded.ok);
  REQUIRE(loaded.messages.size() == 1);
  return loaded.messages[0];
}

const char* const kGood = R"(# retentiond test configuration
[daemon]
clock_jump_limit = 2h

; a log set
[logs.access]
paths = /var/log/app/access.log
max_file_size = 200M
max_total_size = 4G
max_age = 21d
compress = gzip

[rows.reset_tokens]
database = sqlite:/var/lib/app/app.db
table = auth_tokens
where = purpose = 'reset#1' AND used_at IS NULL # not a comment
max_age = 1h

[occupancy]
root = /data/users
)";

TEST_CASE("a good config loads with values, defaults and order") {
  Loaded loaded = Load(kGood);
  INFO(Catch::Detail::stringify(loaded.messages));
  REQUIRE(loaded.ok);
  const Config& config = loaded.config;
  REQUIRE(config.sections.size() == 4);
  CHECK(config.daemon().id() == "daemon");
  CHECK(config.daemon().GetDuration("clock_jump_limit") ==
        std::chrono::hours(2));
  CHECK(config.daemon().GetString("state_dir") == "/var/lib/retentiond");
  CHECK(config.files == std::vector<std::string>{"/etc/retentiond/test.conf"});

  std::vector<std::string> ids;
  for (const Section* s : config.policies()) ids.push_back(s->id());
  CHECK(ids == std::vector<std::string>{"logs.access", "rows.reset_tokens",
                                        "occupancy"});
  const Section* logs = config.Find("logs.access");
  REQUIRE(logs != nullptr);
  CHECK(logs->kind == "logs");
  CHECK(logs->name == "access");
  CHECK(logs->where.line == 6);
  CHECK(logs->GetSize("max_file_size") == 200ull << 20);
  CHECK(logs->GetSize("max_total_size") == 4ull << 30);
  CHECK(logs->GetDuration("max_age") == std::chrono::days(21));
  CHECK(logs->GetString("compress") == "gzip");
  CHECK(logs->GetFraction("max_delete_fraction") == Approx(0.5));
  CHECK_FALSE(logs->GetBool("dry_run"));
  CHECK(logs->values.at("dry_run").where.ToString() == "(default)");
  CHECK(logs->values.at("max_age").where.ToString() ==
        "/etc/retentiond/test.conf:10");
  CHECK_FALSE(logs->Has("keep_newest"));
  CHECK(config.Find("nope") == nullptr);
}

TEST_CASE("a hash inside a value is part of the value") {
  Loaded loaded = Load(kGood);
  REQUIRE(loaded.ok);
  CHECK(loaded.config.Find("rows.reset_tokens")->GetString("where") ==
        "purpose = 'reset#1' AND used_at IS NULL # not a comment");
}

TEST_CASE("the daemon section exists with defaults when not written") {
  Loaded loaded = Load("[occupancy]\nroot = /data\n");
  REQUIRE(loaded.ok);
  const Section& daemon = loaded.config.daemon();
  CHECK(daemon.kind == "daemon");
  CHECK(daemon.GetString("log_level") == "info");
  CHECK(daemon.GetDuration("clock_jump_limit") == std::chrono::hours(1));
  CHECK(loaded.config.sections.size() == 2);
}

TEST_CASE("lists split on whitespace and integers read back") {
  Loaded loaded =
      Load("[logs.a]\npaths = /a\ntags = red  green\tblue\nkeep_newest = -3\n");
  REQUIRE(loaded.ok);
  const Section* logs = loaded.config.Find("logs.a");
  CHECK(logs->GetList("tags") ==
        std::vector<std::string>{"red", "green", "blue"});
  CHECK(logs->GetInt("keep_newest") == -3);
}

TEST_CASE("an unknown key names its file and line and suggests the nearest") {
  CHECK(OnlyError("[logs.app]\npaths = /a\nmax_agee = 1d\n") ==
        "t.conf:3: [logs.app] max_agee: unknown key; did you mean 'max_age'?");
}

TEST_CASE("an unknown key far from every known key lists the known keys") {
  const std::string message = OnlyError("[occupancy]\nroot = /a\nzzz = 1\n");
  CHECK(message ==
        "t.conf:3: [occupancy] zzz: unknown key; known keys: every, root");
}

TEST_CASE("several errors are reported together in line order") {
  Loaded loaded = Load(
      "[daemon]\n"
      "clock_jump_limit = soon\n"
      "[logs.app]\n"
      "paths = /a\n"
      "max_file_size = 10X\n"
      "bogus line\n"
      "compres = zstd\n"
      "[rows.t]\n"
      "database = x\n",
      "t.conf");
  CHECK_FALSE(loaded.ok);
  REQUIRE(loaded.errors.size() == 6);
  std::vector<int> lines;
  for (const ConfigError& e : loaded.errors) lines.push_back(e.where.line);
  CHECK(lines == std::vector<int>{2, 5, 6, 7, 8, 8});
  CHECK_THAT(loaded.messages[0],
             Catch::StartsWith("t.conf:2: [daemon] clock_jump_limit: bad "
                               "duration 'soon'"));
  CHECK_THAT(loaded.messages[1],
             Catch::StartsWith("t.conf:5: [logs.app] max_file_size: bad size "
                               "'10X': unknown unit 'X'"));
  CHECK(loaded.messages[2] ==
        "t.conf:6: [logs.app]: expected 'key = value', a [section] or a "
        "comment");
  CHECK(loaded.messages[3] ==
        "t.conf:7: [logs.app] compres: unknown key; did you mean 'compress'?");
  CHECK(loaded.messages[4] ==
        "t.conf:8: [rows.t] table: required key is missing");
  CHECK(loaded.messages[5] ==
        "t.conf:8: [rows.t] max_age: required key is missing");
}

TEST_CASE("a bad value of each type is an error naming the expectation") {
  struct Case {
    const char* line;
    const char* expected;
  };
  const Case cases[] = {
      {"max_file_size = 1.5", "fraction of a byte"},
      {"max_file_size = -1", "bad size '-1'"},
      {"max_age = 1 h", "bad duration '1 h'"},
      {"max_age = 10", "missing unit"},
      {"dry_run = maybe", "bad boolean 'maybe'"},
      {"keep_newest = 3.5", "bad integer '3.5'"},
      {"keep_newest = 99999999999999999999", "out of the 64-bit range"},
      {"max_delete_fraction = 1.5", "bad fraction '1.5'"},
      {"compress = lz4", "bad value 'lz4'; expected one of: none, gzip, zstd"},
      {"compress =", "empty value; expected one of: none, gzip, zstd"},
      {"max_file_size =", "empty value; expected a size"},
      {"max_age =", "empty value; expected a duration"},
      {"dry_run =", "empty value; expected a boolean"},
      {"pid_file =", "empty value; expected a path"},
  };
  for (const Case& c : cases) {
    INFO(c.line);
    const std::string message =
        OnlyError(std::string("[logs.app]\npaths = /a\n") + c.line + "\n");
    const std::string key =
        std::string(c.line).substr(0, std::string(c.line).find(' '));
    CHECK_THAT(message,
               Catch::StartsWith("t.conf:3: [logs.app] " + key + ": "));
    CHECK_THAT(message, Catch::Contains(c.expected));
  }
}

TEST_CASE("empty strings and lists are allowed") {
  Loaded loaded = Load("[logs.a]\npaths = /a\nnote =\ntags =\n");
  REQUIRE(loaded.ok);
  CHECK(loaded.config.Find("logs.a")->GetString("note").empty());
  CHECK(loaded.config.Find("logs.a")->GetList("tags").empty());
}

TEST_CASE("a section repeated within one file is an error") {
  CHECK(OnlyError("[logs.a]\npaths = /a\n\n[logs.a]\nmax_age = 1d\n") ==
        "t.conf:4: [logs.a]: section already defined at t.conf:1");
}

TEST_CASE("a key repeated within one section is an error") {
  CHECK(OnlyError("[logs.a]\npaths = /a\nmax_age = 1d\nmax_age = 2d\n") ==
        "t.conf:4: [logs.a] max_age: key already set at t.conf:3");
}

TEST_CASE("a policy name used by two kinds is an error") {
  CHECK(OnlyError("[logs.app]\npaths = /a\n"
                  "[rows.app]\ndatabase = d\ntable = t\nmax_age = 1d\n") ==
        "t.conf:3: [rows.app]: policy name 'app' is already used by "
        "[logs.app] at t.conf:1; names must be unique across kinds");
}

TEST_CASE("a missing required key is reported at the section header") {
  CHECK(OnlyError("[daemon]\n\n[logs.app]\nmax_age = 1d\n") ==
        "t.conf:3: [logs.app] paths: required key is missing");
}

TEST_CASE("section headers must name a known kind the right way") {
  CHECK(OnlyError("[log.app]\npaths = /a\n") ==
        "t.conf:1: [log.app]: unknown kind 'log'; did you mean 'logs'?");
  CHECK(OnlyError("[zzzzzzzz]\n") ==
        "t.conf:1: [zzzzzzzz]: unknown kind 'zzzzzzzz'; known kinds: "
        "daemon, logs, rows, occupancy");
  CHECK(OnlyError("[occupancy.x]\nroot = /a\n") ==
        "t.conf:1: [occupancy.x]: [occupancy] takes no name; write "
        "[occupancy]");
  CHECK(OnlyError("[logs]\npaths = /a\n") ==
        "t.conf:1: [logs]: [logs] needs a name; write [logs.NAME]");
}

TEST_CASE("syntax errors are reported at their line") {
  CHECK(OnlyError("paths = /a\n") ==
        "t.conf:1: key 'paths' outside of a section; add a [section] header "
        "above it");
  CHECK_THAT(OnlyError("[daemon]\n[logs.a b]\npaths = /a\n"),
             Catch::StartsWith("t.conf:2: bad section header '[logs.a b]'"));
  CHECK(OnlyError("[daemon]\n = 3\n") ==
        "t.conf:2: [daemon]: empty key before '='");
  CHECK_THAT(OnlyError("[daemon]\nstate dir = /x\n"),
             Catch::StartsWith("t.conf:2: [daemon]: bad key 'state dir'"));
}

TEST_CASE("relative paths resolve against the directory of their file") {
  Loaded loaded = Load(
      "[daemon]\nstate_dir = state/../lib//\n"
      "[logs.a]\npaths = logs/app.log ../x/*.log /abs//y/\n"
      "pid_file = /run/./app.pid\n",
      "/etc/retentiond/retentiond.conf");
  REQUIRE(loaded.ok);
  CHECK(loaded.config.daemon().GetString("state_dir") == "/etc/retentiond/lib");
  const Section* logs = loaded.config.Find("logs.a");
  CHECK(logs->GetString("paths") ==
        "/etc/retentiond/logs/app.log /etc/x/*.log /abs/y");
  CHECK(logs->GetList("paths").size() == 3);
  CHECK(logs->GetString("pid_file") == "/run/app.pid");
}

TEST_CASE("the validator runs on clean sections and its errors are kept") {
  auto registry = MakeTestRegistry();
  Loaded loaded = Load(
      "[logs.a]\npaths = /a\nmax_file_size = 5G\nmax_total_size = 4G\n"
      "[logs.b]\npaths = /b\n",
      "t.conf", registry.get());
  CHECK(*registry->logs_validations == 2);
  CHECK_FALSE(loaded.ok);
  REQUIRE(loaded.messages.size() == 1);
  CHECK(loaded.messages[0] ==
        "t.conf:3: [logs.a] max_file_size: larger than max_total_size");
}

TEST_CASE("a size that rounds to 0 bytes is an error at its line") {
  auto registry = MakeTestRegistry();
  Loaded loaded = Load("[logs.a]\npaths = /a\nmax_total_size = 0.0000001K\n",
                       "t.conf", registry.get());
  CHECK_FALSE(loaded.ok);
  REQUIRE(loaded.messages.size() == 1);
  CHECK_THAT(loaded.messages[0],
             Catch::StartsWith("t.conf:3: [logs.a] max_total_size: bad size "
                               "'0.0000001K': rounds to 0 bytes"));
}

TEST_CASE("the validator does not run on a section that already failed") {
  auto registry = MakeTestRegistry();
  Loaded loaded = Load(
      "[logs.a]\npaths = /a\nmax_age = never\n"
      "[logs.b]\nmax_age = 1d\n[logs.c]\npaths = /c\n",
      "t.conf", registry.get());
  CHECK_FALSE(loaded.ok);
  CHECK(loaded.errors.size() == 2);
  CHECK(*registry->logs_validations == 1);  // only [logs.c]
}

TEST_CASE("a failed load leaves the previous config untouched") {
  auto registry = MakeTestRegistry();
  Config config;
  std::vector<ConfigError> errors;
  REQUIRE(LoadConfigFromString("a.conf", "[occupancy]\nroot = /a\n",
                               registry->registry, &config, &errors));
  CHECK_FALSE(LoadConfigFromString("b.conf", "[occupancy]\nroot =\n",
                                   registry->registry, &config, &errors));
  CHECK(errors.size() == 1);
  CHECK(config.files == std::vector<std::string>{"a.conf"});
  CHECK(config.Find("occupancy")->GetString("root") == "/a");
}

TEST_CASE("the printed config lists keys in order with their origin") {
  Loaded loaded = Load(
      "[logs.web]\n"
      "max_age = 7d\n"
      "paths = /var/log/web.log\n"
      "\n"
      "[occupancy]\n"
      "root = /data\n",
      "/etc/r.conf");
  REQUIRE(loaded.ok);
  CHECK(PrintConfig(loaded.config) ==
        "[daemon]\n"
        "clock_jump_limit = 1h  # (default)\n"
        "log_level = info  # (default)\n"
        "state_dir = /var/lib/retentiond  # (default)\n"
        "\n"
        "[logs.web]\n"
        "compress = zstd  # (default)\n"
        "dry_run = no  # (default)\n"
        "max_age = 7d  # /etc/r.conf:2\n"
        "max_delete_fraction = 0.5  # (default)\n"
        "paths = /var/log/web.log  # /etc/r.conf:3\n"
        "\n"
        "[occupancy]\n"
        "every = 1h  # (default)\n"
        "root = /data  # /etc/r.conf:6\n");
}

TEST_CASE("config errors format as file, line, section, key and message") {
  ConfigError e{{"a.conf", 3}, "logs.x", "max_age", "bad"};
  CHECK(e.ToString() == "a.conf:3: [logs.x] max_age: bad");
  e.key.clear();
  CHECK(e.ToString() == "a.conf:3: [logs.x]: bad");
  e.section.clear();
  CHECK(e.ToString() == "a.conf:3: bad");
  e.where.line = 0;
  CHECK(e.ToString() == "a.conf: bad");
}

TEST_CASE("a NUL byte in a path value is an error at its line") {
  using namespace std::string_literals;
  const std::string error =
      OnlyError("[logs.x]\npaths = /a\npid_file = /X/outer\0/inner\n"s);
  CHECK(error.find("t.conf:3: [logs.x]: control byte \\x00 at column 20") == 0);
}

TEST_CASE("at most 20 errors are returned, then how many more") {
  std::string text = "[logs.x]\npaths = /a\n";
  for (int i = 0; i < 1000; ++i) {
    text += "unknown_key_" + std::to_string(i) + " = 1\n";
  }
  Loaded loaded = Load(text, "t.conf");
  CHECK_FALSE(loaded.ok);
  REQUIRE(loaded.errors.size() == kMaxConfigErrors + 1);
  CHECK(loaded.messages[0].find("t.conf:3: [logs.x] unknown_key_0:") == 0);
  CHECK(loaded.messages.back() == "... and 980 more errors");
  CHECK(CountConfigErrors(loaded.errors) == 1000);
}

TEST_CASE("values quoted in errors are escaped and cut short") {
  const std::string error = OnlyError("[logs.x]\npaths = /a\nmax_age = 1\xff" +
                                      std::string(50000, 'd') + "\n");
  CHECK(error.find("\\xff") != std::string::npos);
  CHECK(error.find('\xff') == std::string::npos);
  CHECK(error.find("more bytes)") != std::string::npos);
  CHECK(error.size() < 500);
}

TEST_CASE("a configuration past the line budget is refused, not read") {
  std::string text = "[logs.x]\npaths = /a\n";
  for (size_t i = 0; i < kMaxConfigLines + 5; ++i) text += "# c\nk = 1\n";
  Loaded loaded = Load(text, "t.conf");
  CHECK_FALSE(loaded.ok);
  REQUIRE(!loaded.messages.empty());
  // First, though its line comes last: it explains the rest.
  CHECK(loaded.messages[0] ==
        "t.conf: more than 10000 lines of keys and headers in the "
        "configuration; not read from line 20000 on");
}

}  // namespace
}  // namespace retention::config_test
