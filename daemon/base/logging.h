// Logging setup. retentiond logs to stderr through spdlog. When stderr is
// connected to the journal (JOURNAL_STREAM names stderr's device:inode),
// each line starts with a syslog priority prefix ("<6>") and carries no
// timestamp, since journald adds its own; otherwise lines read
// "2026-11-23 10:54:26.123 info message". Call once from main() before any
// thread starts; spdlog's logger is thread-safe afterwards.
#pragma once

#include <string>

namespace retention {

// `level` is one of the [daemon] log_level choices.
void SetupLogging(const std::string& level);

// Changes the level later (a reload).
void SetLogLevel(const std::string& level);

// True when JOURNAL_STREAM matches stderr.
bool StderrIsJournal();

}  // namespace retention
