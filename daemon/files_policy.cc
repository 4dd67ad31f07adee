#include "files_policy.h"

#include "config_value.h"
#include "delete_brake.h"
#include "kind_registry.h"
#include "recorded_removal.h"

namespace retention {

void RegisterFilesKind(KindRegistry* registry) {
  KindSpec spec;
  spec.kind = "files";
  spec.keys = {
      {"root",
       ValueType::kPath,
       "",
       true,
       {},
       "directory whose entries expire",
       PathUse::kWritesIn},
      {"match", ValueType::kList, "*", false, {}, "globs on file names"},
      {"exclude",
       ValueType::kList,
       "",
       false,
       {},
       "globs on file names that are never deleted"},
      {"age_by",
       ValueType::kEnum,
       "mtime",
       false,
       {"mtime", "ctime", "atime"},
       "which time a file's age is measured from"},
      {"keep_newest",
       ValueType::kInt,
       "0",
       false,
       {},
       "always keep this many newest matches, whatever their age"},
      {"max_age", ValueType::kDuration, "", true, {}, "delete when older"},
      {"min_age",
       ValueType::kDuration,
       "0",
       false,
       {},
       "floor: never delete younger"},
      {"every", ValueType::kDuration, "1h", false, {}, "how often to run"},
  };
  AddDeleteBrakeKeys(&spec);
  spec.validate = [](const Section& s, std::vector<ConfigError>* errors) {
    if (s.GetInt("keep_newest") < 0) {
      errors->push_back({s.values.at("keep_newest").where, s.id(),
                         "keep_newest", "must be 0 or more"});
    }
    for (const char* key : {"every", "max_age"}) {
      if (s.GetDuration(key) > Duration::zero()) continue;
      const ConfigValue& v = s.values.at(key);
      errors->push_back({v.where, s.id(), key, "must be greater than 0"});
    }
  };
  spec.factory = [](const Section& s,
                    Services& services) -> StatusOr<std::unique_ptr<Policy>> {
    return std::unique_ptr<Policy>(new FilesPolicy(s, services));
  };
  registry->Register(std::move(spec));
}

FilesPolicy::FilesPolicy(const Section& section, Services& services)
    : id_(section.id()),
      every_(section.GetDuration("every")),
      brake_limit_(DeleteBrakeLimitOf(section)),
      fs_(services.fs) {
  rule_.root = section.GetString("root");
  rule_.match = section.GetList("match");
  rule_.exclude = SplitWords(section.GetStringOrEmpty("exclude"));
  rule_.age_by = ParseAgeBy(section.GetString("age_by"));
  rule_.keep_newest = static_cast<uint64_t>(section.GetInt("keep_newest"));
  rule_.max_age = section.GetDuration("max_age");
  rule_.min_age = section.GetDuration("min_age");
}

StatusOr<Plan> FilesPolicy::MakePlan(WallTime now) {
  auto root = fs_.OpenRoot(rule_.root);
  if (!root.ok()) return root.status();
  planned_root_ = (*root)->info();
  auto names = fs_.List(**root);
  if (!names.ok()) return names.status();
  std::vector<FilesEntry> entries;
  std::vector<std::string> warnings;
  for (const std::string& name : *names) {
    auto info = fs_.StatAt(**root, name);
    if (info.ok()) {
      entries.push_back({name, *info});
    } else if (!info.status().IsNotFound()) {  // vanished: nothing to plan
      warnings.push_back(rule_.root + "/" + name + ": " +
                         info.status().ToString());
    }
  }
  Plan plan = PlanFiles(id_, rule_, entries, now);
  plan.warnings.insert(plan.warnings.end(), warnings.begin(), warnings.end());
  return plan;
}

ExecResult FilesPolicy::Execute(const Plan& plan, ExecContext& ctx) {
  ExecResult result;
  auto root = fs_.OpenRoot(rule_.root);
  if (!root.ok()) {
    result.errors.push_back(root.status().ToString());
    return result;
  }
  if (!(*root)->info().SameIdentity(planned_root_)) {
    result.errors.push_back(rule_.root +
                            " was replaced since planning; deleting nothing");
    return result;
  }
  for (const Action& action : plan.actions) {
    if (ctx.stopping()) break;
    if (!ExecuteOne(**root, action, ctx, &result)) break;
  }
  return result;
}

bool FilesPolicy::ExecuteOne(Dir& root, const Action& action, ExecContext& ctx,
                             ExecResult* result) {
  const std::string name = action.target.substr(rule_.root.size() + 1);
  if (action.expected.type == FileType::kRegular) {
    auto locked = fs_.IsLocked(root, name);
    if (locked.ok() && *locked) {
      result->errors.push_back(action.target +
                               ": locked by another process; kept");
      return true;
    }
  }
  return RemoveRecorded(fs_, root, name, id_, action, ctx, result);
}

}  // namespace retention
