// The [occupancy] kind: its keys, the checks that span them, and the factory
// (occupancy_policy.h). One singleton section: [occupancy].
#include <thread>

#include "config/kind_registry.h"
#include "kinds/occupancy/occupancy_policy.h"
#include "kinds/occupancy/occupancy_scanner.h"
#include "kinds/occupancy/occupancy_database.h"
#include "os/command.h"

namespace retention {
namespace {

using Errors = std::vector<ConfigError>;

void Validate(const Section& s, Errors* errors) {
  RequirePositiveDurations(s, {"every", "hook_timeout"}, errors);
  if (s.GetInt("threads") < 0 || s.GetInt("threads") > 256) {
    AddKeyError(s, "threads", "must be 0 (one per core) to 256", errors);
  }
  const std::string& id = s.GetString("quota_id_column");
  if (id.empty() ||
      id.find_first_not_of("abcdefghijklmnopqrstuvwxyz"
                           "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_") !=
          std::string::npos) {
    AddKeyError(s, "quota_id_column", "must be an SQL identifier", errors);
  }
  const std::string layout = CheckLayout(s.GetString("layout"));
  if (!layout.empty()) AddKeyError(s, "layout", layout, errors);
  for (const auto& [key, column] :
       {std::pair<const char*, bool>{"quota_from", true},
        {"publish_to", false}}) {
    if (!s.Has(key)) continue;
    auto target = ParseOccupancyTarget(s.GetString(key), column, "");
    if (!target.ok()) AddKeyError(s, key, target.status().message(), errors);
  }
}

// quota_from and publish_to, read-only, as the runs will use them: each
// failing key and why.
std::vector<std::pair<const char*, Status>> CheckTargets(
    const OccupancyRule& rule) {
  std::vector<std::pair<const char*, Status>> failed;
  if (rule.quota_from) {
    Status st = CheckQuotaSource(*rule.quota_from, rule.quota_id_column);
    if (!st.ok()) failed.emplace_back("quota_from", st);
  }
  if (rule.publish_to) {
    Status st = CheckPublishTarget(*rule.publish_to);
    if (!st.ok()) failed.emplace_back("publish_to", st);
  }
  return failed;
}

void CheckDatabases(const Section& s, Errors* errors) {
  for (const auto& [key, st] : CheckTargets(OccupancyRuleFromSection(s, 1))) {
    AddKeyError(s, key, st.message(), errors);
  }
}

// The real scanner, made on first use and kept for the process's life: it
// holds no state between scans.
OccupancyScanner& PosixScanner() {
  static const std::unique_ptr<OccupancyScanner> scanner =
      NewPosixOccupancyScanner();
  return *scanner;
}

StatusOr<std::unique_ptr<Policy>> Build(const Section& s, Services& services,
                                        OccupancyScanner& scanner) {
  if (services.state == nullptr) {
    return Status::FailedPrecondition("needs the state database");
  }
  if (!services.run_command) services.run_command = RunCommand;
  const int cores = std::max(1u, std::thread::hardware_concurrency());
  OccupancyRule rule = OccupancyRuleFromSection(s, cores);
  // At start and reload, as --check-config: a database that cannot be
  // read or written is named now, not at the first run.
  const auto failed = CheckTargets(rule);
  if (!failed.empty()) {
    return Status::FailedPrecondition(std::string(failed[0].first) + ": " +
                                      failed[0].second.message());
  }
  return std::unique_ptr<Policy>(new OccupancyPolicy(
      s.id(), s.GetDuration("every"), std::move(rule),
      services, scanner));
}

}  // namespace

void RegisterOccupancyKind(KindRegistry* registry, OccupancyScanner* scanner) {
  KindSpec spec;
  spec.kind = "occupancy";
  spec.unit = "user";
  spec.singleton = true;
  spec.keys = {
      {.name = "root",
       .type = ValueType::kPath,
       .required = true,
       .help = "directory holding the users",
       .path_use = PathUse::kReadsIn},
      {.name = "layout",
       .default_value = "{id}",
       .help = "where user directories are beneath root, e.g. {id} or */{id}"},
      {.name = "every",
       .type = ValueType::kDuration,
       .default_value = "1h",
       .help = "how often to measure"},
      {.name = "threads",
       .type = ValueType::kInt,
       .default_value = "0",
       .help = "scanner threads; 0: one per core"},
      {.name = "default_quota",
       .type = ValueType::kSize,
       .default_value = "0",
       .help = "allocated bytes a user may hold; 0: no quota"},
      {.name = "quota.USER",
       .type = ValueType::kSize,
       .help = "quota of one user, overriding the others",
       .prefix = true},
      {.name = "quota_from",
       .help = "sqlite:PATH or postgresql://... URI, then TABLE.COLUMN "
               "holding quotas in bytes"},
      {.name = "quota_id_column",
       .default_value = "id",
       .help = "column of quota_from's table holding the user id"},
      {.name = "publish_to",
       .help = "sqlite:PATH or postgresql://... URI, then TABLE to upsert "
               "each user's usage into"},
      {.name = "on_over_quota",
       .help = "command (argv, no shell) run when a user goes over quota"},
      {.name = "on_under_quota",
       .help = "command run when a user comes back under quota"},
      {.name = "hook_timeout",
       .type = ValueType::kDuration,
       .default_value = "30s",
       .help = "a hook still running after this is killed"},
  };
  spec.validate = Validate;
  spec.check = CheckDatabases;
  spec.factory = [scanner](const Section& s, Services& services) {
    return Build(s, services, scanner != nullptr ? *scanner : PosixScanner());
  };
  registry->Register(std::move(spec));
}

}  // namespace retention
