#include "core/checkpointer.h"

#include <spdlog/spdlog.h>

#include "os/command.h"
#include "os/journal.h"

namespace retention {
namespace {

constexpr char kCheckpointAction[] = "checkpoint";
constexpr int kJournalInfo = 6;

}  // namespace

Checkpointer::Checkpointer(Clock& clock, StateDb& state, Ledger& ledger,
                           SigningKey key)
    : clock_(clock), state_(state), ledger_(ledger), key_(std::move(key)) {}

StatusOr<std::string> Checkpointer::PreviousSignature() {
  if (have_prev_) return prev_sig_;
  StatusOr<std::optional<LedgerEntry>> last = ledger_.LastOf(kCheckpointAction);
  if (!last.ok()) return last.status();
  std::string sig;
  if (last->has_value()) {
    sig = CheckpointSignatureOf((*last)->detail);
    if (sig.empty()) {
      return Status::Corruption("ledger seq " + std::to_string((*last)->seq) +
                                " is a checkpoint without a signature");
    }
  }
  prev_sig_ = sig;
  have_prev_ = true;
  return sig;
}

StatusOr<Checkpoint> Checkpointer::Write(const CheckpointSinks& sinks,
                                         std::vector<std::string>* send_errors) {
  std::lock_guard<std::mutex> lock(mu_);
  StatusOr<std::string> prev = PreviousSignature();
  if (!prev.ok()) return prev.status();
  StatusOr<std::string> ledger_id = state_.LedgerId();
  if (!ledger_id.ok()) return ledger_id.status();
  StatusOr<std::pair<int64_t, std::string>> head = ledger_.CurrentHead();
  if (!head.ok()) return head.status();
  Checkpoint c;
  c.host = sinks.host;
  c.ledger_id = *ledger_id;
  c.seq = head->first;
  c.head = head->second;
  c.time = FormatIso8601(clock_.Now());
  c.prev_sig = *prev;
  StatusOr<std::string> sig = key_.Sign(CheckpointSignedText(c));
  if (!sig.ok()) return sig.status();
  c.sig = *sig;
  const std::string json = CheckpointJson(c);
  StatusOr<LedgerEntry> entry = ledger_.Append(
      EventEntry(clock_.Now(), "daemon", kCheckpointAction,
                 "seq " + std::to_string(c.seq), json));
  if (!entry.ok()) return entry.status();
  prev_sig_ = c.sig;
  std::vector<std::string> errors;
  if (sinks.journal) {
    Status st = SendToJournal(
        kCheckpointMessageId,
        "ledger checkpoint: seq " + std::to_string(c.seq) + ", head " +
            c.head.substr(0, 16),
        kJournalInfo, {std::string(kCheckpointField) + "=" + json});
    // No journal (a container, a test): the command, if any, carries it.
    if (!st.ok() && !st.IsNotFound()) {
      errors.push_back("journal: " + st.ToString());
    }
  }
  if (!sinks.command.empty()) {
    Status st = RunCommandWithInput(sinks.command, {}, json + "\n",
                                    sinks.command_timeout);
    if (!st.ok()) errors.push_back("checkpoint_command: " + st.ToString());
  }
  for (const std::string& e : errors) {
    spdlog::warn("checkpoint of seq {} not sent: {}", c.seq, e);
  }
  if (send_errors != nullptr) *send_errors = std::move(errors);
  return c;
}

}  // namespace retention
