// RemoveRecorded: the step every deleting executor shares — remove one
// planned entry, identity-checked, and write it to the ledger — so that the
// files, logs and keep_free executors agree on which failures stop a run.
// Thread-compatible: the caller's Dir belongs to its thread.
#pragma once

#include <string>

#include "filesystem.h"
#include "policy.h"

namespace retention {

// Removes `name` in `dir` if it still is `action.expected`, then records
// `action` under `policy`, counting it in *result (done, bytes). Removing
// what is already gone counts as done. Returns false when the run must
// stop: the entry was swapped for another (kUnsafe: the snapshot no longer
// describes the directory) or the ledger could not record the removal.
// Any other failure is counted in result->failed and errors, and the run
// goes on.
bool RemoveRecorded(Filesystem& fs, Dir& dir, const std::string& name,
                    const std::string& policy, const Action& action,
                    ExecContext& ctx, ExecResult* result);

// RemoveRecorded for an absolute `action.target`, its directory opened as
// a root (a failure to open it is counted like a failed removal).
bool RemoveRecordedPath(Filesystem& fs, const std::string& policy,
                        const Action& action, ExecContext& ctx,
                        ExecResult* result);

// Records `action` under `policy`; on failure adds "ledger: ...; stopping"
// to result->errors and returns false.
bool RecordOrStop(const std::string& policy, const Action& action,
                  ExecContext& ctx, ExecResult* result);

}  // namespace retention
