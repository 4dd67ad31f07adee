// Canonical JSON text for the documents retentiond signs (checkpoints,
// erasure receipts): written by hand, keys sorted by the caller, no spaces,
// strings escaped exactly as Python's json.dumps(..., ensure_ascii=False)
// writes them, so that an auditor re-serialising a document with
// `json.dumps(d, sort_keys=True, separators=(",", ":"), ensure_ascii=False)`
// gets the very bytes that were signed. Pure, thread-safe.
#pragma once

#include <string>
#include <string_view>

namespace retention {

// `text` as a JSON string, quotes included: quotes, backslashes and
// control characters escaped; other bytes as they are.
std::string JsonString(std::string_view text);

}  // namespace retention
