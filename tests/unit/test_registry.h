// A small KindRegistry for config tests: [daemon], two named policy kinds
// ([logs.NAME], [rows.NAME]) and one singleton ([occupancy]), with a key of
// every value type. Its validators count their calls so tests can check
// when they run. Not thread-safe; one per test.
#pragma once

#include <memory>

#include "config/kind_registry.h"

namespace retention {

struct TestRegistry {
  KindRegistry registry;
  // How many times the [logs.*] validator ran.
  std::shared_ptr<int> logs_validations = std::make_shared<int>(0);
};

inline KindSpec TestDaemonKind() {
  KindSpec spec;
  spec.kind = "daemon";
  spec.singleton = true;
  spec.keys = {
      {"state_dir", ValueType::kPath, "/var/lib/retentiond", false, {}, ""},
      {"clock_jump_limit", ValueType::kDuration, "1h", false, {}, ""},
      {"log_level",
       ValueType::kEnum,
       "info",
       false,
       {"debug", "info", "warning", "error"},
       ""},
  };
  return spec;
}

// Rule spanning keys: a file cap above the set's budget is a mistake.
inline KindSpec TestLogsKind(std::shared_ptr<int> calls) {
  KindSpec spec;
  spec.kind = "logs";
  spec.keys = {
      {"paths", ValueType::kPathList, "", true, {}, ""},
      {"max_file_size", ValueType::kSize, "", false, {}, ""},
      {"max_total_size", ValueType::kSize, "", false, {}, ""},
      {"max_age", ValueType::kDuration, "21d", false, {}, ""},
      {"compress",
       ValueType::kEnum,
       "zstd",
       false,
       {"none", "gzip", "zstd"},
       ""},
      {"keep_newest", ValueType::kInt, "", false, {}, ""},
      {"max_delete_fraction", ValueType::kFraction, "0.5", false, {}, ""},
      {"dry_run", ValueType::kBool, "no", false, {}, ""},
      {"pid_file", ValueType::kPath, "", false, {}, ""},
      {"note", ValueType::kString, "", false, {}, ""},
      {"tags", ValueType::kList, "", false, {}, ""},
  };
  spec.validate = [calls](const Section& s, std::vector<ConfigError>* errs) {
    ++*calls;
    if (s.Has("max_file_size") && s.Has("max_total_size") &&
        s.GetSize("max_file_size") > s.GetSize("max_total_size")) {
      errs->push_back({s.values.at("max_file_size").where, "", "max_file_size",
                       "larger than max_total_size"});
    }
  };
  return spec;
}

inline KindSpec TestRowsKind() {
  KindSpec spec;
  spec.kind = "rows";
  spec.keys = {
      {"database", ValueType::kString, "", true, {}, ""},
      {"table", ValueType::kString, "", true, {}, ""},
      {"where", ValueType::kString, "", false, {}, ""},
      {"max_age", ValueType::kDuration, "", true, {}, ""},
  };
  return spec;
}

inline KindSpec TestOccupancyKind() {
  KindSpec spec;
  spec.kind = "occupancy";
  spec.singleton = true;
  spec.keys = {
      {"root", ValueType::kPath, "", true, {}, ""},
      {"every", ValueType::kDuration, "1h", false, {}, ""},
  };
  return spec;
}

inline std::unique_ptr<TestRegistry> MakeTestRegistry() {
  auto test = std::make_unique<TestRegistry>();
  test->registry.Register(TestDaemonKind());
  test->registry.Register(TestLogsKind(test->logs_validations));
  test->registry.Register(TestRowsKind());
  test->registry.Register(TestOccupancyKind());
  return test;
}

}  // namespace retention
