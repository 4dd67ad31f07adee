// Intent recovery: turns the write-ahead intents a run left open (it was
// killed, the disk filled, the ledger failed) into definite ledger entries
// before the policy runs again, by asking the policy what the world says
// (Policy::Resolve). Performed removals get their entry (its detail says it
// was recorded at recovery and how it was told); removals that did not
// happen are closed. An intent that cannot be told stays open and keeps the
// policy from deleting: a new run's removals could not be told apart.
//
// Threading: call for one policy from the thread that runs it.
#pragma once

#include <cstddef>
#include <optional>
#include <string>

#include "base/clock.h"
#include "core/policy.h"
#include "core/state_db.h"
#include "os/filesystem.h"

namespace retention {

// Resolves every open intent of `policy`. Returns how many were resolved;
// kFailedPrecondition naming the first intent that could not be told (and
// why), or the state database's error.
StatusOr<size_t> RecoverIntents(Policy& policy, StateDb& state, Clock& clock);

// What is at the absolute `path` now (not following a final symlink);
// nullopt when it or its directory does not exist.
StatusOr<std::optional<FileInfo>> StatPath(Filesystem& fs,
                                           const std::string& path);

// Policy::Resolve for an intent to remove the file (or empty directory) at
// the absolute path intent.target, planned as (dev, ino): still there as
// that inode — not performed; gone or another inode under the name —
// performed; otherwise unknown.
IntentFate ResolveFileIntent(Filesystem& fs, const Intent& intent);

}  // namespace retention
