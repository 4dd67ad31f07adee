#include "core/checkpoint.h"

#include <algorithm>

#include "core/canonical_json.h"
#include "core/signing_key.h"

namespace retention {
namespace {

// The object with its keys in order; "sig" (between "seq" and "time") only
// when `with_sig`.
std::string Object(const Checkpoint& c, bool with_sig) {
  return "{\"head\":" + JsonString(c.head) + ",\"host\":" + JsonString(c.host) +
         ",\"ledger_id\":" + JsonString(c.ledger_id) +
         ",\"prev_sig\":" + JsonString(c.prev_sig) +
         ",\"seq\":" + std::to_string(c.seq) +
         (with_sig ? ",\"sig\":" + JsonString(c.sig) : std::string()) +
         ",\"time\":" + JsonString(c.time) +
         ",\"version\":" + std::to_string(kCheckpointVersion) + "}";
}

std::string Where(const Checkpoint& c) {
  return "the checkpoint of seq " + std::to_string(c.seq) + " (" + c.time +
         ")";
}

}  // namespace

std::string CheckpointSignedText(const Checkpoint& c) {
  return Object(c, false);
}

std::string CheckpointJson(const Checkpoint& c) { return Object(c, true); }

std::string CheckpointSignatureOf(std::string_view json) {
  constexpr std::string_view kKey = "\"sig\":\"";
  const size_t at = json.find(kKey);
  if (at == std::string_view::npos) return std::string();
  const size_t from = at + kKey.size();
  const size_t end = json.find('"', from);
  if (end == std::string_view::npos) return std::string();
  return std::string(json.substr(from, end - from));
}

StatusOr<CheckpointCheck> VerifyCheckpoints(
    std::vector<Checkpoint> checkpoints, std::string_view public_pem,
    const LedgerUnderTest& ledger) {
  CheckpointCheck check;
  if (checkpoints.empty()) {
    check.ok = false;
    check.problem = "no checkpoints to check the ledger against";
    return check;
  }
  std::stable_sort(
      checkpoints.begin(), checkpoints.end(),
      [](const Checkpoint& a, const Checkpoint& b) { return a.seq < b.seq; });
  const Checkpoint* previous = nullptr;
  for (const Checkpoint& c : checkpoints) {
    StatusOr<bool> signed_ok =
        VerifySignature(public_pem, CheckpointSignedText(c), c.sig);
    if (!signed_ok.ok()) return signed_ok.status();
    std::string problem;
    if (!*signed_ok) {
      problem = Where(c) +
                " has no valid signature under this key: forged, altered, "
                "or another host's";
    } else if (c.ledger_id != ledger.ledger_id) {
      problem = Where(c) + " anchors ledger " + c.ledger_id +
                ", but this state.db holds ledger " + ledger.ledger_id +
                ": the state database was swapped or recreated";
    } else if (c.seq > ledger.last_seq) {
      problem = Where(c) + " covers seq " + std::to_string(c.seq) +
                ", but the ledger ends at seq " +
                std::to_string(ledger.last_seq) +
                ": it was rolled back or cut at its tail";
    } else if (c.seq > 0) {
      StatusOr<std::string> hash = ledger.hash_at(c.seq);
      if (!hash.ok()) return hash.status();
      if (*hash != c.head) {
        problem = Where(c) + " names hash " + c.head.substr(0, 16) +
                  "…, the ledger's seq " + std::to_string(c.seq) + " is " +
                  hash->substr(0, 16) +
                  "…: the ledger was rewritten up to there";
      }
    }
    if (!problem.empty()) {
      check.ok = false;
      check.problem = std::move(problem);
      return check;
    }
    if (previous != nullptr && c.prev_sig != previous->sig &&
        c.sig != previous->sig) {
      check.notes.push_back("between seq " + std::to_string(previous->seq) +
                            " and seq " + std::to_string(c.seq) +
                            " a checkpoint is missing from the list");
    }
    ++check.checked;
    check.covered_seq = std::max(check.covered_seq, c.seq);
    previous = &c;
  }
  return check;
}

}  // namespace retention
