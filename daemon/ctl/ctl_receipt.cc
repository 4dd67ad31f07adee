#include "ctl/ctl_receipt.h"

#include <ostream>

#include "base/exit_codes.h"
#include "core/ledger.h"
#include "core/signing_key.h"
#include "core/state_db.h"
#include "core/verb.h"
#include "ctl/ctl_checkpoints.h"
#include "ctl/ctl_offline.h"
#include "kinds/accounts/accounts_planner.h"
#include "kinds/accounts/accounts_receipt.h"
#include "os/host_name.h"

namespace retention {
namespace {

// The host as the daemon names itself in its checkpoints (the newest in
// the ledger), else as the configuration or this machine names it.
std::string HostOf(CtlContext& ctx, Ledger& ledger) {
  auto last = ledger.LastOf("checkpoint");
  if (last.ok() && last->has_value()) {
    auto c = ParseCheckpoint((*last)->detail);
    if (c.ok() && !c->host.empty()) return c->host;
  }
  if (ctx.config != nullptr) {
    std::string id = ctx.config->daemon().GetStringOrEmpty("host_id");
    if (!id.empty()) return id;
  }
  return LocalHostName();
}

// [accounts] backups_policy and that files policy's max_age, when the
// configuration was read and names one.
void AddBackups(const CtlContext& ctx, const std::string& policy,
                ReceiptContext* rc) {
  if (ctx.config == nullptr) return;
  const Section* accounts = ctx.config->Find(policy);
  if (accounts == nullptr) return;
  rc->backups_policy = accounts->GetStringOrEmpty("backups_policy");
  const Section* backups = ctx.config->Find(rc->backups_policy);
  if (backups != nullptr) rc->backups_age = backups->GetDuration("max_age");
}

std::optional<AccountPurge> RecordOf(StateDb& db, const std::string& policy,
                                     const std::string& account) {
  AccountsStore store(db);
  auto records = store.AccountPurges(policy);
  if (!records.ok()) return std::nullopt;  // the entry's reason has the date
  for (AccountPurge& r : *records) {
    if (r.account == account) return std::move(r);
  }
  return std::nullopt;
}

int Fail(CtlContext& ctx, int code, const std::string& message) {
  ctx.err << "retentionctl: receipt: " << message << "\n";
  return code;
}

}  // namespace

int ReceiptFromStateDir(CtlContext& ctx) {
  if (ctx.args.size() != 1 || ctx.args[0].empty()) {
    return Fail(ctx, kExitUsage, "give exactly one ACCOUNT id");
  }
  const std::string& account = ctx.args[0];
  auto db = OpenExistingStateDb(ctx);
  if (!db) return kExitFailure;
  Ledger ledger(*db);
  auto check = ledger.Verify();
  if (!check.ok()) return Fail(ctx, kExitFailure, check.status().ToString());
  if (!check->ok) {
    return Fail(ctx, kExitFailure,
                "the ledger is broken at seq " +
                    std::to_string(check->first_bad_seq) + " (" +
                    check->problem + "): no receipt can rest on it");
  }
  auto entry = ledger.LastOf(VerbName(Verb::kPurge), AccountTarget(account));
  if (!entry.ok()) return Fail(ctx, kExitFailure, entry.status().ToString());
  if (!entry->has_value()) {
    return Fail(ctx, kExitNoInput,
                "account " + account +
                    " was never purged here: the ledger holds no purge of it");
  }
  const LedgerEntry& purge = **entry;
  auto key = SigningKey::Load(ctx.fs, ctx.state_dir);
  if (!key.ok()) {
    return Fail(ctx, kExitNoInput,
                "cannot read the signing key: " + key.status().ToString());
  }
  ReceiptContext rc;
  rc.host = HostOf(ctx, ledger);
  auto ledger_id = db->LedgerId();
  auto fingerprint = PublicKeyFingerprint(key->public_pem());
  if (!ledger_id.ok() || !fingerprint.ok()) {
    return Fail(ctx, kExitFailure,
                (!ledger_id.ok() ? ledger_id.status() : fingerprint.status())
                    .ToString());
  }
  rc.ledger_id = *ledger_id;
  rc.key = *fingerprint;
  AddBackups(ctx, purge.policy, &rc);
  auto receipt = BuildReceipt(purge, RecordOf(*db, purge.policy, account), rc);
  if (!receipt.ok()) return Fail(ctx, kExitFailure, receipt.status().message());
  auto sig = key->Sign(ReceiptSignedText(*receipt));
  if (!sig.ok()) return Fail(ctx, kExitFailure, sig.status().ToString());
  receipt->sig = *sig;
  ctx.out << (ctx.json ? ReceiptJson(*receipt) + "\n"
                       : FormatReceiptText(*receipt));
  return kExitOk;
}

}  // namespace retention
