// OccupancyRule: an [occupancy] section's settings, and the pure decisions
// made from a scan: each user's quota, and which users crossed their quota
// since the previous stored scan (the transitions that fire hooks and go to
// the ledger). No I/O here.
//
// Threading: plain values and pure functions.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "base/clock.h"
#include "core/policy.h"
#include "kinds/occupancy/occupancy_history.h"
#include "kinds/occupancy/occupancy_scanner.h"

namespace retention {

struct Section;

// A table (and column) in the application's database: "sqlite:PATH
// TABLE[.COLUMN]" or "postgresql://... [SCHEMA.]TABLE[.COLUMN]".
struct OccupancyTarget {
  std::string path;    // SQLite: the file
  std::string pg_uri;  // PostgreSQL: the libpq URI (password too)
  std::string table;   // PostgreSQL: may be "schema.table"
  std::string column;  // empty when not given

  bool postgres() const { return !pg_uri.empty(); }
};

// Parses a target; `want_column` says whether TABLE.COLUMN is required
// (quota_from) or forbidden (publish_to). Names must be SQL identifiers
// (letters, digits, '_', not starting with a digit); on PostgreSQL the
// table may be qualified by its schema. A relative SQLite path is taken
// relative to `base_dir`.
StatusOr<OccupancyTarget> ParseOccupancyTarget(const std::string& text,
                                               bool want_column,
                                               const std::string& base_dir);

struct OccupancyRule {
  std::string root;
  std::string layout = "{id}";
  int threads = 1;
  uint64_t default_quota = 0;             // 0: no quota
  std::map<std::string, uint64_t> quota;  // quota.USER overrides
  std::optional<OccupancyTarget> quota_from;
  std::string quota_id_column = "id";
  std::optional<OccupancyTarget> publish_to;
  std::vector<std::string> on_over_quota;  // argv; empty: none
  std::vector<std::string> on_under_quota;
  Duration hook_timeout = std::chrono::seconds(30);
};

// Reads a validated [occupancy] section; threads = 0 becomes `cores`.
OccupancyRule OccupancyRuleFromSection(const Section& section, int cores);

// A user's quota: quota.USER, else the quota_from value (`from`), else
// default_quota; 0 means none.
uint64_t QuotaFor(const OccupancyRule& rule, const std::string& user,
                  const std::map<std::string, uint64_t>& from);

// The scan as stored: each user's usage with its quota and over flag.
OccupancyScanRecord MakeOccupancyRecord(
    const OccupancyRule& rule, const OccupancyScan& scan,
    const std::map<std::string, uint64_t>& from);

// Actions "over_quota" / "under_quota" (target: the user id, bytes: the
// allocated bytes, count: the quota) for each user whose over flag differs
// from `previous` (the newest stored scan). A user seen for the first time
// is a transition only when over quota. Also fills scope and warnings.
Plan PlanOccupancy(const std::string& policy, WallTime now,
                   const OccupancyScanRecord& current,
                   const std::optional<OccupancyScanRecord>& previous,
                   const OccupancyScan& scan);

}  // namespace retention
