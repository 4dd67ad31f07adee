// How numbers, sizes and times read to a person: the one place that decides
// it, for log lines, retentionctl's tables and the text and HTML reports.
// Machine output (--json, the ledger's numbers, metrics) keeps exact values
// and never goes through these. Configuration values are printed back in
// the config's own spelling by FormatSize/FormatDuration (config_value.h).
//
// Pure functions; thread-safe.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "base/clock.h"

namespace retention {

// IEC units, one way: "0 B", "18 B", "4.0 MiB", "37 KiB", "1.2 GiB". One
// decimal below 10 units, none above; rounded down, so a size never reads
// larger than it is.
std::string HumanBytes(uint64_t bytes);

// HumanBytes of a signed byte count; a negative one (unknown) reads "0 B".
std::string HumanSize(int64_t bytes);

// "700,000": thousands separated by commas.
std::string HumanCount(uint64_t n);

// "1 file", "700,000 rows": `unit` is the singular noun ("item" if empty).
std::string HumanCountOf(uint64_t n, std::string_view unit);

// A duration in at most its two largest units, truncated: "1h2m", "18s",
// "3d4h", "1y34d", "250ms"; negative durations get a "-". Never "1y3s":
// the second unit is the one right below the first, or nothing.
std::string HumanDuration(Duration d);

// `t` against `now`: "in 18s", "3m12s ago", "now" (within a second).
std::string HumanRelative(WallTime t, WallTime now);

}  // namespace retention
