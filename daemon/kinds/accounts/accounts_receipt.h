// ErasureReceipt: what retentiond can prove about one purged account, for
// the person who asked to be forgotten. Built from records that exist
// already: the ledger's "purge" entry of "account ID" (hash-chained, and
// anchored by the signed checkpoints) and the account's purge record in
// state.db (AccountPurge). It names the account by its id only: no other
// personal data.
//
// The receipt is signed with the daemon's checkpoint key (signing_key.h)
// over its canonical JSON without "sig" (ReceiptSignedText: keys sorted,
// no spaces, canonical_json.h), so `openssl pkeyutl -verify -rawin` with
// `retentionctl key` checks it, as it checks a checkpoint.
//
// Threading: pure functions.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "base/clock.h"
#include "base/status.h"
#include "core/ledger.h"
#include "kinds/accounts/accounts_state_store.h"

namespace retention {

inline constexpr int kReceiptVersion = 1;

struct ErasureReceipt {
  std::string account;
  std::string policy;     // the [accounts] section: "accounts"
  std::string host;       // the host that purged it
  std::string ledger_id;  // the ledger holding the purge entry
  std::string deleted;    // ISO 8601: when the account was marked deleted
  std::string purged;     // ISO 8601: the purge entry's time
  int64_t bytes = 0;      // of its data directory
  int64_t files = 0;
  std::vector<std::pair<std::string, int64_t>> rows;  // table, rows; sorted
  std::string account_row;  // "deleted", "anonymized", "kept", "already gone"
  int64_t seq = 0;          // the purge entry's
  std::string entry_hash;   // its hash
  // [accounts] backups_policy: the files policy that expires backups, and
  // the purge time plus its max_age: when the last backup that could hold
  // the account's data expires. Empty when no backups_policy is set.
  std::string backups_policy;
  std::string backups_expire;  // ISO 8601
  std::string key;  // the signing key's fingerprint (PublicKeyFingerprint)
  std::string sig;  // base64 Ed25519 over ReceiptSignedText
};

// What the receipt needs beyond the two records.
struct ReceiptContext {
  std::string host;
  std::string ledger_id;
  std::string key;
  std::string backups_policy;           // "" when none
  std::optional<Duration> backups_age;  // its max_age
};

// The receipt of `purge` (a ledger entry with action "purge" and target
// "account ID"); `record` is the account's purge record when state.db
// still has it (the deleted time comes from it, else from the entry's
// reason). kInvalidArgument when the entry is not an account's purge or
// its detail cannot be read. The receipt comes unsigned.
StatusOr<ErasureReceipt> BuildReceipt(const LedgerEntry& purge,
                                      const std::optional<AccountPurge>& record,
                                      const ReceiptContext& context);

// The bytes signed: the JSON object without "sig".
std::string ReceiptSignedText(const ErasureReceipt& r);
// The JSON object with "sig", one line.
std::string ReceiptJson(const ErasureReceipt& r);
// A few lines for a person: dates, IEC sizes, rows per table.
std::string FormatReceiptText(const ErasureReceipt& r);

}  // namespace retention
