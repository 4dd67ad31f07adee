// Recorded removal: the steps every deleting executor shares — remove a
// planned entry, identity-checked, under a write-ahead intent that its
// ledger entry closes (intent_log.h) — so that the files, logs and
// keep_free executors agree on which failures stop a run.
// Thread-compatible: the caller's Dir belongs to its thread.
#pragma once

#include <functional>
#include <string>
#include <vector>

#include "core/policy.h"
#include "os/filesystem.h"

namespace retention {

// How removing one planned entry went.
enum class Removal {
  kRemoved,  // gone (already gone counts): its ledger entry is written
  kKept,     // not removed (a failure, counted; or kept on purpose)
  kStop,     // not removed, and the run must stop: its view is stale
};

// Removes `name` in `dir` if it still is `action.expected`, counting it in
// *result (done and bytes, or failed and errors). Removing what is already
// gone is kRemoved; a swapped entry (kUnsafe) is kStop.
Removal RemoveChecked(Filesystem& fs, Dir& dir, const std::string& name,
                      const Action& action, ExecResult* result);

// Performs `actions` in groups of `group` under `policy`: each group's
// intents are made durable (with the previous group's outcomes) before
// `remove_one(i)` is called for any actions[i] of it; each kRemoved gets
// its ledger entry. Returns false when the run must stop: a kStop, or an
// intent or entry the ledger could not take (then "ledger: ...; stopping"
// is in result->errors). A stop request ends it early too, returning true
// (the caller sees ctx.stopping()). Whatever it returns, what
// was removed is recorded now or, if the ledger failed, by the recovery of
// the intents left open (intent_recovery.h).
bool RemoveInGroups(const std::string& policy,
                    const std::vector<const Action*>& actions, size_t group,
                    ExecContext& ctx, ExecResult* result,
                    const std::function<Removal(size_t)>& remove_one);

// RemoveChecked for an absolute `action.target`, its directory opened as a
// root, under its own intent, the directory synced before the ledger entry
// is written: the entry never outlives the removal across a power loss.
// The sync also commits the file system's journal here, in the remover's
// thread, with the freed blocks (their discard, on a `discard` mount, can
// take 100-400 ms for 200 MB): the next writer to sync (a rotation) no
// longer pays for it. false when the run must stop.
bool RemoveRecordedPath(Filesystem& fs, const std::string& policy,
                        const Action& action, ExecContext& ctx,
                        ExecResult* result);

// True when `st`, from the ledger (an intent, an outcome, a flush), failed:
// then "ledger: ...; stopping" is added to result->errors and the run must
// stop.
bool LedgerFailed(const Status& st, ExecResult* result);

// Records `action` under `policy`; on failure adds "ledger: ...; stopping"
// to result->errors and returns false.
bool RecordOrStop(const std::string& policy, const Action& action,
                  ExecContext& ctx, ExecResult* result);

}  // namespace retention
