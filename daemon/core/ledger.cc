#include "core/ledger.h"

#include <openssl/evp.h>

#include <cstdint>
#include <limits>
#include <string_view>
#include <utility>

#include "core/state_db.h"
#include "sql/sqlite_connection.h"

namespace retention {
namespace {

// prev_hash of the first entry.
std::string ZeroHash() { return std::string(64, '0'); }

// Names the encoding, so a future change of fields or order cannot produce
// a hash that verifies under the old rules.
constexpr std::string_view kHashDomain = "retentiond.ledger.v1";

constexpr char kEntryColumns[] =
    "seq, time_ns, policy, action, target, count, bytes, detail, prev_hash, "
    "hash";

struct Head {
  int64_t seq = 0;
  std::string hash;
};

void AppendInt(std::string* out, int64_t value) {
  auto bits = static_cast<uint64_t>(value);
  for (int shift = 56; shift >= 0; shift -= 8) {
    out->push_back(static_cast<char>((bits >> shift) & 0xff));
  }
}

// Length first, so no bytes can move from one field into its neighbour.
void AppendField(std::string* out, std::string_view value) {
  AppendInt(out, static_cast<int64_t>(value.size()));
  out->append(value);
}

std::string HexSha256(std::string_view data) {
  // Fetched once: EVP_sha256() makes OpenSSL 3 look the algorithm up in its
  // provider tables (under a lock) at every digest, a seventh of the CPU
  // time of appending 10,000 entries. Never freed, like OpenSSL's own.
  static EVP_MD* const sha256 = EVP_MD_fetch(nullptr, "SHA256", nullptr);
  unsigned char digest[EVP_MAX_MD_SIZE];
  unsigned int size = 0;
  if (sha256 == nullptr ||
      EVP_Digest(data.data(), data.size(), digest, &size, sha256,
                 nullptr) != 1) {
    return std::string();  // callers treat an empty hash as failure
  }
  static constexpr char kHex[] = "0123456789abcdef";
  std::string hex;
  hex.reserve(2 * size);
  for (unsigned int i = 0; i < size; ++i) {
    hex.push_back(kHex[digest[i] >> 4]);
    hex.push_back(kHex[digest[i] & 0x0f]);
  }
  return hex;
}

LedgerEntry RowToEntry(const SqliteStatement& stmt) {
  LedgerEntry e;
  e.seq = stmt.ColumnInt64(0);
  e.time = WallTime(Duration(stmt.ColumnInt64(1)));
  e.policy = stmt.ColumnText(2);
  e.action = stmt.ColumnText(3);
  e.target = stmt.ColumnText(4);
  e.count = stmt.ColumnInt64(5);
  e.bytes = stmt.ColumnInt64(6);
  e.detail = stmt.ColumnText(7);
  e.prev_hash = stmt.ColumnText(8);
  e.hash = stmt.ColumnText(9);
  return e;
}

// The ledger_head row; seq -1 when the row is missing.
StatusOr<Head> ReadHead(SqliteConnection& db) {
  StatusOr<SqliteStatement> stmt =
      db.Prepare("SELECT seq, hash FROM ledger_head WHERE id = 1");
  if (!stmt.ok()) return stmt.status();
  StatusOr<bool> row = stmt->Step();
  if (!row.ok()) return row.status();
  if (!*row) return Head{-1, std::string()};
  return Head{stmt->ColumnInt64(0), stmt->ColumnText(1)};
}

Status InsertEntry(SqliteStatement& stmt, const LedgerEntry& e) {
  stmt.Reset();
  stmt.Bind(1, e.seq)
      .Bind(2, static_cast<int64_t>(e.time.time_since_epoch().count()))
      .Bind(3, e.policy)
      .Bind(4, e.action)
      .Bind(5, e.target)
      .Bind(6, e.count)
      .Bind(7, e.bytes)
      .Bind(8, e.detail)
      .Bind(9, e.prev_hash)
      .Bind(10, e.hash);
  return stmt.Run();
}

Status WriteHead(SqliteConnection& db, const LedgerEntry& e) {
  StatusOr<SqliteStatement> stmt =
      db.Prepare("UPDATE ledger_head SET seq = ?, hash = ? WHERE id = 1");
  if (!stmt.ok()) return stmt.status();
  return stmt->Bind(1, e.seq).Bind(2, e.hash).Run();
}

Status AppendLocked(SqliteConnection& db, LedgerEntry* entry) {
  SqliteTransaction txn(db);
  // IMMEDIATE: the head read and the insert must see no writer in between,
  // including another process such as retentionctl.
  RETENTION_RETURN_IF_ERROR(txn.Begin(SqliteTransaction::Kind::kImmediate));
  std::vector<LedgerEntry*> one{entry};
  RETENTION_RETURN_IF_ERROR(AppendInTransaction(db, one));
  return txn.Commit();
}

std::string SeqText(int64_t seq) { return "seq " + std::to_string(seq); }

// What is wrong with `e` given the entry before it; "" when nothing.
std::string CheckLink(const LedgerEntry& e, int64_t prev_seq,
                      const std::string& prev_hash) {
  if (e.seq != prev_seq + 1) {
    std::string where =
        prev_seq == 0 ? "is the first entry" : "follows " + SeqText(prev_seq);
    return SeqText(e.seq) + " " + where + ", expected " +
           SeqText(prev_seq + 1) + ": entries are missing or were renumbered";
  }
  if (e.prev_hash != prev_hash) {
    std::string prev = prev_seq == 0 ? "the chain's zero start"
                                     : "the hash of " + SeqText(prev_seq);
    return SeqText(e.seq) + ": prev_hash does not match " + prev +
           ": an entry before it was removed, reordered or rewritten";
  }
  if (HashLedgerEntry(e) != e.hash) {
    return SeqText(e.seq) +
           ": stored hash does not match its contents: the entry was edited";
  }
  return std::string();
}

void MarkBad(LedgerCheck* check, int64_t seq, std::string problem) {
  check->ok = false;
  check->first_bad_seq = seq;
  check->problem = std::move(problem);
}

// Walks every entry in seq order, stopping at the first broken link. On
// return check->entries counts the entries found intact.
Status WalkChain(SqliteConnection& db, LedgerCheck* check) {
  StatusOr<SqliteStatement> stmt = db.Prepare(
      std::string("SELECT ") + kEntryColumns + " FROM ledger ORDER BY seq");
  if (!stmt.ok()) return stmt.status();
  check->head_hash = ZeroHash();
  for (;;) {
    StatusOr<bool> row = stmt->Step();
    if (!row.ok()) return row.status();
    if (!*row) return Status::Ok();
    LedgerEntry e = RowToEntry(*stmt);
    std::string problem = CheckLink(e, check->entries, check->head_hash);
    if (!problem.empty()) {
      MarkBad(check, e.seq, std::move(problem));
      return Status::Ok();
    }
    ++check->entries;
    check->head_hash = e.hash;
  }
}

// After an intact walk (so the last seq equals check->entries), compares the
// last entry with ledger_head: catches entries dropped from the end, and a
// head rewritten or rolled back without its entries.
Status CheckHead(SqliteConnection& db, LedgerCheck* check) {
  StatusOr<Head> head = ReadHead(db);
  if (!head.ok()) return head.status();
  int64_t last = check->entries;
  if (head->seq < 0) {
    MarkBad(check, last + 1,
            "ledger_head is missing: the end of the ledger "
            "cannot be proven");
  } else if (head->seq > last) {
    std::string ends = last == 0 ? "the ledger is empty"
                                 : "the ledger ends at " + SeqText(last);
    MarkBad(check, last + 1,
            ends + " but its head records " + SeqText(head->seq) +
                ": entries were removed from the end");
  } else if (head->seq < last) {
    MarkBad(check, head->seq + 1,
            "the head records " + SeqText(head->seq) + " but entries run to " +
                SeqText(last) + ": the head was rolled back or rewritten");
  } else if (head->hash != check->head_hash) {
    MarkBad(check, last > 0 ? last : 1,
            "the head's hash for " + SeqText(last) +
                " does not match the last entry: the head or the last entry "
                "was rewritten");
  }
  return Status::Ok();
}

}  // namespace

Status AppendInTransaction(SqliteConnection& db,
                           const std::vector<LedgerEntry*>& entries) {
  if (entries.empty()) return Status::Ok();
  StatusOr<Head> head = ReadHead(db);
  if (!head.ok()) return head.status();
  if (head->seq < 0) {
    return Status::Corruption("ledger_head is missing in " + db.path() +
                              "; refusing to append to an unanchored ledger");
  }
  StatusOr<SqliteStatement> insert =
      db.Prepare(std::string("INSERT INTO ledger (") + kEntryColumns +
                 ") VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)");
  if (!insert.ok()) return insert.status();
  LedgerEntry* last = nullptr;
  for (LedgerEntry* entry : entries) {
    entry->seq = last ? last->seq + 1 : head->seq + 1;
    entry->prev_hash = last ? last->hash : head->hash;
    entry->hash = HashLedgerEntry(*entry);
    if (entry->hash.empty()) return Status::IoError("SHA-256 failed (OpenSSL)");
    RETENTION_RETURN_IF_ERROR(InsertEntry(*insert, *entry));
    last = entry;
  }
  return WriteHead(db, *last);
}

LedgerEntry EventEntry(WallTime time, std::string policy, std::string action,
                       std::string target, std::string detail) {
  LedgerEntry e;
  e.time = time;
  e.policy = std::move(policy);
  e.action = std::move(action);
  e.target = std::move(target);
  e.detail = std::move(detail);
  return e;
}

std::string HashLedgerEntry(const LedgerEntry& entry) {
  std::string encoded;
  encoded.reserve(128 + entry.prev_hash.size() + entry.policy.size() +
                  entry.action.size() + entry.target.size() +
                  entry.detail.size());
  AppendField(&encoded, kHashDomain);
  AppendField(&encoded, entry.prev_hash);
  AppendInt(&encoded, entry.seq);
  AppendInt(&encoded, entry.time.time_since_epoch().count());
  AppendField(&encoded, entry.policy);
  AppendField(&encoded, entry.action);
  AppendField(&encoded, entry.target);
  AppendInt(&encoded, entry.count);
  AppendInt(&encoded, entry.bytes);
  AppendField(&encoded, entry.detail);
  return HexSha256(encoded);
}

StatusOr<LedgerEntry> Ledger::Append(LedgerEntry entry) {
  Status st = db_.WithConnection(
      [&entry](SqliteConnection& db) { return AppendLocked(db, &entry); });
  if (!st.ok()) return st;
  return entry;
}

Status Ledger::CheckAppendable() {
  return db_.WithConnection([](SqliteConnection& db) -> Status {
    StatusOr<Head> head = ReadHead(db);
    if (!head.ok()) return head.status();
    if (head->seq < 0) {
      return Status::Corruption("ledger_head is missing in " + db.path() +
                                ": the ledger cannot be appended to");
    }
    auto last = db.Prepare(
        "SELECT seq, hash FROM ledger ORDER BY seq DESC "
        "LIMIT 1");
    if (!last.ok()) return last.status();
    StatusOr<bool> row = last->Step();
    if (!row.ok()) return row.status();
    const int64_t seq = *row ? last->ColumnInt64(0) : 0;
    const std::string hash = *row ? last->ColumnText(1) : ZeroHash();
    if (seq != head->seq || hash != head->hash) {
      return Status::Corruption(
          "the ledger in " + db.path() + " ends at " + SeqText(seq) +
          " but its head records " + SeqText(head->seq) +
          ": run `retentionctl verify`; deleting nothing until it is fixed");
    }
    return Status::Ok();
  });
}

StatusOr<LedgerCheck> Ledger::Verify() {
  LedgerCheck check;
  Status st = db_.WithConnection([&check](SqliteConnection& db) {
    SqliteTransaction txn(db);
    // One read snapshot, so the head matches the entries walked even while
    // another process appends.
    RETENTION_RETURN_IF_ERROR(txn.Begin(SqliteTransaction::Kind::kDeferred));
    RETENTION_RETURN_IF_ERROR(WalkChain(db, &check));
    if (check.ok) RETENTION_RETURN_IF_ERROR(CheckHead(db, &check));
    return txn.Commit();
  });
  if (!st.ok()) return st;
  return check;
}

StatusOr<std::pair<int64_t, std::string>> Ledger::CurrentHead() {
  std::pair<int64_t, std::string> out;
  Status st = db_.WithConnection([&out](SqliteConnection& db) -> Status {
    auto head = ReadHead(db);
    if (!head.ok()) return head.status();
    if (head->seq < 0) {
      return Status::Corruption("ledger_head is missing in " + db.path());
    }
    out = {head->seq, head->hash};
    return Status::Ok();
  });
  if (!st.ok()) return st;
  return out;
}

StatusOr<std::optional<LedgerEntry>> Ledger::LastOf(const std::string& action) {
  std::optional<LedgerEntry> out;
  Status st = db_.WithConnection([&](SqliteConnection& db) -> Status {
    StatusOr<SqliteStatement> stmt =
        db.Prepare(std::string("SELECT ") + kEntryColumns +
                   " FROM ledger WHERE action = ? ORDER BY seq DESC LIMIT 1");
    if (!stmt.ok()) return stmt.status();
    stmt->Bind(1, action);
    StatusOr<bool> row = stmt->Step();
    if (!row.ok()) return row.status();
    if (*row) out = RowToEntry(*stmt);
    return Status::Ok();
  });
  if (!st.ok()) return st;
  return out;
}

StatusOr<std::vector<LedgerEntry>> Ledger::Read(int64_t after_seq,
                                                size_t limit) {
  constexpr auto kMax =
      static_cast<size_t>(std::numeric_limits<int64_t>::max());
  auto sql_limit = static_cast<int64_t>(limit < kMax ? limit : kMax);
  std::vector<LedgerEntry> entries;
  Status st = db_.WithConnection([&](SqliteConnection& db) {
    StatusOr<SqliteStatement> stmt =
        db.Prepare(std::string("SELECT ") + kEntryColumns +
                   " FROM ledger WHERE seq > ? ORDER BY seq LIMIT ?");
    if (!stmt.ok()) return stmt.status();
    stmt->Bind(1, after_seq).Bind(2, sql_limit);
    for (;;) {
      StatusOr<bool> row = stmt->Step();
      if (!row.ok()) return row.status();
      if (!*row) return Status::Ok();
      entries.push_back(RowToEntry(*stmt));
    }
  });
  if (!st.ok()) return st;
  return entries;
}

}  // namespace retention
