// The [daemon] section's keys and the registration of every built-in policy
// kind. A new kind adds one Register call here.
#include "config/kind_registry.h"
#include "kinds/accounts/accounts_policy.h"
#include "kinds/files/files_policy.h"
#include "kinds/logs/logs_policy.h"
#include "kinds/logs/logs_rule.h"
#include "kinds/occupancy/occupancy_policy.h"
#include "kinds/rows/rows_policy.h"
#include "os/groups.h"

namespace retention {
namespace {

KindSpec DaemonKind() {
  KindSpec spec;
  spec.kind = "daemon";
  spec.singleton = true;
  spec.unit = "file";  // daemon.keep_free removes rotated log files
  spec.keys = {
      {.name = "state_dir",
       .type = ValueType::kPath,
       .default_value = "/var/lib/retentiond",
       .help = "state database and ledger",
       .path_use = PathUse::kWritesIn},
      {.name = "log_level",
       .type = ValueType::kEnum,
       .default_value = "info",
       .choices = {"trace", "debug", "info", "warning", "error"},
       .help = "least severe level logged"},
      {.name = "clock_jump_limit",
       .type = ValueType::kDuration,
       .default_value = "1h",
       .help = "wall-clock jump that pauses deletion"},
      {.name = "host_id",
       .help = "this host's name in a fleet sharing PostgreSQL policies "
               "(leases, marks); default: the host name"},
      {.name = "metrics_file",
       .type = ValueType::kPath,
       .help = "Prometheus text file rewritten after each run"},
      {.name = "keep_free",
       .type = ValueType::kSpace,
       .help = "free space kept on filesystems holding log sets (size or %)"},
      {.name = "control_socket",
       .type = ValueType::kPath,
       .default_value = "/run/retentiond/control.sock",
       .help = "Varlink control socket; empty disables it",
       .empty_disables = true},
      {.name = "socket_group",
       .help = "group that may read status over the socket (socket mode 0660)"},
      {.name = "admin_group",
       .help = "group that may run, reload and confirm (besides root)"},
      {.name = "control_max_connections",
       .type = ValueType::kInt,
       .default_value = "64",
       .help = "concurrent control connections; more are refused"},
      {.name = "control_max_connections_per_user",
       .type = ValueType::kInt,
       .default_value = "16",
       .help =
           "control connections of one uid (root: no cap); more are refused"},
      {.name = "control_idle_timeout",
       .type = ValueType::kDuration,
       .default_value = "60s",
       .help = "a control connection idle this long is closed"},
      {.name = "control_request_timeout",
       .type = ValueType::kDuration,
       .default_value = "10s",
       .help = "a call not complete this long after its first byte is closed"},
      {.name = "checkpoint_every",
       .type = ValueType::kDuration,
       .default_value = "1h",
       .help = "sign the ledger's head and send it off the host this often"},
      {.name = "checkpoint_command",
       .help = "command run (without a shell) with each checkpoint's JSON "
               "on stdin"},
      {.name = "compress_threads",
       .type = ValueType::kInt,
       .help = "threads compressing rotated logs, shared by every [logs.*] "
               "policy (default: the number of cores)"},
      {.name = "daily_report",
       .type = ValueType::kBool,
       .default_value = "yes",
       .help = "write state_dir/reports/YYYY-MM-DD.{json,html} once a day"},
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
         {"control_max_connections", "control_max_connections_per_user",
          "compress_threads"}) {
      // compress_threads has no default (the cores): only when written.
      if ((s.Has(key) || std::string_view(key) != "compress_threads") &&
          s.GetInt(key) < 1) {
        AddKeyError(s, key, "must be at least 1", errors);
      }
    }
    RequirePositiveDurations(s,
                             {"control_idle_timeout", "control_request_timeout",
                              "checkpoint_every"},
                             errors);
    RequireAbsoluteCommands(s, {"checkpoint_command"}, errors);
  };
  return spec;
}

}  // namespace

KindRegistry BuiltinRegistry() {
  KindRegistry registry;
  registry.Register(DaemonKind());
  RegisterFilesKind(&registry);
  RegisterLogsKind(&registry);  // with [daemon] keep_free over its sets
  RegisterRowsKind(&registry);
  RegisterOccupancyKind(&registry);
  RegisterAccountsKind(&registry);
  return registry;
}

}  // namespace retention
