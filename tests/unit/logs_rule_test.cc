// [logs.NAME]: every key read into a LogsRule, and every validation error
// reported as FILE:LINE: [section] key: message.
#include "kinds/logs/logs_rule.h"

#include <signal.h>

#include <catch2/catch.hpp>

#include "unit/test_registry.h"

namespace retention::logs_rule_test {
namespace {

using std::chrono::hours;
using std::chrono::minutes;
constexpr Duration kDay = hours(24);

struct Loaded {
  bool ok = false;
  Config config;
  std::vector<std::string> messages;
};

// The loader needs no factory: the kind is registered as the daemon's
// BuiltinRegistry does until the executor exists.
Loaded Load(const std::string& text) {
  KindRegistry registry;
  registry.Register(TestDaemonKind());
  registry.Register(LogsKindSpec());
  Loaded out;
  std::vector<ConfigError> errors;
  out.ok = LoadConfigFromString("/etc/retentiond/t.conf", text, registry,
                                &out.config, &errors);
  for (const ConfigError& e : errors) out.messages.push_back(e.ToString());
  return out;
}

LogsRule RuleOf(const std::string& body) {
  Loaded loaded = Load("[logs.access]\n" + body);
  INFO((loaded.messages.empty() ? "" : loaded.messages[0]));
  REQUIRE(loaded.ok);
  return LogsRuleFromSection(*loaded.config.Find("logs.access"));
}

// The one error of a [logs.a] section whose keys start on line 2.
std::string OnlyError(const std::string& body) {
  Loaded loaded = Load("[logs.a]\n" + body);
  CHECK_FALSE(loaded.ok);
  REQUIRE(loaded.messages.size() == 1);
  return loaded.messages[0];
}

const std::string kPaths = "paths = /var/log/app/access.log\n";

TEST_CASE("a logs section with one limit gets every default") {
  LogsRule r = RuleOf(kPaths + "max_file_size = 200M\n");
  CHECK(r.policy == "logs.access");
  CHECK(r.paths == std::vector<std::string>{"/var/log/app/access.log"});
  CHECK(r.max_file_size == 200u << 20);
  CHECK(r.max_total_size == 0);
  CHECK(r.max_age == Duration::zero());
  CHECK(r.keep == 0);
  CHECK(r.min_age == Duration::zero());
  CHECK(r.compress == Compression::kZstd);
  CHECK(r.compress_level == 3);
  CHECK(r.method == RotateMethod::kTruncate);
  CHECK(r.reopen_signal == 0);
  CHECK(r.pid_file.empty());
  CHECK(r.reopen_command.empty());
  CHECK_FALSE(r.create_mode);
  CHECK(r.create_owner.empty());
  CHECK(r.create_group.empty());
  CHECK(r.naming == ArchiveNaming::kTimestamp);
  CHECK(r.archive_dir.empty());
  CHECK(r.every == minutes(1));
}

TEST_CASE("every logs key is read into the rule") {
  LogsRule r = RuleOf(
      "paths = /var/log/app/access.log /var/log/app/*.err\n"
      "max_file_size = 100M\nmax_total_size = 4G\nmax_age = 21d\n"
      "keep = 30\nmin_age = 2d\ncompress = gzip\ncompress_level = 9\n"
      "method = reopen\nreopen_signal = USR1\npid_file = /run/app.pid\n"
      "create_mode = 0640\ncreate_owner = 0\ncreate_group = root\n"
      "naming = numbered\narchive_dir = /var/log/app/old\nevery = 30s\n");
  CHECK(r.paths == std::vector<std::string>{"/var/log/app/access.log",
                                            "/var/log/app/*.err"});
  CHECK(r.max_file_size == 100u << 20);
  CHECK(r.max_total_size == uint64_t{4} << 30);
  CHECK(r.max_age == kDay * 21);
  CHECK(r.keep == 30);
  CHECK(r.min_age == kDay * 2);
  CHECK(r.compress == Compression::kGzip);
  CHECK(r.compress_level == 9);
  CHECK(r.method == RotateMethod::kReopen);
  CHECK(r.reopen_signal == SIGUSR1);
  CHECK(r.pid_file == "/run/app.pid");
  CHECK(r.create_mode == 0640u);
  CHECK(r.create_owner == "0");
  CHECK(r.create_group == "root");
  CHECK(r.naming == ArchiveNaming::kNumbered);
  CHECK(r.archive_dir == "/var/log/app/old");
  CHECK(r.every == std::chrono::seconds(30));
}

TEST_CASE("compress_level defaults to the level of the chosen compression") {
  CHECK(RuleOf(kPaths + "keep = 5\ncompress = gzip\n").compress_level == 6);
  CHECK(RuleOf(kPaths + "keep = 5\ncompress = zstd\n").compress_level == 3);
  CHECK(RuleOf(kPaths + "keep = 5\ncompress = none\n").compress_level == 0);
  CHECK(RuleOf(kPaths + "keep = 5\ncompress_level = 19\n").compress_level ==
        19);
}

TEST_CASE("a reopen command is split into argv and run without a shell") {
  LogsRule r = RuleOf(kPaths +
                      "keep = 5\nmethod = reopen\n"
                      "reopen_command = /usr/sbin/nginx  -s\treopen\n");
  CHECK(r.reopen_command == "/usr/sbin/nginx  -s\treopen");
  CHECK(ReopenArgv(r) ==
        std::vector<std::string>{"/usr/sbin/nginx", "-s", "reopen"});
  CHECK(ReopenArgv(RuleOf(kPaths + "keep = 5\n")).empty());
}

TEST_CASE("relative logs paths resolve against the configuration's directory") {
  LogsRule r = RuleOf(
      "paths = app/access.log\nkeep = 1\narchive_dir = ../old/\n"
      "method = reopen\nreopen_signal = SIGHUP\npid_file = run/app.pid\n");
  CHECK(r.paths == std::vector<std::string>{"/etc/retentiond/app/access.log"});
  CHECK(r.archive_dir == "/etc/old");
  CHECK(r.pid_file == "/etc/retentiond/run/app.pid");
  CHECK(r.reopen_signal == SIGHUP);
}

TEST_CASE("a logs section without any limit is refused at its header") {
  CHECK(OnlyError(kPaths) ==
        "/etc/retentiond/t.conf:1: [logs.a]: sets no limit, so it would do "
        "nothing: set at least one of max_file_size, rotate_every, "
        "max_total_size, max_age, keep");
  CHECK(OnlyError(kPaths + "max_age = 0\nkeep = 0\n").find("sets no limit") !=
        std::string::npos);
  CHECK(OnlyError("keep = 1\n") ==
        "/etc/retentiond/t.conf:1: [logs.a] paths: required key is missing");
}

TEST_CASE("size limits are checked against a block and each other") {
  CHECK(OnlyError(kPaths + "max_file_size = 4000\n") ==
        "/etc/retentiond/t.conf:3: [logs.a] max_file_size: must be at least "
        "4K (one block) or 0");
  CHECK(Load("[logs.a]\n" + kPaths + "max_file_size = 4K\n").ok);
  CHECK(OnlyError(kPaths + "max_file_size = 5G\nmax_total_size = 4G\n") ==
        "/etc/retentiond/t.conf:3: [logs.a] max_file_size: larger than "
        "max_total_size");
  CHECK(
      Load("[logs.a]\n" + kPaths + "max_file_size = 4G\nmax_total_size = 4G\n")
          .ok);
  CHECK(OnlyError(kPaths + "max_total_size = 12X\n")
            .find("t.conf:3: [logs.a] max_total_size: ") != std::string::npos);
}

TEST_CASE("keep, every and the durations are range-checked") {
  CHECK(OnlyError(kPaths + "keep = -1\n") ==
        "/etc/retentiond/t.conf:3: [logs.a] keep: must be 0 (unlimited) or "
        "more");
  CHECK(OnlyError(kPaths + "keep = 1\nevery = 0\n") ==
        "/etc/retentiond/t.conf:4: [logs.a] every: must be greater than 0");
  CHECK(OnlyError(kPaths + "keep = 1\nmin_age = soon\n")
            .find("t.conf:4: [logs.a] min_age: ") != std::string::npos);
  // A floor longer than max_age is allowed: the floor wins.
  CHECK(Load("[logs.a]\n" + kPaths + "max_age = 1d\nmin_age = 30d\n").ok);
}

TEST_CASE("compress_level is checked against the chosen compression") {
  CHECK(OnlyError(kPaths + "keep = 1\ncompress_level = 20\n") ==
        "/etc/retentiond/t.conf:4: [logs.a] compress_level: zstd levels are 1 "
        "to 19");
  CHECK(OnlyError(kPaths + "keep = 1\ncompress_level = 0\n")
            .find("zstd levels are 1 to 19") != std::string::npos);
  CHECK(
      OnlyError(kPaths + "keep = 1\ncompress = gzip\ncompress_level = 10\n") ==
      "/etc/retentiond/t.conf:5: [logs.a] compress_level: gzip levels are 1 "
      "to 9");
  CHECK(OnlyError(kPaths + "keep = 1\ncompress = none\ncompress_level = 3\n") ==
        "/etc/retentiond/t.conf:5: [logs.a] compress_level: set, but "
        "compress = none");
  CHECK(OnlyError(kPaths + "keep = 1\ncompress = lz4\n")
            .find("expected one of: zstd, gzip, none") != std::string::npos);
}

TEST_CASE("method = reopen needs a signal with a pid file, or a command") {
  const std::string base = kPaths + "keep = 1\nmethod = reopen\n";
  CHECK(OnlyError(base) ==
        "/etc/retentiond/t.conf:4: [logs.a] method: method = reopen needs "
        "reopen_signal and pid_file, or reopen_command");
  CHECK(OnlyError(base + "reopen_signal = USR1\n") ==
        "/etc/retentiond/t.conf:5: [logs.a] reopen_signal: needs pid_file "
        "(whom to signal)");
  CHECK(OnlyError(base + "pid_file = /run/a.pid\n") ==
        "/etc/retentiond/t.conf:5: [logs.a] pid_file: needs reopen_signal "
        "(what to send)");
  CHECK(OnlyError(base + "reopen_signal = USR1\npid_file = /run/a.pid\n"
                         "reopen_command = /bin/true\n") ==
        "/etc/retentiond/t.conf:7: [logs.a] reopen_command: set either "
        "reopen_signal with pid_file, or reopen_command, not both");
  CHECK(OnlyError(base + "reopen_command = bin/reopen\n") ==
        "/etc/retentiond/t.conf:5: [logs.a] reopen_command: must start with "
        "an absolute path (it runs without a shell)");
  CHECK(OnlyError(base + "reopen_command =\n")
            .find("must start with an absolute path") != std::string::npos);
}

TEST_CASE("reopen_signal must name a signal a writer can handle") {
  const std::string base =
      kPaths + "keep = 1\nmethod = reopen\npid_file = /run/a.pid\n";
  CHECK(OnlyError(base + "reopen_signal = USR3\n") ==
        "/etc/retentiond/t.conf:6: [logs.a] reopen_signal: unknown signal "
        "'USR3'; expected a name such as USR1, HUP or SIGUSR2");
  CHECK(OnlyError(base + "reopen_signal = SIGKILL\n")
            .find("SIGKILL cannot be handled by a writer") !=
        std::string::npos);
  CHECK(OnlyError(base + "reopen_signal = STOP\n").find("SIGSTOP") !=
        std::string::npos);
  CHECK(ParseSignalName("USR1").value() == SIGUSR1);
  CHECK(ParseSignalName("SIGUSR1").value() == SIGUSR1);
  CHECK(ParseSignalName("usr2").value() == SIGUSR2);
  CHECK(ParseSignalName("HUP").value() == SIGHUP);
  CHECK(ParseSignalName("WINCH").value() == SIGWINCH);
  CHECK_FALSE(ParseSignalName("").ok());
  CHECK_FALSE(ParseSignalName("10").ok());
}

TEST_CASE("create_mode is octal permission bits up to 07777") {
  const std::string base =
      kPaths + "keep = 1\nmethod = reopen\nreopen_command = /bin/true\n";
  CHECK(RuleOf(base + "create_mode = 640\n").create_mode == 0640u);
  CHECK(RuleOf(base + "create_mode = 07777\n").create_mode == 07777u);
  CHECK(OnlyError(base + "create_mode = 0649\n") ==
        "/etc/retentiond/t.conf:6: [logs.a] create_mode: bad mode '0649': "
        "expected octal permission bits such as 0640, at most 07777");
  CHECK_FALSE(ParseFileMode("10000").ok());
  CHECK_FALSE(ParseFileMode("017777").ok());
  CHECK_FALSE(ParseFileMode("rw-r").ok());
  CHECK_FALSE(ParseFileMode("").ok());
  CHECK(ParseFileMode("0").value() == 0u);
}

TEST_CASE("create_owner and create_group must exist unless numeric") {
  const std::string base =
      kPaths + "keep = 1\nmethod = reopen\nreopen_command = /bin/true\n";
  CHECK(
      Load("[logs.a]\n" + base + "create_owner = root\ncreate_group = 0\n").ok);
  CHECK(OnlyError(base + "create_owner = no-such-user-rtd\n") ==
        "/etc/retentiond/t.conf:6: [logs.a] create_owner: no user named "
        "'no-such-user-rtd'");
  CHECK(OnlyError(base + "create_group = no-such-group-rtd\n") ==
        "/etc/retentiond/t.conf:6: [logs.a] create_group: no group named "
        "'no-such-group-rtd'");
}

TEST_CASE("the reopen keys are refused with method = truncate") {
  for (const char* line : {"reopen_signal = USR1", "pid_file = /run/a.pid",
                           "reopen_command = /bin/true", "create_mode = 0640",
                           "create_owner = root", "create_group = root"}) {
    INFO(line);
    const std::string key =
        std::string(line).substr(0, std::string(line).find(' '));
    CHECK(OnlyError(kPaths + "keep = 1\n" + line + "\n") ==
          "/etc/retentiond/t.conf:4: [logs.a] " + key +
              ": applies only to method = reopen");
  }
}

TEST_CASE("globs are allowed only in the last component of a log path") {
  CHECK(OnlyError("paths = /var/log/*/access.log\nkeep = 1\n") ==
        "/etc/retentiond/t.conf:2: [logs.a] paths: /var/log/*/access.log: "
        "glob characters (*?[) are allowed only in the file name");
  CHECK(OnlyError("paths = /var/log/app?/a.log\nkeep = 1\n")
            .find("allowed only in the file name") != std::string::npos);
  CHECK(Load("[logs.a]\npaths = /var/log/app/*.log /var/log/x/[ab].log\n"
             "keep = 1\n")
            .ok);
}

TEST_CASE("two live files of one name cannot share an archive_dir") {
  CHECK(OnlyError("paths = /var/log/a/app.log /var/log/b/app.log\nkeep = 1\n"
                  "archive_dir = /var/log/old\n") ==
        "/etc/retentiond/t.conf:2: [logs.a] paths: two live files named "
        "app.log would share archive names in archive_dir");
  CHECK(Load("[logs.a]\npaths = /var/log/a/app.log /var/log/b/app.log\n"
             "keep = 1\n")
            .ok);
}

TEST_CASE("compression names, suffixes and default levels") {
  CHECK(std::string(CompressionSuffix(Compression::kNone)).empty());
  CHECK(std::string(CompressionSuffix(Compression::kZstd)) == ".zst");
  CHECK(std::string(CompressionSuffix(Compression::kGzip)) == ".gz");
  CHECK(std::string(CompressionName(Compression::kGzip)) == "gzip");
  CHECK(DefaultCompressLevel(Compression::kZstd) == 3);
  CHECK(DefaultCompressLevel(Compression::kGzip) == 6);
}

}  // namespace
}  // namespace retention::logs_rule_test

namespace retention::logs_rule_test {
namespace {

TEST_CASE("calendar rotation keys are read into the rule") {
  LogsRule r = RuleOf(kPaths +
                      "rotate_every = weekly\nrotate_timezone = +02:00\n"
                      "min_size = 1M\nrotate_empty = yes\n");
  REQUIRE(r.rotate_every.has_value());
  CHECK(r.rotate_every->unit == PeriodUnit::kWeekly);
  CHECK(r.rotate_every->zone.name() == "+02:00");
  CHECK(r.rotate_every->zone.OffsetAt(WallTime{}) == minutes(120));
  CHECK(r.min_size == 1u << 20);
  CHECK(r.rotate_empty);
  LogsRule plain = RuleOf(kPaths + "rotate_every = daily\n");
  CHECK(plain.rotate_every->zone.utc());
  CHECK(plain.min_size == 0);
  CHECK_FALSE(plain.rotate_empty);
  CHECK_FALSE(RuleOf(kPaths + "max_age = 1d\n").rotate_every.has_value());
}

TEST_CASE("a bad rotate_every or rotate_timezone is an error naming the key") {
  CHECK_THAT(OnlyError(kPaths + "rotate_every = fortnightly\n"),
             Catch::StartsWith("/etc/retentiond/t.conf:3: [logs.a] "
                               "rotate_every: 'fortnightly' is not hourly"));
  CHECK_THAT(OnlyError(kPaths + "rotate_every = daily\n"
                                "rotate_timezone = 02:00\n"),
             Catch::Contains("rotate_timezone: '02:00' is not UTC"));
}

TEST_CASE("calendar-only keys are refused without rotate_every") {
  CHECK_THAT(OnlyError(kPaths + "max_age = 1d\nmin_size = 1M\n"),
             Catch::Contains("min_size: applies only with rotate_every"));
}

TEST_CASE("rotate commands are split into argv with their timeout") {
  LogsRule r = RuleOf(kPaths +
                      "keep = 5\npre_rotate_command = /bin/pre  a\tb\n"
                      "post_rotate_command = /bin/post\n"
                      "command_timeout = 5s\nshared_reopen = yes\n");
  CHECK(r.pre_rotate_command == std::vector<std::string>{"/bin/pre", "a", "b"});
  CHECK(r.post_rotate_command == std::vector<std::string>{"/bin/post"});
  CHECK(r.command_timeout == std::chrono::seconds(5));
  CHECK(r.shared_reopen);
  LogsRule plain = RuleOf(kPaths + "keep = 5\n");
  CHECK(plain.pre_rotate_command.empty());
  CHECK(plain.command_timeout == std::chrono::seconds(30));
  CHECK_FALSE(plain.shared_reopen);
}

TEST_CASE("rotate commands must start with an absolute path") {
  CHECK_THAT(OnlyError(kPaths + "keep = 5\npre_rotate_command = pre.sh\n"),
             Catch::Contains("pre_rotate_command: must start with an "
                             "absolute path"));
  CHECK_THAT(OnlyError(kPaths + "keep = 5\npost_rotate_command = kill -HUP\n"),
             Catch::Contains("post_rotate_command: must start with an "
                             "absolute path"));
  CHECK_THAT(OnlyError(kPaths + "keep = 5\ncommand_timeout = 0\n"),
             Catch::Contains("command_timeout"));
}

TEST_CASE("shared_reopen needs a reopen or a post command to share") {
  CHECK_THAT(OnlyError(kPaths + "keep = 5\nshared_reopen = yes\n"),
             Catch::Contains("shared_reopen: shares the reopen"));
  RuleOf(kPaths +
         "keep = 5\nshared_reopen = yes\n"
         "post_rotate_command = /bin/post\n");
}

}  // namespace
}  // namespace retention::logs_rule_test
