// The [occupancy] kind: its keys, the checks that span them, and the factory
// (occupancy_policy.h). One singleton section: [occupancy].
#include <thread>

#include "command.h"
#include "kind_registry.h"
#include "occupancy_policy.h"
#include "occupancy_scanner.h"
#include "occupancy_sqlite.h"

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
    auto target = ParseSqliteTarget(s.GetString(key), column);
    if (!target.ok()) AddKeyError(s, key, target.status().message(), errors);
  }
}

// quota_from and publish_to, read-only, as the runs will use them.
void CheckDatabases(const Section& s, Errors* errors) {
  const OccupancyRule rule = OccupancyRuleFromSection(s, 1);
  if (rule.quota_from) {
    Status st = CheckQuotaSource(*rule.quota_from, rule.quota_id_column);
    if (!st.ok()) AddKeyError(s, "quota_from", st.message(), errors);
  }
  if (rule.publish_to) {
    Status st = CheckPublishTarget(*rule.publish_to);
    if (!st.ok()) AddKeyError(s, "publish_to", st.message(), errors);
  }
}

StatusOr<std::unique_ptr<Policy>> Build(const Section& s, Services& services) {
  if (services.state == nullptr || services.scanner == nullptr) {
    return Status::FailedPrecondition(
        "needs the state database and the occupancy scanner");
  }
  if (!services.run_command) services.run_command = RunCommand;
  const int cores = std::max(1u, std::thread::hardware_concurrency());
  return std::unique_ptr<Policy>(
      new OccupancyPolicy(s.id(), s.GetDuration("every"),
                          OccupancyRuleFromSection(s, cores), services));
}

}  // namespace

void RegisterOccupancyKind(KindRegistry* registry) {
  KindSpec spec;
  spec.kind = "occupancy";
  spec.unit = "user";
  spec.singleton = true;
  spec.keys = {
      {"root",
       ValueType::kPath,
       "",
       true,
       {},
       "directory holding the users",
       PathUse::kReadsIn},
      {"layout",
       ValueType::kString,
       "{id}",
       false,
       {},
       "where user directories are beneath root, e.g. {id} or */{id}"},
      {"every", ValueType::kDuration, "1h", false, {}, "how often to measure"},
      {"threads",
       ValueType::kInt,
       "0",
       false,
       {},
       "scanner threads; 0: one per core"},
      {"default_quota",
       ValueType::kSize,
       "0",
       false,
       {},
       "allocated bytes a user may hold; 0: no quota"},
      {"quota.USER",
       ValueType::kSize,
       "",
       false,
       {},
       "quota of one user, overriding the others",
       PathUse::kWritesBeside,
       true},
      {"quota_from",
       ValueType::kString,
       "",
       false,
       {},
       "sqlite:PATH TABLE.COLUMN holding quotas in bytes"},
      {"quota_id_column",
       ValueType::kString,
       "id",
       false,
       {},
       "column of quota_from's table holding the user id"},
      {"publish_to",
       ValueType::kString,
       "",
       false,
       {},
       "sqlite:PATH TABLE to upsert each user's usage into"},
      {"on_over_quota",
       ValueType::kString,
       "",
       false,
       {},
       "command (argv, no shell) run when a user goes over quota"},
      {"on_under_quota",
       ValueType::kString,
       "",
       false,
       {},
       "command run when a user comes back under quota"},
      {"hook_timeout",
       ValueType::kDuration,
       "30s",
       false,
       {},
       "a hook still running after this is killed"},
  };
  spec.validate = Validate;
  spec.factory = Build;
  spec.check = CheckDatabases;
  registry->Register(std::move(spec));
}

}  // namespace retention
