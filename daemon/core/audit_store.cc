// Format of state_meta "audit": the time in ns, then one line per policy:
// "checked ok overdue kind policy" (policy last: the rest has no spaces).
#include "core/audit_store.h"

#include <sstream>

#include "sql/sqlite_connection.h"

namespace retention {
namespace {

constexpr char kAuditKey[] = "audit";

std::string Encode(WallTime time, const std::vector<AuditFinding>& findings) {
  std::string out = std::to_string(time.time_since_epoch().count()) + "\n";
  for (const AuditFinding& f : findings) {
    out += std::string(f.checked() ? "1 " : "0 ") + (f.ok() ? "1 " : "0 ") +
           std::to_string(f.overdue + f.extra.size()) + " " + f.kind + " " +
           f.policy + "\n";
  }
  return out;
}

std::optional<AuditRecord> Decode(const std::string& text) {
  std::istringstream in(text);
  int64_t ns = 0;
  if (!(in >> ns)) return std::nullopt;
  AuditRecord record;
  record.time = WallTime(Duration(ns));
  int checked = 0, ok = 0;
  AuditVerdict v;
  while (in >> checked >> ok >> v.overdue >> v.kind >> v.policy) {
    v.checked = checked != 0;
    v.ok = ok != 0;
    record.policies.push_back(v);
  }
  if (!in.eof()) return std::nullopt;
  return record;
}

}  // namespace

Status SaveAudit(StateDb& db, WallTime time,
                 const std::vector<AuditFinding>& findings) {
  StateDb::Locked conn = db.Lock();
  StatusOr<SqliteStatement> stmt = conn->Prepare(
      "INSERT INTO state_meta (key, value) VALUES (?, ?) ON CONFLICT (key) "
      "DO UPDATE SET value = excluded.value");
  if (!stmt.ok()) return stmt.status();
  stmt->Bind(1, kAuditKey).Bind(2, Encode(time, findings));
  return stmt->Run();
}

StatusOr<std::optional<AuditRecord>> LoadAudit(StateDb& db) {
  StateDb::Locked conn = db.Lock();
  StatusOr<SqliteStatement> stmt =
      conn->Prepare("SELECT value FROM state_meta WHERE key = ?");
  if (!stmt.ok()) return stmt.status();
  stmt->Bind(1, kAuditKey);
  StatusOr<bool> row = stmt->Step();
  if (!row.ok()) return row.status();
  if (!*row) return std::optional<AuditRecord>();
  return Decode(stmt->ColumnText(0));
}

}  // namespace retention
