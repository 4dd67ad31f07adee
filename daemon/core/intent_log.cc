#include "core/intent_log.h"

#include "core/state_db.h"
#include "sql/sqlite_connection.h"

namespace retention {
namespace {

constexpr char kIntentColumns[] =
    "id, policy, verb, target, dev, ino, bytes, count, recorded, reason, "
    "created_ns";

Status ApplyUpdates(SqliteConnection& db, std::vector<IntentUpdate>* updates) {
  std::vector<LedgerEntry*> entries;
  for (IntentUpdate& u : *updates) {
    if (u.entry) entries.push_back(&*u.entry);
  }
  RETENTION_RETURN_IF_ERROR(AppendInTransaction(db, entries));
  auto close = db.Prepare("DELETE FROM intents WHERE id = ?");
  if (!close.ok()) return close.status();
  auto advance =
      db.Prepare("UPDATE intents SET recorded = recorded + ? WHERE id = ?");
  if (!advance.ok()) return advance.status();
  for (const IntentUpdate& u : *updates) {
    if (u.intent == 0) continue;
    if (u.close) {
      close->Reset();
      RETENTION_RETURN_IF_ERROR(close->Bind(1, u.intent).Run());
    } else if (u.entry) {
      advance->Reset();
      RETENTION_RETURN_IF_ERROR(
          advance->Bind(1, u.entry->count).Bind(2, u.intent).Run());
    }
  }
  return Status::Ok();
}

Status InsertIntents(SqliteConnection& db, std::vector<Intent>* opens) {
  if (opens->empty()) return Status::Ok();
  auto insert = db.Prepare(
      "INSERT INTO intents (policy, verb, target, dev, ino, bytes, count, "
      "reason, created_ns) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)");
  if (!insert.ok()) return insert.status();
  for (Intent& i : *opens) {
    insert->Reset();
    insert->Bind(1, i.policy)
        .Bind(2, VerbName(i.verb))
        .Bind(3, i.target)
        .Bind(4, static_cast<int64_t>(i.dev))
        .Bind(5, static_cast<int64_t>(i.ino))
        .Bind(6, static_cast<int64_t>(i.bytes))
        .Bind(7, static_cast<int64_t>(i.count))
        .Bind(8, i.reason)
        .Bind(9, static_cast<int64_t>(i.created.time_since_epoch().count()));
    RETENTION_RETURN_IF_ERROR(insert->Run());
    i.id = db.LastInsertRowId();
  }
  return Status::Ok();
}

// Fails for a verb this version does not know (a newer version's intent):
// recovery must not guess what it was.
StatusOr<Intent> RowToIntent(const SqliteStatement& stmt) {
  Intent i;
  i.id = stmt.ColumnInt64(0);
  i.policy = stmt.ColumnText(1);
  const std::string verb = stmt.ColumnText(2);
  const std::optional<Verb> known = ParseVerb(verb);
  if (!known) {
    return Status::FailedPrecondition("intent " + std::to_string(i.id) +
                                      " has an unknown action '" + verb +
                                      "' (written by a newer retentiond?)");
  }
  i.verb = *known;
  i.target = stmt.ColumnText(3);
  i.dev = static_cast<uint64_t>(stmt.ColumnInt64(4));
  i.ino = static_cast<uint64_t>(stmt.ColumnInt64(5));
  i.bytes = static_cast<uint64_t>(stmt.ColumnInt64(6));
  i.count = static_cast<uint64_t>(stmt.ColumnInt64(7));
  i.recorded = static_cast<uint64_t>(stmt.ColumnInt64(8));
  i.reason = stmt.ColumnText(9);
  i.created = WallTime(Duration(stmt.ColumnInt64(10)));
  return i;
}

}  // namespace

Status CommitIntents(StateDb& state, std::vector<IntentUpdate>* updates,
                     std::vector<Intent>* opens) {
  if (updates->empty() && opens->empty()) return Status::Ok();
  return state.WithConnection([&](SqliteConnection& db) {
    SqliteTransaction txn(db);
    RETENTION_RETURN_IF_ERROR(txn.Begin(SqliteTransaction::Kind::kImmediate));
    RETENTION_RETURN_IF_ERROR(ApplyUpdates(db, updates));
    RETENTION_RETURN_IF_ERROR(InsertIntents(db, opens));
    return txn.Commit();
  });
}

StatusOr<std::vector<Intent>> OpenIntents(StateDb& state,
                                          const std::string& policy) {
  std::vector<Intent> out;
  Status st = state.WithConnection([&](SqliteConnection& db) {
    auto stmt = db.Prepare(std::string("SELECT ") + kIntentColumns +
                           " FROM intents WHERE ?1 = '' OR policy = ?1 "
                           "ORDER BY id");
    if (!stmt.ok()) return stmt.status();
    stmt->Bind(1, policy);
    for (;;) {
      auto row = stmt->Step();
      if (!row.ok()) return row.status();
      if (!*row) return Status::Ok();
      StatusOr<Intent> intent = RowToIntent(*stmt);
      if (!intent.ok()) return intent.status();
      out.push_back(std::move(*intent));
    }
  });
  if (!st.ok()) return st;
  return out;
}

}  // namespace retention
