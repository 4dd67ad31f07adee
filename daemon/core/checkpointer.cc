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

std::vector<std::string> Checkpointer::Send(const CheckpointSinks& sinks,
                                            const Checkpoint& c,
                                            const std::string& json) {
  std::vector<std::string> errors;
  bool taken = false;
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
    taken = st.ok();
  }
  if (!sinks.command.empty()) {
    Status st = RunCommandWithInput(sinks.command, {}, json + "\n",
                                    sinks.command_timeout);
    if (!st.ok()) errors.push_back("checkpoint_command: " + st.ToString());
    taken = taken || st.ok();
  }
  for (const std::string& e : errors) {
    spdlog::warn("checkpoint of seq {} not sent: {}", c.seq, e);
  }
  std::lock_guard<std::mutex> lock(sends_mu_);
  if (!errors.empty()) {
    sends_.failures += errors.size();
    sends_.last_failure = clock_.Now();
    sends_.last_error = errors.back();
  } else if (taken) {
    sends_.last_sent = clock_.Now();
  }
  return errors;
}

CheckpointSends Checkpointer::sends() const {
  std::lock_guard<std::mutex> lock(sends_mu_);
  return sends_;
}

std::string FormatCheckpointMetrics(const CheckpointSends& sends) {
  std::string out =
      "# HELP retentiond_checkpoint_send_failures_total Checkpoints a sink "
      "(journal, checkpoint_command) refused since the daemon started.\n"
      "# TYPE retentiond_checkpoint_send_failures_total counter\n"
      "retentiond_checkpoint_send_failures_total " +
      std::to_string(sends.failures) + "\n";
  if (sends.last_sent) {
    out +=
        "# HELP retentiond_checkpoint_last_sent_timestamp_seconds When the "
        "last checkpoint left the host.\n"
        "# TYPE retentiond_checkpoint_last_sent_timestamp_seconds gauge\n"
        "retentiond_checkpoint_last_sent_timestamp_seconds " +
        std::to_string(std::chrono::duration_cast<std::chrono::seconds>(
                           sends.last_sent->time_since_epoch())
                           .count()) +
        "\n";
  }
  return out;
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
  std::vector<std::string> errors = Send(sinks, c, json);
  if (send_errors != nullptr) *send_errors = std::move(errors);
  return c;
}

}  // namespace retention
