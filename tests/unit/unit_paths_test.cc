// retentiond --print-unit-paths: every directory the configuration makes the
// daemon write in, found through the registry's path-typed keys.
#include "app/unit_paths.h"

#include <catch2/catch.hpp>

#include "config/kind_registry.h"

namespace retention::unit_paths_test {
namespace {

using Paths = std::vector<std::string>;

Paths PathsOf(const std::string& text, const KindRegistry& registry) {
  Config config;
  std::vector<ConfigError> errors;
  const bool loaded = LoadConfigFromString("/etc/retentiond/r.conf", text,
                                           registry, &config, &errors);
  for (const ConfigError& e : errors) UNSCOPED_INFO(e.ToString());
  REQUIRE(loaded);
  return UnitWritablePaths(config, registry);
}

TEST_CASE("unit paths name the state, socket, log, archive and files dirs") {
  const KindRegistry registry = BuiltinRegistry();
  const Paths paths = PathsOf(
      "[daemon]\n"
      "metrics_file = /var/lib/prometheus/retentiond.prom\n"
      "[logs.access]\n"
      "paths = /var/log/app/access.log /srv/web/*.log\n"
      "archive_dir = /archive/app\n"
      "max_age = 21d\n"
      "method = reopen\n"
      "reopen_signal = USR1\n"
      "pid_file = /run/app/app.pid\n"
      "[files.backups]\n"
      "root = /var/backups/app/\n"
      "max_age = 90d\n",
      registry);
  CHECK(paths == Paths{"/archive/app", "/run/retentiond", "/srv/web",
                       "/var/backups/app", "/var/lib/prometheus",
                       "/var/lib/retentiond", "/var/log/app"});
}

TEST_CASE("unit paths leave out directories beneath another one listed") {
  const KindRegistry registry = BuiltinRegistry();
  const Paths paths = PathsOf(
      "[daemon]\n"
      "state_dir = /srv/r/state\n"
      "control_socket = /srv/r/control.sock\n"
      "[files.a]\nroot = /srv/r\nmax_age = 1d\n"
      "[files.b]\nroot = /srv/r-other\nmax_age = 1d\n",
      registry);
  CHECK(paths == Paths{"/srv/r", "/srv/r-other"});
}

TEST_CASE("unit paths cover a kind registered later, path keys and sqlite") {
  KindRegistry registry = BuiltinRegistry();
  KindSpec widgets;
  widgets.kind = "widgets";
  widgets.keys = {
      {"database", ValueType::kString, "", true, {}, ""},
      {"export_dir", ValueType::kPath, "", false, {}, "", PathUse::kWritesIn},
      {"lock_file", ValueType::kPath, "", false, {}, ""},
  };
  registry.Register(widgets);
  const Paths paths = PathsOf(
      "[daemon]\n"
      "[widgets.tokens]\n"
      "database = sqlite:/var/lib/app/app.db\n"
      "export_dir = /srv/exports\n"
      "lock_file = /run/lock/widgets.lock\n"
      "[widgets.relative]\n"
      "database = sqlite:db/app.db\n",
      registry);
  CHECK(paths == Paths{"/etc/retentiond/db", "/run/lock", "/run/retentiond",
                       "/srv/exports", "/var/lib/app", "/var/lib/retentiond"});
}

TEST_CASE("unit paths bind back what lies beneath the home directories") {
  const KindRegistry registry = BuiltinRegistry();
  Config config;
  std::vector<ConfigError> errors;
  REQUIRE(LoadConfigFromString("/etc/retentiond/r.conf",
                               "[logs.web]\n"
                               "paths = /home/web/logs/access.log\n"
                               "max_age = 21d\n"
                               "method = reopen\n"
                               "reopen_signal = USR1\n"
                               "pid_file = /run/user/1000/web.pid\n"
                               "[logs.own]\n"
                               "paths = /home/web/logs/own.log\n"
                               "max_age = 21d\n"
                               "method = reopen\n"
                               "reopen_signal = USR1\n"
                               "pid_file = /home/web/logs/own.pid\n"
                               "[occupancy]\n"
                               "root = /home\n"
                               "layout = {id}\n"
                               "[files.tmp]\nroot = /srv/tmp\nmax_age = 1d\n",
                               registry, &config, &errors));
  const Paths writable = UnitWritablePaths(config, registry);
  // Occupancy only reads /home; a pid file beside a log needs no grant of
  // its own, one in /var/run would need none at all.
  const Paths reads = UnitHomeReadPaths(config, registry);
  CHECK(writable == Paths{"/home/web/logs", "/run/retentiond", "/srv/tmp",
                          "/var/lib/retentiond"});
  CHECK(reads == Paths{"/home", "/run/user/1000"});
  const std::string text =
      FormatUnitPathsDropIn("/etc/r.conf", writable, reads);
  CHECK(text.find("\n[Service]\n"
                  "BindPaths=-/home/web/logs\n"
                  "ReadWritePaths=-/run/retentiond\n"
                  "ReadWritePaths=-/srv/tmp\n"
                  "ReadWritePaths=-/var/lib/retentiond\n"
                  "BindReadOnlyPaths=-/home\n"
                  "BindReadOnlyPaths=-/run/user/1000\n") != std::string::npos);
  CHECK(FormatUnitPathsDropIn("/etc/r.conf", {"/root/a:b"}, {})
            .find("BindPaths=-/root/a\\:b\n") != std::string::npos);
}

TEST_CASE("the unit paths drop-in is a [Service] section, quoted as needed") {
  const std::string text = FormatUnitPathsDropIn(
      "/etc/r.conf", {"/var/log/app", "/srv/my logs", "/srv/100%"});
  CHECK(text.find("from /etc/r.conf") != std::string::npos);
  CHECK(text.find("\n[Service]\n"
                  "ReadWritePaths=-/var/log/app\n"
                  "ReadWritePaths=\"-/srv/my logs\"\n"
                  "ReadWritePaths=-/srv/100%%\n") != std::string::npos);
}

}  // namespace
}  // namespace retention::unit_paths_test

namespace retention::unit_paths_test {
namespace {

TEST_CASE("unit paths cover the accounts database and the default quarantine") {
  const KindRegistry registry = BuiltinRegistry();
  const Paths paths = PathsOf(
      "[daemon]\n"
      "state_dir = /var/lib/retentiond\n"
      "control_socket = /run/retentiond/control.sock\n"
      "[accounts]\n"
      "database = sqlite:/var/lib/app/app.db\n"
      "table = users\n"
      "deleted_column = deleted_at\n"
      "grace = 30d\n"
      "data_dir = /data/users/{id}\n",
      registry);
  // /data holds /data/users and /data/.retentiond-quarantine.
  CHECK(paths == Paths{"/data", "/run/retentiond", "/var/lib/app",
                       "/var/lib/retentiond"});
}

}  // namespace
}  // namespace retention::unit_paths_test
