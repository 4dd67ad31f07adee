// Checkpointer: writes the daemon's checkpoints (checkpoint.h). Each one
// signs the ledger's head, is appended to the ledger itself (action
// "checkpoint", the JSON as detail, chained to the one before through
// prev_sig) and then sent off the host: to the systemd journal (MESSAGE_ID
// kCheckpointMessageId, the JSON in field RETENTIOND_CHECKPOINT) and, when
// configured, to [daemon] checkpoint_command on its stdin. The ledger entry
// comes first: a checkpoint that could not be sent out is still chained,
// and the next one that is sent names it (a verifier sees the gap).
//
// Threading: Write() from any thread; one checkpoint at a time.
#pragma once

#include <mutex>
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

class Checkpointer {
 public:
  Checkpointer(Clock& clock, StateDb& state, Ledger& ledger, SigningKey key);

  // The checkpoint written. Fails when it could not be signed or
  // appended; a sink that fails is logged (warning) and listed in
  // *send_errors, which may be null.
  StatusOr<Checkpoint> Write(const CheckpointSinks& sinks,
                             std::vector<std::string>* send_errors);
  const SigningKey& key() const { return key_; }

 private:
  StatusOr<std::string> PreviousSignature();

  Clock& clock_;
  StateDb& state_;
  Ledger& ledger_;
  SigningKey key_;
  std::mutex mu_;
  bool have_prev_ = false;
  std::string prev_sig_;
};

}  // namespace retention
