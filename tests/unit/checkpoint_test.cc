#include "core/checkpoint.h"

#include <catch2/catch.hpp>
#include <map>

#include "core/signing_key.h"
#include "ctl/ctl_checkpoints.h"
#include "fakes/fake_clock.h"
#include "fakes/fake_filesystem.h"

namespace retention::checkpoint_test {
namespace {

struct Env {
  FakeClock clock;
  FakeFilesystem fs{clock};
  Env() { fs.AddDir("/var/lib/retentiond"); }
  SigningKey Key(const std::string& dir = "/var/lib/retentiond") {
    auto key = SigningKey::LoadOrCreate(fs, dir);
    REQUIRE(key.ok());
    return std::move(*key);
  }
};

// A ledger of `n` entries whose seq k has hash "h<k>".
LedgerUnderTest Ledger(int64_t n, std::string id = "L1") {
  return LedgerUnderTest{
      .ledger_id = std::move(id),
      .last_seq = n,
      .hash_at = [](int64_t seq) -> StatusOr<std::string> {
        return "h" + std::to_string(seq);
      }};
}

Checkpoint Signed(const SigningKey& key, int64_t seq, std::string prev = "",
                  std::string id = "L1") {
  Checkpoint c{.host = "web1",
               .ledger_id = std::move(id),
               .seq = seq,
               .head = "h" + std::to_string(seq),
               .time = "2026-12-05T10:00:00Z",
               .prev_sig = std::move(prev)};
  auto sig = key.Sign(CheckpointSignedText(c));
  REQUIRE(sig.ok());
  c.sig = *sig;
  return c;
}

TEST_CASE("a key pair is created once, 0600, and read back the same") {
  Env e;
  SigningKey first = e.Key();
  CHECK(e.fs.Exists("/var/lib/retentiond/checkpoint.key"));
  CHECK(e.fs.FileContents("/var/lib/retentiond/checkpoint.pub") ==
        first.public_pem());
  auto info = e.fs.StatPath("/var/lib/retentiond/checkpoint.key");
  REQUIRE(info.ok());
  CHECK((info->mode & 0777) == 0600);
  SigningKey again = e.Key();
  CHECK(again.public_pem() == first.public_pem());
}

TEST_CASE("a public key file that does not match the private key is refused") {
  Env e;
  e.fs.AddDir("/other");
  SigningKey other = e.Key("/other");
  (void)e.Key();
  e.fs.AddFileWithContents("/var/lib/retentiond/checkpoint.pub",
                           other.public_pem(), e.clock.Now());
  auto key = SigningKey::LoadOrCreate(e.fs, "/var/lib/retentiond");
  CHECK(key.status().code() == Status::Code::kCorruption);
}

TEST_CASE("a checkpoint round-trips through its JSON line") {
  Env e;
  SigningKey key = e.Key();
  Checkpoint c = Signed(key, 7, "prev");
  auto back = ParseCheckpoint(CheckpointJson(c));
  REQUIRE(back.ok());
  CHECK(CheckpointJson(*back) == CheckpointJson(c));
  auto ok = VerifySignature(key.public_pem(), CheckpointSignedText(*back),
                            back->sig);
  REQUIRE(ok.ok());
  CHECK(*ok);
}

TEST_CASE("checkpoints that match the ledger hold, a gap is only a note") {
  Env e;
  SigningKey key = e.Key();
  Checkpoint a = Signed(key, 3);
  Checkpoint b = Signed(key, 9, a.sig);
  Checkpoint d = Signed(key, 20, "a lost one");
  auto check = VerifyCheckpoints({d, b, a}, key.public_pem(), Ledger(25));
  REQUIRE(check.ok());
  CHECK(check->ok);
  CHECK(check->checked == 3);
  CHECK(check->covered_seq == 20);
  REQUIRE(check->notes.size() == 1);
  CHECK_THAT(check->notes[0], Catch::Contains("between seq 9 and seq 20"));
}

TEST_CASE("a ledger rolled back or cut below a checkpoint fails") {
  Env e;
  SigningKey key = e.Key();
  auto check = VerifyCheckpoints({Signed(key, 3), Signed(key, 30)},
                                 key.public_pem(), Ledger(12));
  REQUIRE(check.ok());
  CHECK_FALSE(check->ok);
  CHECK_THAT(check->problem, Catch::Contains("ends at seq 12"));
  CHECK_THAT(check->problem, Catch::Contains("rolled back or cut"));
}

TEST_CASE("a ledger rewritten with recomputed hashes fails at the checkpoint") {
  Env e;
  SigningKey key = e.Key();
  LedgerUnderTest rewritten = Ledger(40);
  rewritten.hash_at = [](int64_t seq) -> StatusOr<std::string> {
    return seq >= 5 ? "x" + std::to_string(seq) : "h" + std::to_string(seq);
  };
  auto check = VerifyCheckpoints({Signed(key, 4), Signed(key, 10)},
                                 key.public_pem(), rewritten);
  REQUIRE(check.ok());
  CHECK_FALSE(check->ok);
  CHECK(check->checked == 1);
  CHECK_THAT(check->problem, Catch::Contains("rewritten"));
}

TEST_CASE("another host's state database fails on its ledger id") {
  Env e;
  SigningKey key = e.Key();
  auto check = VerifyCheckpoints({Signed(key, 3)}, key.public_pem(),
                                 Ledger(12, "L2"));
  REQUIRE(check.ok());
  CHECK_FALSE(check->ok);
  CHECK_THAT(check->problem, Catch::Contains("swapped or recreated"));
}

TEST_CASE("a checkpoint signed by another key, or altered, is rejected") {
  Env e;
  SigningKey key = e.Key();
  e.fs.AddDir("/attacker");
  SigningKey forger = e.Key("/attacker");
  auto forged = VerifyCheckpoints({Signed(forger, 3)}, key.public_pem(),
                                  Ledger(12));
  REQUIRE(forged.ok());
  CHECK_FALSE(forged->ok);
  CHECK_THAT(forged->problem, Catch::Contains("no valid signature"));
  Checkpoint altered = Signed(key, 3);
  altered.seq = 2;
  altered.head = "h2";
  auto edited = VerifyCheckpoints({altered}, key.public_pem(), Ledger(12));
  REQUIRE(edited.ok());
  CHECK_FALSE(edited->ok);
}

TEST_CASE("no checkpoints at all is not proof") {
  Env e;
  SigningKey key = e.Key();
  auto check = VerifyCheckpoints({}, key.public_pem(), Ledger(1));
  REQUIRE(check.ok());
  CHECK_FALSE(check->ok);
}

TEST_CASE("a checkpoint list is JSON lines or one array, with line numbers") {
  Env e;
  SigningKey key = e.Key();
  const std::string one = CheckpointJson(Signed(key, 1));
  const std::string two = CheckpointJson(Signed(key, 2));
  auto lines = ParseCheckpointList("# kept by logger\n" + one + "\n\n" + two);
  REQUIRE(lines.ok());
  CHECK(lines->size() == 2);
  auto array = ParseCheckpointList("[" + one + "," + two + "]");
  REQUIRE(array.ok());
  CHECK(array->size() == 2);
  auto bad = ParseCheckpointList(one + "\n{\"seq\": 3}\n");
  CHECK(bad.status().code() == Status::Code::kInvalidArgument);
  CHECK_THAT(bad.status().message(), Catch::Contains("line 2"));
  CHECK_FALSE(VerifySignature("not a key", "m", "c2ln").ok());
}

TEST_CASE("a checkpoint's JSON escapes the host and yields its signature") {
  Checkpoint c{.host = "web \"1\"\n", .seq = 4, .sig = "c2ln"};
  const std::string json = CheckpointJson(c);
  CHECK_THAT(json, Catch::Contains(R"("host":"web \"1\"\n")"));
  CHECK(CheckpointSignatureOf(json) == "c2ln");
  CHECK(CheckpointSignedText(c).find("\"sig\"") == std::string::npos);
  auto back = ParseCheckpoint(json);
  REQUIRE(back.ok());
  CHECK(back->host == c.host);
}

}  // namespace
}  // namespace retention::checkpoint_test
