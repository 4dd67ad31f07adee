// Lateness: how long after its deadline an item was removed (DESIGN.md
// "Bounded lateness"). A kind that knows it appends LatenessSuffix to the
// reason of the action it records; the ledger keeps it in the entry's
// detail, and run summaries and reports read it back with LatenessOf.
// Pure functions; thread-safe.
#pragma once

#include <optional>
#include <string>

#include "base/clock.h"

namespace retention {

// "; lateness 1h2m5s": whole seconds in the config's duration spelling
// (exact, so it reads back); never negative.
std::string LatenessSuffix(Duration late);
// The lateness a reason ends with, or nullopt; reads the older "; lateness
// 3725s" form too.
std::optional<Duration> LatenessOf(const std::string& reason);

}  // namespace retention
