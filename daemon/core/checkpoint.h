// Checkpoints: the ledger's head, signed and sent off the host, so that a
// state.db rolled back to an earlier copy, cut at its tail, rewritten with
// recomputed hashes or swapped for another host's can be caught later.
// The hash chain alone cannot catch those: whoever controls the host can
// rebuild it. A checkpoint names the ledger (its id), the last entry it
// covers (seq and hash), the time, and the previous checkpoint's signature;
// it is signed with the daemon's Ed25519 key (signing_key.h).
//
// The signed bytes are the checkpoint's JSON without "sig": keys sorted,
// no spaces (CheckpointSignedText), so anyone can check one with
// `openssl pkeyutl -verify -rawin` and the public key.
//
// Threading: pure functions.
#pragma once

#include <cstdint>
#include <functional>
#include <string>
#include <string_view>
#include <vector>

#include "base/status.h"

namespace retention {

// The journal's MESSAGE_ID of every checkpoint retentiond sends, and the
// field that carries the checkpoint's JSON.
inline constexpr char kCheckpointMessageId[] =
    "5c2f0a8e6b7d4c39a1e3f2d4b6c8e0a7";
inline constexpr char kCheckpointField[] = "RETENTIOND_CHECKPOINT";

struct Checkpoint {
  std::string host;
  std::string ledger_id;
  int64_t seq = 0;       // the last ledger entry covered; 0: an empty ledger
  std::string head;      // that entry's hash (64 zeros for seq 0)
  std::string time;      // ISO 8601, UTC
  std::string prev_sig;  // the previous checkpoint's sig; "" for the first
  std::string sig;       // base64 Ed25519 over CheckpointSignedText
};

inline constexpr int kCheckpointVersion = 1;

std::string CheckpointSignedText(const Checkpoint& c);
// One line of JSON, with "sig", keys sorted (parsed in
// ctl/ctl_checkpoints.h).
std::string CheckpointJson(const Checkpoint& c);
// The "sig" of a checkpoint's JSON as CheckpointJson wrote it (a ledger
// entry's detail); "" when there is none.
std::string CheckpointSignatureOf(std::string_view json);

struct CheckpointCheck {
  bool ok = true;
  size_t checked = 0;      // checkpoints that hold
  int64_t covered_seq = 0;  // the highest seq a holding checkpoint covers
  std::string problem;     // the first checkpoint that does not hold, why
  std::vector<std::string> notes;  // gaps between checkpoints
};

// What VerifyCheckpoints needs to know about the ledger under test, after
// its own chain and head verified intact.
struct LedgerUnderTest {
  std::string ledger_id;
  int64_t last_seq = 0;
  // The stored hash of entry `seq` (1..last_seq).
  std::function<StatusOr<std::string>(int64_t seq)> hash_at;
};

// Every checkpoint must carry a valid signature under `public_pem`, name
// this ledger, and match the ledger's entry at its seq; the first that does
// not is the problem. A missing checkpoint between two others (prev_sig
// does not name the one before) is a note, not a failure: it only leaves
// that stretch less covered. No checkpoints at all fails.
StatusOr<CheckpointCheck> VerifyCheckpoints(
    std::vector<Checkpoint> checkpoints, std::string_view public_pem,
    const LedgerUnderTest& ledger);

}  // namespace retention
