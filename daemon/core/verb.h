// Verb: what an action does, as the ledger records it. One closed list with
// one name each; the questions asked of a verb are answered here only.
// Pure, thread-safe.
#pragma once

#include <optional>
#include <string_view>

namespace retention {

enum class Verb {
  kDelete,      // a file, a rotated log or a batch of rows removed
  kPurge,       // an account's rows and data removed
  kRotate,      // a live log file became an archive
  kCompress,    // an archive compressed
  kCleanup,     // a temp file left by an interrupted write removed
  kRecover,     // an interrupted rotation finished or undone
  kRestore,     // a stranded quarantine put back where it was
  kOverQuota,   // a user went over quota (an event; nothing removed)
  kUnderQuota,  // a user came back under quota
};

// "delete", "purge", "rotate", "compress", "cleanup", "recover", "restore",
// "over_quota", "under_quota": the ledger's, the logs' and --json's word.
const char* VerbName(Verb verb);
// The inverse of VerbName; nullopt for any other text.
std::optional<Verb> ParseVerb(std::string_view name);

// Removes what a retention promise covers (files, rows, accounts): the
// mass-deletion brake counts it, holds stop it, reports sum it.
bool IsRemoval(Verb verb);
// Records that something happened without changing data (quota events):
// one per occurrence, whatever its count and bytes say.
bool IsEvent(Verb verb);

}  // namespace retention
