#include "kinds/occupancy/occupancy_rule.h"

#include "config/config.h"
#include "config/config_value.h"
#include "sql/sql_names.h"

namespace retention {
namespace {

// A relative path is taken relative to the directory of the file that set
// `value`, as path-typed keys are.
std::string Resolve(const ConfigValue& value, const std::string& path) {
  if (path.empty() || path[0] == '/') return path;
  const size_t slash = value.where.file.rfind('/');
  if (slash == std::string::npos) return path;
  return value.where.file.substr(0, slash + 1) + path;
}

std::optional<OccupancyTarget> TargetOrNone(const Section& s, const char* key,
                                            bool want_column) {
  if (!s.Has(key)) return std::nullopt;
  const ConfigValue& value = s.values.at(key);
  const size_t slash = value.where.file.rfind('/');
  const std::string dir =
      slash == std::string::npos ? "" : value.where.file.substr(0, slash + 1);
  auto target = ParseOccupancyTarget(value.raw, want_column, dir);
  if (!target.ok()) return std::nullopt;  // validated at load
  return *target;
}

// A hook's argv; a relative program path with a '/' is taken relative to
// the directory of the file that set it, as path-typed keys are.
std::vector<std::string> HookArgv(const Section& s, const char* key) {
  if (!s.Has(key)) return {};
  const ConfigValue& value = s.values.at(key);
  std::vector<std::string> argv = SplitWords(value.raw);
  if (!argv.empty() && argv[0].find('/') != std::string::npos) {
    argv[0] = Resolve(value, argv[0]);
  }
  return argv;
}

}  // namespace

StatusOr<OccupancyTarget> ParseOccupancyTarget(const std::string& text,
                                               bool want_column,
                                               const std::string& base_dir) {
  const std::string names = want_column ? "TABLE.COLUMN" : "TABLE";
  const std::string form = "sqlite:PATH " + names +
                           " or postgresql://USER@HOST/DB [SCHEMA.]" + names;
  std::vector<std::string> words = SplitWords(text);
  if (words.size() != 2) return Status::InvalidArgument("expected " + form);
  auto url = ParseDatabaseUrl(words[0], base_dir);
  if (!url.ok()) return url.status();
  OccupancyTarget t;
  t.path = url->path;
  t.pg_uri = url->uri;
  t.table = words[1];
  if (want_column) {
    const size_t dot = words[1].rfind('.');
    t.table = words[1].substr(0, dot);
    if (dot != std::string::npos) t.column = words[1].substr(dot + 1);
    if (dot == std::string::npos || !IsSqlIdentifier(t.column)) {
      return Status::InvalidArgument("expected " + form +
                                     " with SQL identifiers as names");
    }
  }
  const bool ok = t.postgres() ? IsQualifiedSqlName(t.table)
                               : IsSqlIdentifier(t.table);
  if (!ok) {
    return Status::InvalidArgument("expected " + form +
                                   " with SQL identifiers as names");
  }
  return t;
}

OccupancyRule OccupancyRuleFromSection(const Section& s, int cores) {
  OccupancyRule rule;
  rule.root = s.GetString("root");
  rule.layout = s.GetString("layout");
  rule.threads = s.GetInt("threads") > 0 ? int(s.GetInt("threads")) : cores;
  rule.default_quota = s.GetSize("default_quota");
  for (const auto& [key, value] : s.values) {
    if (key.rfind("quota.", 0) == 0) {
      StatusOr<uint64_t> size = ParseSize(value.raw);  // validated at load
      rule.quota[key.substr(6)] = size.ok() ? *size : 0;
    }
  }
  rule.quota_from = TargetOrNone(s, "quota_from", true);
  rule.quota_id_column = s.GetString("quota_id_column");
  rule.publish_to = TargetOrNone(s, "publish_to", false);
  rule.on_over_quota = HookArgv(s, "on_over_quota");
  rule.on_under_quota = HookArgv(s, "on_under_quota");
  rule.hook_timeout = s.GetDuration("hook_timeout");
  return rule;
}

uint64_t QuotaFor(const OccupancyRule& rule, const std::string& user,
                  const std::map<std::string, uint64_t>& from) {
  if (auto it = rule.quota.find(user); it != rule.quota.end()) {
    return it->second;
  }
  if (auto it = from.find(user); it != from.end()) return it->second;
  return rule.default_quota;
}

OccupancyScanRecord MakeOccupancyRecord(
    const OccupancyRule& rule, const OccupancyScan& scan,
    const std::map<std::string, uint64_t>& from) {
  OccupancyScanRecord record;
  record.entries = scan.entries;
  record.warnings = scan.warnings.size() + scan.warnings_dropped;
  for (const UserUsage& u : scan.users) {
    OccupancyRow row{u.user, u.allocated, u.apparent, u.files, u.dirs};
    row.quota = QuotaFor(rule, u.user, from);
    row.over = row.quota > 0 && row.allocated > row.quota;
    record.users.push_back(std::move(row));
  }
  return record;
}

Plan PlanOccupancy(const std::string& policy, WallTime now,
                   const OccupancyScanRecord& current,
                   const std::optional<OccupancyScanRecord>& previous,
                   const OccupancyScan& scan) {
  Plan plan;
  plan.policy = policy;
  plan.now = now;
  plan.scope = current.users.size();
  std::map<std::string, bool> was;
  if (previous) {
    for (const OccupancyRow& r : previous->users) was[r.user] = r.over;
  }
  for (const OccupancyRow& r : current.users) {
    auto it = was.find(r.user);
    const bool before = it != was.end() && it->second;
    if (r.over == before) continue;
    Action a;
    a.verb = r.over ? Verb::kOverQuota : Verb::kUnderQuota;
    a.target = r.user;
    a.bytes = r.allocated;
    a.count = r.quota;
    a.reason = "uses " + FormatSize(r.allocated) + " of a " +
               FormatSize(r.quota) + " quota";
    plan.actions.push_back(std::move(a));
  }
  for (const std::string& m : scan.mounts) {
    plan.warnings.push_back(m + ": mount point, not counted");
  }
  plan.warnings.insert(plan.warnings.end(), scan.warnings.begin(),
                       scan.warnings.end());
  return plan;
}

}  // namespace retention
