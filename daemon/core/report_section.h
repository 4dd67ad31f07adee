// ReportSection: what a policy kind contributes to the retention report —
// its promised limit in words, the age that limit allows, and kind-specific
// details. The age of the oldest surviving item is not the section's
// business: every run records what it left (RunRecord::kept, ::oldest) and
// the report builder reads that for any kind. The report builder asks the
// registry by kind;
// the writers render these fields generically, so a new kind adds its
// section by registering one ReportSection, never by editing a writer.
//
// Threading: providers are stateless and const; a registry is built once,
// then read-only and safe to share.
#pragma once

#include <map>
#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "base/clock.h"
#include "base/status.h"
#include "config/config.h"
#include "core/ledger.h"

namespace retention {

class StateDb;

// A line of a chart over time (occupancy: one user's bytes per scan).
struct ChartSeries {
  std::string name;
  std::vector<std::pair<WallTime, uint64_t>> points;  // oldest first
  // The value the line is held against (a user's quota); empty: none.
  std::optional<uint64_t> limit = std::nullopt;
};

struct SectionSummary {
  std::string limit;                  // "max_age 90d, floor min_age 7d"
  std::optional<Duration> limit_age;  // empty: the kind has no age limit
  std::vector<std::pair<std::string, std::string>> details;  // name, value
  // A byte budget for what is left, live files included (logs:
  // max_total_size); empty: none.
  std::optional<uint64_t> limit_bytes;
  std::string series_title = "";  // what `series` measure; empty when none
  std::vector<ChartSeries> series = {};
};

// One sample of a gauge a kind exports from what it keeps in the state
// database (occupancy: each user's bytes). `labels` are name="value" pairs,
// already in the exposition format's order; `help` is the family's.
struct KindGauge {
  std::string family;  // "retentiond_occupancy_user_bytes"
  std::string help;
  std::vector<std::pair<std::string, std::string>> labels;
  int64_t value = 0;
};

class ReportSection {
 public:
  virtual ~ReportSection() = default;
  virtual std::string kind() const = 0;  // "files"
  // Precondition: section.kind == kind(), validated at config load. Must not
  // touch the filesystem or any database: the report reads stored state only.
  virtual SectionSummary Summarize(const Section& section) const = 0;
  // Details read from one policy's removal entries in the report's period,
  // in ledger order (e.g. accounts' rows per table; the worst lateness is
  // read by the report builder for every kind). None by default.
  virtual std::vector<std::pair<std::string, std::string>> RemovalDetails(
      const std::vector<LedgerEntry>& removals) const {
    (void)removals;
    return {};
  }
  // Details read from one policy's other entries in the period (rotations,
  // compressions: whatever is not a removal), in ledger order (logs: a
  // writer without O_APPEND). None by default.
  virtual std::vector<std::pair<std::string, std::string>> EntryDetails(
      const std::vector<LedgerEntry>& entries) const {
    (void)entries;
    return {};
  }
  // For kinds that keep measurements in the state database (occupancy):
  // adds details and series read from it. Reads only; none by default.
  virtual Status AddStored(const Section& /*section*/, StateDb& /*db*/,
                           SectionSummary* /*summary*/) const {
    return Status::Ok();
  }
  // For `retentionctl metrics`: gauges read from what the kind keeps in the
  // state database, grouped by family, each family's samples together.
  // Reads only; none by default.
  virtual Status AddGauges(const Section& /*section*/, StateDb& /*db*/,
                           std::vector<KindGauge>* /*gauges*/) const {
    return Status::Ok();
  }
};

class ReportSectionRegistry {
 public:
  // Precondition: no provider for that kind yet.
  void Register(std::unique_ptr<ReportSection> section);
  // Null when the kind has none.
  const ReportSection* Find(const std::string& kind) const;

 private:
  std::map<std::string, std::unique_ptr<ReportSection>> sections_;
};

// The limit of a kind keyed by max_age with a min_age floor: "max_age 90d",
// or "max_age 1h, floor min_age 1d", and the age the oldest item is held
// to, max(max_age, min_age). Precondition: both keys are registered.
SectionSummary AgeLimitSummary(const Section& section);

// A registry with the section of every built-in policy kind. A new kind adds
// one Register call in report_sections.cc.
ReportSectionRegistry BuiltinReportSections();

}  // namespace retention
