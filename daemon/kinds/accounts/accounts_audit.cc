#include "kinds/accounts/accounts_audit.h"

#include <set>

#include "kinds/accounts/accounts_database.h"
#include "kinds/accounts/accounts_rule.h"
#include "kinds/accounts/accounts_state_store.h"

namespace retention {
namespace {

constexpr Duration kAuditBusyTimeout = std::chrono::seconds(5);

bool DataDirExists(Filesystem& fs, const DataDirPattern& pattern,
                   const std::string& id) {
  auto parent = fs.OpenRoot(pattern.parent);
  return parent.ok() && fs.StatAt(**parent, pattern.NameOf(id)).ok();
}

// Accounts still marked deleted, with their deleted time.
StatusOr<std::set<std::pair<std::string, WallTime>>> MarkedDeleted(
    const AccountsRule& rule) {
  auto db = OpenAccountsDatabase(rule, true, kAuditBusyTimeout);
  if (!db.ok()) return db.status();
  auto snap = (*db)->Snapshot();
  if (!snap.ok()) return snap.status();
  std::set<std::pair<std::string, WallTime>> out;
  for (const DeletedAccount& a : snap->deleted) {
    if (a.deleted) out.emplace(a.id, *a.deleted);
  }
  return out;
}

}  // namespace

StatusOr<std::vector<std::string>> AuditAccounts(const Section& section,
                                                 Services& services,
                                                 WallTime now) {
  (void)now;  // a purge done is checked whatever its age
  if (services.state == nullptr) {
    return Status::FailedPrecondition("needs the state database");
  }
  const AccountsRule rule = AccountsRuleFromSection(section);
  auto purges = AccountsStore(*services.state).AccountPurges(section.id());
  if (!purges.ok()) return purges.status();
  std::set<std::pair<std::string, WallTime>> marked;
  if (rule.account_row == AccountRow::kDelete) {
    auto read = MarkedDeleted(rule);
    if (!read.ok()) return read.status();
    marked = std::move(*read);
  }
  std::vector<std::string> out;
  for (const AccountPurge& p : *purges) {
    if (p.stage != "done") continue;
    const std::string what = "account " + p.account + " purged " +
                             FormatIso8601(p.updated) + ": ";
    if (!rule.data_dir.empty() &&
        DataDirExists(services.fs, rule.data_dir, p.account)) {
      out.push_back(what + "data directory " + rule.data_dir.PathOf(p.account) +
                    " is back");
    }
    if (marked.count({p.account, p.deleted})) {
      out.push_back(what + "its row in " + rule.table + " is back");
    }
  }
  return out;
}

}  // namespace retention
