// --import-logrotate on configs written here: logrotate's syntax (globals,
// includes, quoting, scripts), every directive mapped or commented, and
// output that loads as a retentiond configuration on its own.
#include "kinds/logs/logrotate_import.h"

#include <catch2/catch.hpp>
#include <map>
#include <string>

#include "config/config.h"
#include "kinds/logs/logrotate_settings.h"
#include "kinds/logs/logs_rule.h"
#include "unit/test_registry.h"

namespace retention::logrotate_import_test {
namespace {

using Catch::Matchers::Contains;

// Files by path; a directory is every file under "DIR/".
struct Files {
  std::map<std::string, std::string> files;
  StatusOr<std::vector<LogrotateSource>> operator()(const std::string& path) {
    if (files.count(path))
      return std::vector<LogrotateSource>{{path, files[path]}};
    std::vector<LogrotateSource> out;
    for (const auto& [p, text] : files) {
      if (p.rfind(path + "/", 0) == 0 && !IsLogrotateTaboo(p)) {
        out.push_back({p, text});
      }
    }
    if (out.empty()) return Status::NotFound(path + ": no such file");
    return out;
  }
};

std::optional<std::string> Find(const std::string& name) {
  if (name == "invoke-rc.d") return "/usr/sbin/invoke-rc.d";
  return std::nullopt;
}

std::string Import(const std::string& text, LogrotateConfig* config = nullptr) {
  Files files;
  files.files["/etc/logrotate.d/app"] = text;
  LogrotateConfig read =
      ReadLogrotate({"/etc/logrotate.d/app"}, std::ref(files));
  if (config != nullptr) *config = read;
  return ImportLogrotate(read, Find);
}

// Loads `text` as retentiond's configuration; the errors, if any.
std::string LoadErrors(const std::string& text) {
  KindRegistry registry;
  registry.Register(TestDaemonKind());
  registry.Register(LogsKindSpec());
  Config config;
  std::vector<ConfigError> errors;
  LoadConfigFromString("/etc/retentiond/imported.conf", text, registry, &config,
                       &errors);
  std::string out;
  for (const ConfigError& e : errors) out += e.ToString() + "\n";
  return out;
}

// Imports `text`, checks it loads, returns it.
std::string Loaded(const std::string& text) {
  const std::string out = Import(text);
  INFO(out);
  CHECK(LoadErrors(out).empty());
  CHECK(LoadErrors(out) == "");
  return out;
}

TEST_CASE("a stock Debian logrotate block becomes one calendar policy") {
  const std::string out = Loaded(
      "/var/log/dpkg.log {\n\tmonthly\n\trotate 12\n\tcompress\n"
      "\tdelaycompress\n\tmissingok\n\tnotifempty\n\tcreate 644 root "
      "root\n}\n");
  CHECK_THAT(out, Contains("[logs.app]\npaths = /var/log/dpkg.log\n"
                           "rotate_every = monthly\nkeep = 12\n"
                           "compress = gzip\nmethod = reopen\n"
                           "reopen_command = /bin/true\ncreate_mode = 644\n"
                           "create_owner = root\ncreate_group = root\n"
                           "naming = numbered\n"));
  CHECK_THAT(out, Contains("# delaycompress (/etc/logrotate.d/app:5): not "
                           "needed"));
  CHECK_THAT(out, Contains("# missingok (/etc/logrotate.d/app:6)"));
  CHECK_THAT(out, !Contains("rotate_empty"));  // notifempty: the default
}

TEST_CASE("globals before a block and included files apply to it") {
  Files files;
  files.files["/etc/logrotate.conf"] =
      "# comment\nweekly\nrotate 4\ncreate\ndateext\ncompress\n"
      "include /etc/logrotate.d\n/var/log/wtmp {\n  missingok\n  monthly\n"
      "  create 0664 root utmp\n  rotate 1\n}\n";
  files.files["/etc/logrotate.d/web"] =
      "\"/var/log/web/access.log\" /var/log/web/error.log\n{\n  daily\n"
      "  sharedscripts\n  postrotate\n    invoke-rc.d web rotate >/dev/null "
      "2>&1\n  endscript\n}\n";
  files.files["/etc/logrotate.d/web.dpkg-old"] = "/var/log/old.log { daily }\n";
  LogrotateConfig config =
      ReadLogrotate({"/etc/logrotate.conf"}, std::ref(files));
  CHECK(config.errors.empty());
  REQUIRE(config.blocks.size() == 2);  // web, then wtmp; the taboo skipped
  const std::string out = ImportLogrotate(config, Find);
  INFO(out);
  CHECK(LoadErrors(out) == "");
  CHECK_THAT(out, Contains("[logs.web]\npaths = /var/log/web/access.log "
                           "/var/log/web/error.log\nrotate_every = daily\n"
                           "rotate_empty = yes\nkeep = 4\ncompress = gzip\n"
                           "method = reopen\nreopen_command = "
                           "/usr/sbin/invoke-rc.d web rotate\n"
                           "shared_reopen = yes\nnaming = timestamp\n"));
  CHECK_THAT(out, Contains("postrotate: dropped 2>&1, >/dev/null"));
  CHECK_THAT(out, Contains("[logs.logrotate-conf]\npaths = /var/log/wtmp\n"
                           "rotate_every = monthly\nrotate_empty = yes\n"
                           "keep = 1\n"));
  CHECK_THAT(out, Contains("create_mode = 0664\ncreate_owner = root\n"
                           "create_group = utmp\n"));
}

TEST_CASE("size, maxsize and minsize map to the size keys") {
  const std::string size =
      Loaded("/var/log/a.log {\n size 100k\n rotate 3\n}\n");
  CHECK_THAT(size, Contains("max_file_size = 100K\nkeep = 3\n"));
  CHECK_THAT(size, !Contains("rotate_every"));
  const std::string both = Loaded(
      "/var/log/a.log {\n daily\n maxsize 1G\n minsize 10M\n notifempty\n"
      " rotate 5\n maxage 30\n}\n");
  CHECK_THAT(both, Contains("rotate_every = daily\nmax_file_size = 1G\n"
                            "min_size = 10M\nkeep = 5\nmax_age = 30d\n"));
  const std::string tiny = Loaded("/var/log/a.log {\n size 100\n}\n");
  CHECK_THAT(tiny, Contains("max_file_size = 4K\n"));
  CHECK_THAT(tiny, Contains("size raised to 4K"));
  // The last criterion wins, as in logrotate.
  CHECK_THAT(Loaded("/var/log/a.log {\n size 1M\n weekly\n}\n"),
             Contains("rotate_every = weekly\n"));
}

TEST_CASE("every period logrotate knows becomes a rotate_every") {
  CHECK_THAT(Loaded("/var/log/a.log {\n hourly\n}\n"),
             Contains("rotate_every = hourly\n"));
  CHECK_THAT(Loaded("/var/log/a.log {\n minutes 30\n}\n"),
             Contains("rotate_every = 30m\n"));
  const std::string yearly = Loaded("/var/log/a.log {\n yearly\n}\n");
  CHECK_THAT(yearly, Contains("rotate_every = 365d\n"));
  CHECK_THAT(yearly, Contains("rotate_every has no year"));
  CHECK_THAT(Loaded("/var/log/a.log {\n weekly 3\n}\n"),
             Contains("the day is not kept"));
  CHECK_THAT(Loaded("/var/log/a.log {\n rotate 2\n}\n"),
             Contains("no interval"));
}

TEST_CASE("compression directives map to compress and compress_level") {
  CHECK_THAT(Loaded("/var/log/a.log {\n daily\n}\n"),
             Contains("compress = none\n"));
  CHECK_THAT(Loaded("/var/log/a.log {\n compress\n compresscmd /usr/bin/zstd\n"
                    " compressoptions -19\n uncompresscmd /usr/bin/unzstd\n"
                    " compressext .zst\n}\n"),
             Contains("compress = zstd\ncompress_level = 19\n"));
  const std::string xz = Loaded(
      "/var/log/a.log {\n compress\n compresscmd /usr/bin/xz\n"
      " compressoptions --threads=0\n}\n");
  CHECK_THAT(xz, Contains("compress = gzip\n"));
  CHECK_THAT(xz, Contains("compresscmd /usr/bin/xz: no equivalent"));
  CHECK_THAT(xz, Contains("compressoptions --threads=0: no equivalent"));
  CHECK_THAT(Loaded("/var/log/a.log {\n compress\n nocompress\n}\n"),
             Contains("compress = none\n"));
}

TEST_CASE("copytruncate becomes truncate, its scripts pre and post commands") {
  const std::string out = Loaded(
      "/var/log/a.log {\n copytruncate\n create 0600 root root\n"
      " copytruncate\n prerotate\n  /usr/local/bin/flush --all\n endscript\n"
      " postrotate\n  /usr/local/bin/after || true\n endscript\n"
      " sharedscripts\n}\n");
  CHECK_THAT(out,
             Contains("method = truncate\npost_rotate_command = "
                      "/usr/local/bin/after\npre_rotate_command = "
                      "/usr/local/bin/flush --all\nshared_reopen = yes\n"));
  CHECK_THAT(out, !Contains("create_mode"));
  CHECK_THAT(out, Contains("postrotate: dropped || true"));
}

TEST_CASE("a kill of the pid file's process becomes reopen_signal") {
  const std::string out = Loaded(
      "/var/log/nginx/*.log {\n daily\n create 0640 www-data adm\n"
      " sharedscripts\n postrotate\n  if [ -f /run/nginx.pid ]; then\n"
      "   kill -USR1 `cat /run/nginx.pid`\n  fi\n endscript\n}\n");
  CHECK_THAT(out, Contains("method = reopen\nreopen_signal = USR1\n"
                           "pid_file = /run/nginx.pid\n"));
  CHECK_THAT(Loaded("/var/log/a.log {\n postrotate\n  [ -s /run/a.pid ] && "
                    "kill -HUP $(cat /run/a.pid)\n endscript\n}\n"),
             Contains("reopen_signal = HUP\npid_file = /run/a.pid\n"));
}

TEST_CASE("a script that needs a shell is commented with its text") {
  const std::string out = Loaded(
      "/var/log/a.log {\n create\n postrotate\n  for p in $(pidof a); do "
      "kill -HUP $p; done\n endscript\n prerotate\n  test -x /x && /x\n"
      " endscript\n firstaction\n  echo first\n endscript\n lastaction\n"
      "  echo last\n endscript\n preremove\n  echo $1\n endscript\n}\n");
  CHECK_THAT(out, Contains("# postrotate (/etc/logrotate.d/app:3):\n"
                           "#   for p in $(pidof a); do kill -HUP $p; done\n"
                           "# not converted: the script uses the shell"));
  CHECK_THAT(out, Contains("method = truncate\n"));
  CHECK_THAT(out, Contains("set pre_rotate_command = that file"));
  CHECK_THAT(out, Contains("# firstaction (/etc/logrotate.d/app:9): no "
                           "equivalent"));
  CHECK_THAT(out, Contains("#   echo last\n"));
  CHECK_THAT(out, Contains("# preremove (/etc/logrotate.d/app:15): no "
                           "equivalent"));
  CHECK_THAT(out, !Contains("\npre_rotate_command ="));
}

TEST_CASE("naming, olddir and emptiness directives map to their keys") {
  const std::string out = Loaded(
      "/var/log/a/a.log {\n daily\n dateext\n dateformat -%Y%m%d\n"
      " olddir old\n createolddir 0755 root root\n ifempty\n}\n");
  CHECK_THAT(out, Contains("rotate_empty = yes\n"));
  CHECK_THAT(out,
             Contains("naming = timestamp\narchive_dir = /var/log/a/old\n"));
  CHECK_THAT(out, Contains("dateformat -%Y%m%d (/etc/logrotate.d/app:4): no "
                           "equivalent"));
  CHECK_THAT(out, Contains("createolddir 0755 root root"));
  CHECK_THAT(Loaded("/var/log/a.log {\n olddir /var/log/old\n noolddir\n}\n"),
             !Contains("archive_dir"));
}

TEST_CASE("every logrotate directive without equivalent gets a comment") {
  const char* directives[] = {"delaycompress",
                              "shred",
                              "shredcycles 3",
                              "allowhardlink",
                              "renamecopy",
                              "copy",
                              "dateformat -%s",
                              "dateyesterday",
                              "datehourago",
                              "extension .log",
                              "addextension .log",
                              "start 0",
                              "mail a@b",
                              "mailfirst",
                              "maillast",
                              "su root adm",
                              "createolddir",
                              "minage 2",
                              "errors a@b",
                              "missingok",
                              "nomissingok",
                              "ignoreduplicates",
                              "tabooext + .x",
                              "taboopat + *.x",
                              "uncompresscmd /bin/gunzip",
                              "compressext .gz",
                              "nocreate",
                              "frobnicate"};
  for (const char* d : directives) {
    std::string key = std::string(d).substr(0, std::string(d).find(' '));
    if (key == "nocreate") key = "no create (or nocreate)";
    const std::string out =
        Loaded(std::string("/var/log/a.log {\n daily\n ") + d + "\n}\n");
    INFO(d);
    CHECK_THAT(out, Contains("# " + key));
  }
}

TEST_CASE("the no- directives undo theirs and need no comment") {
  const std::string out = Loaded(
      "/var/log/a.log {\n daily\n sharedscripts\n nosharedscripts\n"
      " copytruncate\n nocopytruncate\n create 0600\n dateext\n nodateext\n"
      " delaycompress\n nodelaycompress\n nodateyesterday\n"
      " nodatehourago\n noshred\n noallowhardlink\n norenamecopy\n nocopy\n"
      " nocreateolddir\n nomail\n}\n");
  CHECK_THAT(out, Contains("method = reopen\n"));
  CHECK_THAT(out, Contains("naming = numbered\n"));
  CHECK_THAT(out, !Contains("shared_reopen"));
  for (const char* key : {"nodelaycompress", "nodateyesterday", "nodatehourago",
                          "noshred", "noallowhardlink", "norenamecopy",
                          "nocopy", "nocreateolddir", "nomail"}) {
    INFO(key);
    CHECK_THAT(out, !Contains(std::string("# ") + key));
  }
}

TEST_CASE("paths retentiond cannot take are commented, not converted") {
  const std::string out = Loaded(
      "/var/log/*/app.log ~/x.log \"/var/log/a b.log\" {\n daily\n}\n"
      "/var/log/ok.log /var/log/*/x.log {\n daily\n}\n");
  CHECK_THAT(out, Contains("# [logs.app] not converted: no path"));
  CHECK_THAT(out, Contains("/var/log/*/app.log: not converted: retentiond "
                           "allows globs only in the file name"));
  CHECK_THAT(out, Contains("~/x.log: not converted: paths must be absolute"));
  CHECK_THAT(out, Contains("/var/log/a b.log: not converted"));
  CHECK_THAT(out, Contains("[logs.app-2]\npaths = /var/log/ok.log\n"));
}

TEST_CASE("logrotate syntax errors are reported with file and line") {
  LogrotateConfig config;
  const std::string out = Import(
      "/var/log/a.log {\n daily\n/var/log/b.log {\n}\n}\n"
      "rotate5\n/var/log/c.log {\n postrotate\n  x\n}\n",
      &config);
  REQUIRE(config.errors.size() >= 3);
  CHECK_THAT(config.errors[0],
             Contains("/etc/logrotate.d/app:3: unexpected log filename"));
  CHECK_THAT(out, Contains("# logrotate error: /etc/logrotate.d/app:5: "
                           "unexpected }"));
  std::string all;
  for (const std::string& e : config.errors) all += e + "\n";
  CHECK_THAT(all, Contains("/etc/logrotate.d/app:10: missing endscript for "
                           "postrotate"));
  CHECK_THAT(all, Contains("/etc/logrotate.d/app:6: keyword 'rotate' not "
                           "properly separated"));
  CHECK(LoadErrors(out) == "");
}

TEST_CASE("a directive may be written with an equals sign") {
  LogrotateConfig config;
  Import("/var/log/a.log {\n rotate = 7\n size=1M\n}\n", &config);
  REQUIRE(config.blocks.size() == 1);
  const LogrotateSettings s = ApplyDirectives(config.blocks[0]);
  CHECK(s.rotate == 7);
  CHECK(s.size == uint64_t{1} << 20);
  CHECK(ParseLogrotateSize("10k") == 10240);
  CHECK(ParseLogrotateSize("0x10") == 16);
  CHECK_FALSE(ParseLogrotateSize("10m"));  // logrotate knows no lowercase m
  CHECK_FALSE(ParseLogrotateSize("-1"));
}

TEST_CASE("a missing include is an error naming the line") {
  LogrotateConfig config;
  Import("include /etc/nowhere\n", &config);
  REQUIRE(config.errors.size() == 1);
  CHECK_THAT(config.errors[0],
             Contains("/etc/logrotate.d/app:1: ") && Contains("/etc/nowhere"));
}

}  // namespace
}  // namespace retention::logrotate_import_test
