// The [daemon] section's keys and the registration of every built-in policy
// kind. A new kind adds one Register call here.
#include "accounts_policy.h"
#include "files_policy.h"
#include "logs_policy.h"
#include "groups.h"
#include "kind_registry.h"
#include "logs_rule.h"
#include "rows_policy.h"
#include "occupancy_policy.h"

namespace retention {
namespace {

KindSpec DaemonKind() {
  KindSpec spec;
  spec.kind = "daemon";
  spec.singleton = true;
  spec.unit = "file";  // daemon.keep_free removes rotated log files
  spec.keys = {
      {"state_dir",
       ValueType::kPath,
       "/var/lib/retentiond",
       false,
       {},
       "state database and ledger",
       PathUse::kWritesIn},
      {"log_level",
       ValueType::kEnum,
       "info",
       false,
       {"trace", "debug", "info", "warning", "error"},
       "least severe level logged"},
      {"clock_jump_limit",
       ValueType::kDuration,
       "1h",
       false,
       {},
       "wall-clock jump that pauses deletion"},
      {"metrics_file",
       ValueType::kPath,
       "",
       false,
       {},
       "Prometheus text file rewritten after each run"},
      {"keep_free",
       ValueType::kSpace,
       "",
       false,
       {},
       "free space kept on filesystems holding log sets (size or %)"},
      {"control_socket",
       ValueType::kPath,
       "/run/retentiond/control.sock",
       false,
       {},
       "Varlink control socket; empty disables it"},
      {"socket_group",
       ValueType::kString,
       "",
       false,
       {},
       "group that may read status over the socket (socket mode 0660)"},
      {"admin_group",
       ValueType::kString,
       "",
       false,
       {},
       "group that may run, reload and confirm (besides root)"},
      {"control_max_connections",
       ValueType::kInt,
       "64",
       false,
       {},
       "concurrent control connections; more are refused"},
      {"control_max_connections_per_user",
       ValueType::kInt,
       "16",
       false,
       {},
       "control connections of one uid (root: no cap); more are refused"},
      {"control_idle_timeout",
       ValueType::kDuration,
       "60s",
       false,
       {},
       "a control connection idle this long is closed"},
      {"control_request_timeout",
       ValueType::kDuration,
       "10s",
       false,
       {},
       "a call not complete this long after its first byte is closed"},
      {"daily_report",
       ValueType::kBool,
       "yes",
       false,
       {},
       "write state_dir/reports/YYYY-MM-DD.{json,html} once a day"},
  };
  spec.validate = [](const Section& s, std::vector<ConfigError>* errors) {
    for (const char* key : {"socket_group", "admin_group"}) {
      const std::string& name = s.GetStringOrEmpty(key);
      if (name.empty()) continue;
      auto gid = LookupGroup(name);
      if (!gid.ok()) {
        errors->push_back(
            {s.values.at(key).where, s.id(), key, gid.status().message()});
      }
    }
    for (const char* key :
         {"control_max_connections", "control_max_connections_per_user"}) {
      if (s.GetInt(key) < 1) AddKeyError(s, key, "must be at least 1", errors);
    }
    RequirePositiveDurations(
        s, {"control_idle_timeout", "control_request_timeout"}, errors);
  };
  return spec;
}

}  // namespace

KindRegistry BuiltinRegistry() {
  KindRegistry registry;
  registry.Register(DaemonKind());
  RegisterFilesKind(&registry);
  // Keys and validation only for now: the daemon refuses to run a [logs.*]
  // section until the executor's registration adds the factory.
  RegisterLogsKind(&registry);
  RegisterRowsKind(&registry);
  RegisterOccupancyKind(&registry);
  RegisterAccountsKind(&registry);
  return registry;
}

}  // namespace retention
