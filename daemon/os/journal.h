// The systemd journal as a place records leave the host: a structured
// entry sent with sd_journal_send (journal forwarding, journal-upload or a
// log shipper then carries it off the box), and entries read back by
// MESSAGE_ID for a verifier (sd_journal API over the local journal files).
//
// Threading: safe from any thread.
#pragma once

#include <string>
#include <utility>
#include <vector>

#include "base/status.h"

namespace retention {

// Sends MESSAGE=`message`, MESSAGE_ID=`message_id`, PRIORITY=`priority` and
// each "NAME=value" of `fields`. kNotFound when there is no journal to send
// to (no /run/systemd/journal/socket).
Status SendToJournal(const std::string& message_id, const std::string& message,
                     int priority, const std::vector<std::string>& fields);

// The value of `field` in every entry of the local journal whose
// MESSAGE_ID is `message_id`, oldest first; `directory` non-empty reads
// the journal files in that directory instead (a copy an auditor holds).
StatusOr<std::vector<std::string>> ReadJournalField(
    const std::string& message_id, const std::string& field,
    const std::string& directory);

}  // namespace retention
