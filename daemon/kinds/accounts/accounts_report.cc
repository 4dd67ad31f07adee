#include "kinds/accounts/accounts_report.h"

#include <algorithm>

#include "config/config_value.h"
#include "config/database_url.h"
#include "core/state_db.h"
#include "kinds/accounts/accounts_planner.h"
#include "kinds/accounts/accounts_state_store.h"
#include "sql/sql_names.h"
#include "sql/sql_time.h"

namespace retention {
namespace {

// How many of the next due purges the report names.
constexpr size_t kNextShown = 5;

std::string PendingLine(const std::vector<PendingPurge>& pending) {
  if (pending.empty()) return "none";
  std::string out = std::to_string(pending.size()) + "; next:";
  for (size_t i = 0; i < pending.size() && i < kNextShown; ++i) {
    const PendingPurge& p = pending[i];
    out += (i > 0 ? "," : "") + std::string(" account ") + p.account + " due " +
           FormatIso8601(p.due);
  }
  return out;
}

class AccountsReportSection final : public ReportSection {
 public:
  std::string kind() const override { return "accounts"; }

  SectionSummary Summarize(const Section& section) const override {
    SectionSummary s;
    const Duration grace = section.GetDuration("grace");
    const Duration min_age = section.GetDuration("min_age");
    s.limit = "grace " + FormatDuration(grace);
    if (min_age > Duration::zero()) {
      s.limit += ", floor min_age " + FormatDuration(min_age);
    }
    s.limit_age = std::max(grace, min_age);
    auto url = DatabaseUrlOf(section);  // validated at load
    s.details = {
        {"database", !url.ok() ? "?"
                     : url->backend == DatabaseUrl::Backend::kPostgres
                         ? RedactPassword(url->uri)
                         : "sqlite:" + url->path},
        {"accounts", section.GetString("table") + "." +
                         section.GetString("id_column") + ", deleted by " +
                         section.GetString("deleted_column") + " (" +
                         section.GetString("time_format") + ")"},
        {"data_dir", section.GetStringOrEmpty("data_dir").empty()
                         ? "none"
                         : section.GetString("data_dir")},
        {"cascade", section.GetStringOrEmpty("cascade").empty()
                        ? "none"
                        : section.GetString("cascade")},
        {"account row", section.GetString("account_row")},
        {"every", FormatDuration(section.GetDuration("every"))}};
    return s;
  }

  std::vector<std::pair<std::string, std::string>> RemovalDetails(
      const std::vector<LedgerEntry>& removals) const override {
    int64_t purged = 0;
    for (const LedgerEntry& e : removals)
      purged += e.action == VerbName(Verb::kPurge);
    return {{"accounts purged", std::to_string(purged)}};
  }

  Status AddStored(const Section& section, StateDb& db,
                   SectionSummary* summary) const override {
    auto pending = AccountsStore(db).PendingPurges(section.id());
    if (!pending.ok()) return pending.status();
    std::vector<PendingPurge> waiting, held;
    for (const PendingPurge& p : *pending) {
      (p.held ? held : waiting).push_back(p);
    }
    summary->details.push_back({"pending purges", PendingLine(waiting)});
    auto progress = AccountsStore(db).AccountPurges(section.id());
    if (!progress.ok()) return progress.status();
    std::string stranded;
    int64_t n = 0;
    for (const AccountPurge& p : *progress) {
      if (p.stage != kStranded) continue;
      ++n;
      stranded += (stranded.empty() ? "" : ", ") + p.account;
    }
    if (n > 0) {
      summary->details.push_back(
          {"stranded in quarantine",
           std::to_string(n) + ": account " + stranded +
               " (no longer marked deleted; cannot be moved back; see "
               "status)"});
    }
    if (!held.empty()) {
      std::string ids;
      for (const PendingPurge& p : held) {
        ids += (ids.empty() ? "" : ", ") + p.account;
      }
      summary->details.push_back(
          {"due but held", std::to_string(held.size()) + ": account " + ids});
    }
    return Status::Ok();
  }
};

}  // namespace

std::unique_ptr<ReportSection> MakeAccountsReportSection() {
  return std::make_unique<AccountsReportSection>();
}

}  // namespace retention
