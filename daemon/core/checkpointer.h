// Checkpointer: writes the daemon's checkpoints (checkpoint.h). Each one
// signs the ledger's head, is appended to the ledger itself (action
// "checkpoint", the JSON as detail, chained to the one before through
// prev_sig) and then sent off the host: to the systemd journal (MESSAGE_ID
// kCheckpointMessageId, the JSON in field RETENTIOND_CHECKPOINT) and, when
// configured, to [daemon] checkpoint_command on its stdin. The ledger entry
// comes first: a checkpoint that could not be sent out is still chained,
// and the next one that is sent names it (a verifier sees the gap).
//
// Each sink that fails is counted (sends(): how many, the last failure and
// why, the last checkpoint sent), for `retentionctl status` and metrics.
//
// Threading: Write() from any thread; one checkpoint at a time.
#pragma once

#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "base/clock.h"
#include "core/checkpoint.h"
#include "core/ledger.h"
#include "core/signing_key.h"
#include "core/state_db.h"

namespace retention {

struct CheckpointSinks {
  std::string host;  // [daemon] host_id, or the host name
  bool journal = true;
  std::vector<std::string> command;  // argv; empty: none
  Duration command_timeout = std::chrono::seconds(30);
};

// What became of the checkpoints sent off the host since the daemon
// started (kept in memory: a restart starts the counts again, as a
// Prometheus counter may).
struct CheckpointSends {
  uint64_t failures = 0;  // sinks that refused a checkpoint
  std::optional<WallTime> last_failure;
  std::string last_error;  // "checkpoint_command: exited with status 1"
  // The last checkpoint that every configured sink took (and at least one
  // did: without a journal and a command, nothing leaves the host).
  std::optional<WallTime> last_sent;
};

// Prometheus text of `sends`:
//   retentiond_checkpoint_send_failures_total            counter
//   retentiond_checkpoint_last_sent_timestamp_seconds    gauge (absent
//                                                        before the first)
std::string FormatCheckpointMetrics(const CheckpointSends& sends);

class Checkpointer {
 public:
  Checkpointer(Clock& clock, StateDb& state, Ledger& ledger, SigningKey key);

  // The checkpoint written. Fails when it could not be signed or
  // appended; a sink that fails is logged (warning) and listed in
  // *send_errors, which may be null.
  StatusOr<Checkpoint> Write(const CheckpointSinks& sinks,
                             std::vector<std::string>* send_errors);
  const SigningKey& key() const { return key_; }
  CheckpointSends sends() const;

 private:
  StatusOr<std::string> PreviousSignature();
  // Sends `c` to every sink; the errors, one per sink that failed.
  std::vector<std::string> Send(const CheckpointSinks& sinks,
                                const Checkpoint& c, const std::string& json);

  Clock& clock_;
  StateDb& state_;
  Ledger& ledger_;
  SigningKey key_;
  std::mutex mu_;  // one checkpoint at a time
  // Apart from mu_: status never waits for a slow checkpoint_command.
  mutable std::mutex sends_mu_;
  CheckpointSends sends_;
  bool have_prev_ = false;
  std::string prev_sig_;
};

}  // namespace retention
