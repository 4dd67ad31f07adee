#include "kinds/accounts/accounts_receipt.h"

#include <algorithm>
#include <charconv>

#include "base/human_format.h"
#include "core/canonical_json.h"
#include "kinds/accounts/accounts_planner.h"

namespace retention {
namespace {

constexpr std::string_view kAccountRow = "account row ";
constexpr std::string_view kDeletedAt = "deleted at ";

std::vector<std::string_view> Split(std::string_view text,
                                    std::string_view sep) {
  std::vector<std::string_view> out;
  for (;;) {
    const size_t at = text.find(sep);
    out.push_back(text.substr(0, at));
    if (at == std::string_view::npos) return out;
    text.remove_prefix(at + sep.size());
  }
}

std::optional<int64_t> LeadingNumber(std::string_view text) {
  int64_t n = 0;
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), n);
  if (ec != std::errc() || end == text.data() || n < 0) return std::nullopt;
  return n;
}

// "sessions 2, usage_events 3, account row deleted" into *r.
bool ParseRows(std::string_view text, ErasureReceipt* r) {
  for (std::string_view part : Split(text, ", ")) {
    if (part.substr(0, kAccountRow.size()) == kAccountRow) {
      r->account_row = std::string(part.substr(kAccountRow.size()));
      continue;
    }
    const size_t space = part.rfind(' ');
    if (space == std::string_view::npos) return false;
    auto n = LeadingNumber(part.substr(space + 1));
    if (!n) return false;
    r->rows.emplace_back(std::string(part.substr(0, space)), *n);
  }
  std::sort(r->rows.begin(), r->rows.end());
  return !r->account_row.empty();
}

// The purge entry's detail, as AccountsPolicy writes it: "ROWS; N files
// and M directories removed; REASON[; lateness D]", REASON starting
// "deleted at ISO, ".
bool ParseDetail(std::string_view detail, ErasureReceipt* r) {
  const std::vector<std::string_view> parts = Split(detail, "; ");
  if (parts.size() < 3 || !ParseRows(parts[0], r)) return false;
  auto files = LeadingNumber(parts[1]);
  if (!files) return false;
  r->files = *files;
  std::string_view reason = parts[2];
  if (reason.substr(0, kDeletedAt.size()) == kDeletedAt) {
    reason.remove_prefix(kDeletedAt.size());
    r->deleted = std::string(reason.substr(0, reason.find(',')));
  }
  return true;
}

std::string Object(const ErasureReceipt& r, bool with_sig) {
  auto field = [](const char* key, const std::string& value) {
    return std::string(",\"") + key + "\":" + value;
  };
  std::string rows = "{";
  for (const auto& [table, n] : r.rows) {
    if (rows.size() > 1) rows += ",";
    rows += JsonString(table) + ":" + std::to_string(n);
  }
  rows += "}";
  std::string out = "{\"account\":" + JsonString(r.account);
  out += field("account_row", JsonString(r.account_row));
  if (!r.backups_policy.empty()) {
    out += field("backups_expire", JsonString(r.backups_expire));
    out += field("backups_policy", JsonString(r.backups_policy));
  }
  out += field("bytes", std::to_string(r.bytes));
  out += field("deleted", JsonString(r.deleted));
  out += field("entry_hash", JsonString(r.entry_hash));
  out += field("files", std::to_string(r.files));
  out += field("host", JsonString(r.host));
  out += field("key", JsonString(r.key));
  out += field("ledger_id", JsonString(r.ledger_id));
  out += field("policy", JsonString(r.policy));
  out += field("purged", JsonString(r.purged));
  out += field("rows", rows);
  out += field("seq", std::to_string(r.seq));
  if (with_sig) out += field("sig", JsonString(r.sig));
  out += field("type", JsonString("erasure_receipt"));
  out += field("version", std::to_string(kReceiptVersion));
  return out + "}";
}

}  // namespace

StatusOr<ErasureReceipt> BuildReceipt(const LedgerEntry& purge,
                                      const std::optional<AccountPurge>& record,
                                      const ReceiptContext& context) {
  ErasureReceipt r;
  r.account = AccountOfTarget(purge.target);
  if (purge.action != "purge" || r.account.empty()) {
    return Status::InvalidArgument("ledger seq " + std::to_string(purge.seq) +
                                   " is not the purge of an account");
  }
  if (!ParseDetail(purge.detail, &r)) {
    return Status::InvalidArgument(
        "ledger seq " + std::to_string(purge.seq) +
        ": cannot read the rows and files of the purge from its detail");
  }
  if (record && record->account == r.account) {
    r.deleted = FormatIso8601(record->deleted);
  }
  r.policy = purge.policy;
  r.host = context.host;
  r.ledger_id = context.ledger_id;
  r.purged = FormatIso8601(purge.time);
  r.bytes = purge.bytes;
  r.seq = purge.seq;
  r.entry_hash = purge.hash;
  r.key = context.key;
  if (!context.backups_policy.empty() && context.backups_age) {
    r.backups_policy = context.backups_policy;
    r.backups_expire = FormatIso8601(purge.time + *context.backups_age);
  }
  return r;
}

std::string ReceiptSignedText(const ErasureReceipt& r) {
  return Object(r, false);
}

std::string ReceiptJson(const ErasureReceipt& r) { return Object(r, true); }

std::string FormatReceiptText(const ErasureReceipt& r) {
  std::string rows;
  for (const auto& [table, n] : r.rows) {
    rows += (rows.empty() ? "" : ", ") + table + " " + std::to_string(n);
  }
  if (!rows.empty()) rows += "; ";
  std::string out = "Erasure receipt for account " + r.account + "\n";
  out += "  marked deleted  " + r.deleted + "\n";
  out += "  purged          " + r.purged + " on " + r.host + " (" +
         r.policy + ", ledger seq " + std::to_string(r.seq) + ")\n";
  out += "  removed         " + HumanBytes(static_cast<uint64_t>(r.bytes)) +
         " in " + std::to_string(r.files) +
         (r.files == 1 ? " file" : " files") + "\n";
  out += "  rows            " + rows + "account row " + r.account_row + "\n";
  if (!r.backups_policy.empty()) {
    out += "  backups         all expired by " + r.backups_expire + " (" +
           r.backups_policy + ")\n";
  }
  // The whole fingerprint is in the JSON; a prefix tells keys apart.
  out += "  signed          Ed25519, key " + r.key.substr(0, 23) +
         (r.key.size() > 23 ? "…" : "") + "\n";
  return out;
}

}  // namespace retention
