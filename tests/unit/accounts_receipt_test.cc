// Erasure receipts (kinds/accounts/accounts_receipt.h): built from the
// ledger's purge entry and the purge record, their canonical signed text,
// a signature that verifies and breaks when one byte changes; and
// [accounts] backups_policy, which must name a configured files policy.
#include "kinds/accounts/accounts_receipt.h"

#include <catch2/catch.hpp>

#include "config/kind_registry.h"
#include "core/signing_key.h"
#include "fakes/fake_clock.h"
#include "fakes/fake_filesystem.h"

namespace retention::accounts_receipt_test {
namespace {

using std::chrono::hours;

WallTime At(int64_t seconds) {
  return WallTime(std::chrono::seconds(seconds));
}

LedgerEntry Purge() {
  LedgerEntry e;
  e.seq = 17;
  e.time = At(1'800'000'000);
  e.policy = "accounts";
  e.action = "purge";
  e.target = "account 42";
  e.count = 1;
  e.bytes = 3072;
  e.detail =
      "usage_events 5, sessions 2, account row deleted; 3 files and 2 "
      "directories removed; deleted at 2026-11-01T00:00:00Z, grace 30d, due "
      "2026-12-01T00:00:00Z; lateness 4s";
  e.hash = std::string(64, 'a');
  return e;
}

ReceiptContext Context() {
  return ReceiptContext{.host = "web1", .ledger_id = "L1", .key = "SHA256:k"};
}

TEST_CASE("a receipt is built from the purge entry alone") {
  auto r = BuildReceipt(Purge(), std::nullopt, Context());
  REQUIRE(r.ok());
  CHECK(r->account == "42");
  CHECK(r->deleted == "2026-11-01T00:00:00Z");
  CHECK(r->purged == FormatIso8601(At(1'800'000'000)));
  CHECK(r->bytes == 3072);
  CHECK(r->files == 3);
  CHECK(r->rows == std::vector<std::pair<std::string, int64_t>>{
                       {"sessions", 2}, {"usage_events", 5}});
  CHECK(r->account_row == "deleted");
  CHECK(r->seq == 17);
  CHECK(r->backups_expire.empty());
  CHECK(ReceiptSignedText(*r) ==
        "{\"account\":\"42\",\"account_row\":\"deleted\",\"bytes\":3072,"
        "\"deleted\":\"2026-11-01T00:00:00Z\",\"entry_hash\":\"" +
            std::string(64, 'a') +
            "\",\"files\":3,\"host\":\"web1\",\"key\":\"SHA256:k\","
            "\"ledger_id\":\"L1\",\"policy\":\"accounts\",\"purged\":\"" +
            r->purged +
            "\",\"rows\":{\"sessions\":2,\"usage_events\":5},\"seq\":17,"
            "\"type\":\"erasure_receipt\",\"version\":1}");
}

TEST_CASE("a receipt takes the deleted time from the purge record") {
  AccountPurge record{"accounts", "42", At(1'700'000'000), "done", "", {}};
  auto r = BuildReceipt(Purge(), record, Context());
  REQUIRE(r.ok());
  CHECK(r->deleted == FormatIso8601(At(1'700'000'000)));
}

TEST_CASE("a receipt dates the last backup by the backups policy's max age") {
  ReceiptContext c = Context();
  c.backups_policy = "files.backups";
  c.backups_age = hours(24 * 90);
  auto r = BuildReceipt(Purge(), std::nullopt, c);
  REQUIRE(r.ok());
  CHECK(r->backups_expire == FormatIso8601(At(1'800'000'000) + hours(24 * 90)));
  CHECK(ReceiptJson(*r).find("\"backups_expire\":\"" + r->backups_expire +
                             "\",\"backups_policy\":\"files.backups\"") !=
        std::string::npos);
  CHECK(FormatReceiptText(*r).find("all expired by " + r->backups_expire) !=
        std::string::npos);
}

TEST_CASE("a ledger entry that is not an account's purge gives no receipt") {
  LedgerEntry e = Purge();
  e.action = "delete";
  CHECK(!BuildReceipt(e, std::nullopt, Context()).ok());
  e = Purge();
  e.detail = "something else";
  CHECK(!BuildReceipt(e, std::nullopt, Context()).ok());
}

TEST_CASE("a signed receipt verifies, and fails once one byte changes") {
  FakeClock clock;
  FakeFilesystem fs{clock};
  fs.AddDir("/state");
  auto key = SigningKey::LoadOrCreate(fs, "/state");
  REQUIRE(key.ok());
  auto fingerprint = PublicKeyFingerprint(key->public_pem());
  REQUIRE(fingerprint.ok());
  CHECK(fingerprint->size() == 7 + 64);
  ReceiptContext c = Context();
  c.key = *fingerprint;
  auto r = BuildReceipt(Purge(), std::nullopt, c);
  REQUIRE(r.ok());
  auto sig = key->Sign(ReceiptSignedText(*r));
  REQUIRE(sig.ok());
  r->sig = *sig;
  CHECK(*VerifySignature(key->public_pem(), ReceiptSignedText(*r), r->sig));
  r->bytes += 1;
  CHECK_FALSE(
      *VerifySignature(key->public_pem(), ReceiptSignedText(*r), r->sig));
}

TEST_CASE("a read-only key load never creates a key") {
  FakeClock clock;
  FakeFilesystem fs{clock};
  fs.AddDir("/state");
  CHECK(SigningKey::Load(fs, "/state").status().IsNotFound());
  REQUIRE(SigningKey::LoadOrCreate(fs, "/state").ok());
  CHECK(SigningKey::Load(fs, "/state").ok());
}

std::vector<ConfigError> LoadAccounts(const std::string& backups) {
  Config config;
  std::vector<ConfigError> errors;
  LoadConfigFromString(
      "r.conf",
      "[files.backups]\nroot = /srv/b\nmax_age = 90d\n"
      "[rows.tokens]\ndatabase = sqlite:/srv/app.db\ntable = t\n"
      "time_column = c\nmax_age = 1h\n"
      "[accounts]\ndatabase = sqlite:/srv/app.db\ntable = users\n"
      "deleted_column = deleted_at\ngrace = 30d\n" +
          backups,
      BuiltinRegistry(), &config, &errors);
  return errors;
}

TEST_CASE("backups_policy must name a configured files policy") {
  CHECK(LoadAccounts("").empty());
  CHECK(LoadAccounts("backups_policy = files.backups\n").empty());
  auto missing = LoadAccounts("backups_policy = files.nothing\n");
  REQUIRE(missing.size() == 1);
  CHECK(missing[0].key == "backups_policy");
  CHECK(missing[0].where.line == 14);
  CHECK(missing[0].message.find("there is no [files.nothing]") !=
        std::string::npos);
  auto other_kind = LoadAccounts("backups_policy = rows.tokens\n");
  REQUIRE(other_kind.size() == 1);
  CHECK(other_kind[0].message.find("must name a files policy") !=
        std::string::npos);
}

}  // namespace
}  // namespace retention::accounts_receipt_test
