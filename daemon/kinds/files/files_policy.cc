#include "kinds/files/files_policy.h"

#include <spdlog/spdlog.h>

#include <algorithm>
#include <optional>
#include <set>

#include "config/config_value.h"
#include "config/kind_registry.h"
#include "core/delete_brake.h"
#include "core/lateness.h"
#include "core/recorded_removal.h"
#include "os/dir_cursor.h"

namespace retention {
namespace {

// Removals per write-ahead group: one commit (this group's intents with the
// last group's outcomes) per this many files.
constexpr size_t kIntentGroup = 4096;

// Files one reading of the lock table serves, at least — a group's worth:
// a lock taken after a reading is missed for at most this many removals
// (some 100 ms of them in tests/bench/files_expiry.sh). A reading waits
// 1-15 ms for the kernel (an RCU grace period: the table is formatted with
// all file locking held off), so reading it per 1,024 files cost 7% of
// the bench's time, per 64 files 10%. A table naming more inodes serves
// as many files.
constexpr size_t kLockSurveyFiles = kIntentGroup;

}  // namespace

struct FilesPolicy::ExecState {
  ExecState(Filesystem& fs, Dir& root_dir, const TreeSnapshot& tree)
      : root(root_dir), cursor(fs, root_dir, tree) {}
  Dir& root;
  DirCursor cursor;
  std::set<uint32_t> unreachable;  // directories that failed to open
  // The inodes the last lock table named (nullopt: it could not be read,
  // probe every file), and how many more files it serves.
  std::optional<std::vector<uint64_t>> locked;
  size_t survey_left = 0;
  bool survey_failure_logged = false;
};

void RegisterFilesKind(KindRegistry* registry) {
  KindSpec spec;
  spec.kind = "files";
  spec.unit = "file";
  spec.keys = {
      {.name = "root",
       .type = ValueType::kPath,
       .required = true,
       .help = "directory whose entries expire",
       .path_use = PathUse::kWritesIn},
      {.name = "match",
       .type = ValueType::kList,
       .default_value = "*",
       .help = "globs on file names"},
      {.name = "exclude",
       .type = ValueType::kList,
       .help = "globs on file names that are never deleted"},
      {.name = "age_by",
       .type = ValueType::kEnum,
       .default_value = "mtime",
       .choices = {"mtime", "ctime", "atime"},
       .help = "which time a file's age is measured from"},
      {.name = "keep_newest",
       .type = ValueType::kInt,
       .default_value = "0",
       .help = "always keep this many newest matches, whatever their age"},
      {.name = "recursive",
       .type = ValueType::kBool,
       .default_value = "no",
       .help = "also expire files in subdirectories (never through a symlink "
               "or into another filesystem)"},
      {.name = "remove_empty_dirs",
       .type = ValueType::kBool,
       .default_value = "no",
       .help = "with recursive: remove subdirectories left empty, once their "
               "own age is past the deadline"},
      {.name = "max_age",
       .type = ValueType::kDuration,
       .required = true,
       .help = "delete when older"},
      {.name = "min_age",
       .type = ValueType::kDuration,
       .default_value = "0",
       .help = "floor: never delete younger"},
      {.name = "every",
       .type = ValueType::kDuration,
       .default_value = "1h",
       .help = "how often to run"},
  };
  AddDeleteBrakeKeys(&spec);
  AddLatenessKeys(&spec);
  spec.validate = [](const Section& s, std::vector<ConfigError>* errors) {
    CheckDeleteBrakeKeys(s, errors);
    CheckLatenessKeys(s, errors);
    if (s.GetInt("keep_newest") < 0) {
      AddKeyError(s, "keep_newest", "must be 0 or more", errors);
    }
    if (s.GetBool("remove_empty_dirs") && !s.GetBool("recursive")) {
      AddKeyError(s, "remove_empty_dirs", "needs recursive = yes", errors);
    }
    RequirePositiveDurations(s, {"every", "max_age"}, errors);
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
  rule_.recursive = section.GetBool("recursive");
  rule_.remove_empty_dirs = section.GetBool("remove_empty_dirs");
}

StatusOr<Plan> FilesPolicy::MakePlan(WallTime now) {
  auto root = fs_.OpenRoot(rule_.root);
  if (!root.ok()) return root.status();
  planned_root_ = (*root)->info();
  WalkOptions options;
  options.enter = [this](const TreeDir&, const std::string& name) {
    return rule_.recursive && !MatchesAnyGlob(rule_.exclude, name);
  };
  auto tree = WalkTree(fs_, **root, options);
  if (!tree.ok()) return tree.status();
  planned_ = std::move(*tree);
  Plan plan = PlanFiles(id_, rule_, planned_, now);
  const std::vector<std::string>& w = planned_.warnings;
  plan.warnings.insert(plan.warnings.end(), w.begin(), w.end());
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
  ExecState state(fs_, **root, planned_);
  std::vector<const Action*> actions;
  actions.reserve(plan.actions.size());
  for (const Action& a : plan.actions) actions.push_back(&a);
  RemoveInGroups(id_, actions, kIntentGroup, ctx, &result, [&](size_t i) {
    return RemoveOne(state, *actions[i], &result);
  });
  return result;
}

Removal FilesPolicy::RemoveOne(ExecState& state, const Action& action,
                               ExecResult* result) {
  const bool is_dir = (action.ref & kDirRef) != 0;
  const uint32_t index = static_cast<uint32_t>(action.ref & ~kDirRef);
  const uint32_t parent =
      is_dir ? planned_.dirs[index].parent : planned_.entries[index].dir;
  const std::string& name =
      is_dir ? planned_.dirs[index].name : planned_.entries[index].name;
  if (state.unreachable.count(parent) > 0) {
    ++result->failed;
    return Removal::kKept;
  }
  auto dir = state.cursor.MoveTo(parent);
  if (!dir.ok()) {
    // Swapped, vanished or unreadable since planning: nothing below it
    // is touched in this run; the next run plans afresh.
    state.unreachable.insert(parent);
    ++result->failed;
    result->errors.push_back(action.target + ": " + dir.status().ToString() +
                             "; skipping its directory");
    return Removal::kKept;
  }
  return is_dir ? RemoveDirectory(**dir, name, action, result)
                : RemoveFile(state, **dir, name, action, result);
}

Removal FilesPolicy::RemoveFile(ExecState& state, Dir& dir,
                                const std::string& name, const Action& action,
                                ExecResult* result) {
  if (action.expected.type == FileType::kRegular &&
      MayBeLocked(state, action.expected)) {
    auto locked = fs_.IsLocked(dir, name);
    if (locked.ok() && *locked) {
      result->errors.push_back(action.target +
                               ": locked by another process; kept");
      return Removal::kKept;
    }
  }
  return RemoveChecked(fs_, dir, name, action, result);
}

bool FilesPolicy::MayBeLocked(ExecState& state, const FileInfo& info) {
  if (state.survey_left == 0) {
    auto survey = fs_.LockedInodes(state.root);
    state.locked.reset();
    state.survey_left = kLockSurveyFiles;
    if (survey.ok()) {
      state.survey_left = std::max(kLockSurveyFiles, survey->size());
      state.locked = std::move(*survey);
    } else if (!state.survey_failure_logged) {
      state.survey_failure_logged = true;
      spdlog::debug("{}: no lock table ({}); probing every file", id_,
                    survey.status().ToString());
    }
  }
  --state.survey_left;
  return !state.locked || std::binary_search(state.locked->begin(),
                                             state.locked->end(), info.ino);
}

// A directory planned empty that is not any more (a file was held, kept as
// locked, or appeared since planning) is kept without an error.
Removal FilesPolicy::RemoveDirectory(Dir& parent, const std::string& name,
                                     const Action& action, ExecResult* result) {
  Status st = fs_.RemoveAt(parent, name, action.expected);
  if (st.IsBusy()) return Removal::kKept;
  if (!st.ok()) {
    ++result->failed;
    result->errors.push_back(action.target + ": " + st.ToString());
    return st.code() == Status::Code::kUnsafe ? Removal::kStop : Removal::kKept;
  }
  ++result->done;
  return Removal::kRemoved;
}

}  // namespace retention
