#include "core/intent_log.h"

#include <charconv>
#include <map>
#include <string_view>

#include "core/state_db.h"
#include "sql/sqlite_connection.h"

namespace retention {
namespace {

constexpr char kIntentColumns[] =
    "id, policy, verb, target, dev, ino, bytes, count, recorded, reason, "
    "created_ns, items";

// A group intent's removals as text, one line each: "DEV INO BYTES COUNT
// VERB TARGET REASON", numbers in decimal, each string as LENGTH:BYTES, so
// a path keeps any byte it has (a newline too).
void AppendItem(const Intent& i, std::string* out) {
  for (uint64_t n : {i.dev, i.ino, i.bytes, i.count}) {
    *out += std::to_string(n);
    *out += ' ';
  }
  const std::string verb(VerbName(i.verb));
  for (const std::string* s : {&verb, &i.target, &i.reason}) {
    *out += std::to_string(s->size());
    *out += ':';
    *out += *s;
    *out += s == &i.reason ? '\n' : ' ';
  }
}

std::string EncodeItems(const std::vector<Intent>& items) {
  std::string out;
  for (const Intent& i : items) AppendItem(i, &out);
  return out;
}

// Recovery must not guess what a newer version's action was.
Status UnknownVerb(int64_t intent, const std::string& verb) {
  return Status::FailedPrecondition("intent " + std::to_string(intent) +
                                    " has an unknown action '" + verb +
                                    "' (written by a newer retentiond?)");
}

// Reads EncodeItems' fields in order; any deviation fails.
class ItemReader {
 public:
  explicit ItemReader(std::string_view text) : rest_(text) {}
  bool done() const { return rest_.empty(); }
  // A decimal number followed by `end`.
  bool Number(uint64_t* n, char end) {
    auto [p, err] = std::from_chars(rest_.data(), rest_.data() + rest_.size(), *n);
    const size_t used = static_cast<size_t>(p - rest_.data());
    if (err != std::errc() || used == 0 || used >= rest_.size() ||
        rest_[used] != end) {
      return false;
    }
    rest_.remove_prefix(used + 1);
    return true;
  }
  // LENGTH:BYTES followed by `end`.
  bool String(std::string* s, char end) {
    uint64_t size = 0;
    if (!Number(&size, ':') || size >= rest_.size() || rest_[size] != end) {
      return false;
    }
    s->assign(rest_.substr(0, size));
    rest_.remove_prefix(size + 1);
    return true;
  }

 private:
  std::string_view rest_;
};

// The removals of the group intent `group` from its items column.
Status DecodeItems(std::string_view text, Intent* group) {
  ItemReader in(text);
  while (!in.done()) {
    Intent i;
    i.id = group->id;
    i.policy = group->policy;
    i.created = group->created;
    std::string verb;
    if (!in.Number(&i.dev, ' ') || !in.Number(&i.ino, ' ') ||
        !in.Number(&i.bytes, ' ') || !in.Number(&i.count, ' ') ||
        !in.String(&verb, ' ') || !in.String(&i.target, ' ') ||
        !in.String(&i.reason, '\n')) {
      return Status::Corruption("intent " + std::to_string(group->id) +
                                ": its list of removals is damaged");
    }
    const std::optional<Verb> known = ParseVerb(verb);
    if (!known) return UnknownVerb(group->id, verb);
    i.verb = *known;
    group->items.push_back(std::move(i));
  }
  return Status::Ok();
}

// Closes, advances or settles the intents the updates name. Group
// intents' settled removals are counted first and added once each.
Status UpdateIntents(SqliteConnection& db, const std::vector<IntentUpdate>& updates) {
  auto close = db.Prepare("DELETE FROM intents WHERE id = ?");
  if (!close.ok()) return close.status();
  auto advance =
      db.Prepare("UPDATE intents SET recorded = recorded + ? WHERE id = ?");
  if (!advance.ok()) return advance.status();
  std::map<int64_t, int64_t> by;  // intent -> how much its `recorded` grows
  for (const IntentUpdate& u : updates) {
    if (u.intent == 0) continue;
    if (u.close) {
      close->Reset();
      RETENTION_RETURN_IF_ERROR(close->Bind(1, u.intent).Run());
    } else if (u.item || u.entry) {
      by[u.intent] += u.item ? 1 : u.entry->count;
    }
  }
  // After the closes: a group closed in this batch has no row to advance.
  for (const auto& [intent, n] : by) {
    advance->Reset();
    RETENTION_RETURN_IF_ERROR(advance->Bind(1, n).Bind(2, intent).Run());
  }
  return Status::Ok();
}

Status ApplyUpdates(SqliteConnection& db, std::vector<IntentUpdate>* updates) {
  std::vector<LedgerEntry*> entries;
  for (IntentUpdate& u : *updates) {
    if (u.entry) entries.push_back(&*u.entry);
  }
  RETENTION_RETURN_IF_ERROR(AppendInTransaction(db, entries));
  return UpdateIntents(db, *updates);
}

Status InsertIntents(SqliteConnection& db, std::vector<Intent>* opens) {
  if (opens->empty()) return Status::Ok();
  auto insert = db.Prepare(
      "INSERT INTO intents (policy, verb, target, dev, ino, bytes, count, "
      "reason, created_ns, items) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)");
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
    if (i.items.empty()) {
      insert->BindNull(10);
    } else {
      insert->Bind(10, EncodeItems(i.items));
    }
    RETENTION_RETURN_IF_ERROR(insert->Run());
    i.id = db.LastInsertRowId();
  }
  return Status::Ok();
}

// Fails for a verb this version does not know (a newer version's intent).
StatusOr<Intent> RowToIntent(const SqliteStatement& stmt) {
  Intent i;
  i.id = stmt.ColumnInt64(0);
  i.policy = stmt.ColumnText(1);
  const std::string verb = stmt.ColumnText(2);
  const std::optional<Verb> known = ParseVerb(verb);
  if (!known) return UnknownVerb(i.id, verb);
  i.verb = *known;
  i.target = stmt.ColumnText(3);
  i.dev = static_cast<uint64_t>(stmt.ColumnInt64(4));
  i.ino = static_cast<uint64_t>(stmt.ColumnInt64(5));
  i.bytes = static_cast<uint64_t>(stmt.ColumnInt64(6));
  i.count = static_cast<uint64_t>(stmt.ColumnInt64(7));
  i.recorded = static_cast<uint64_t>(stmt.ColumnInt64(8));
  i.reason = stmt.ColumnText(9);
  i.created = WallTime(Duration(stmt.ColumnInt64(10)));
  if (!stmt.ColumnIsNull(11)) {
    RETENTION_RETURN_IF_ERROR(DecodeItems(stmt.ColumnText(11), &i));
  }
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
