// One status line on standard error, redrawn in place on a terminal: the
// progress line of retentiond --once and of retentionctl run. Nothing is
// written when standard error is not a terminal.
//
// Threading: callers serialize their lines (one writer at a time).
#pragma once

#include <string>

namespace retention {

// isatty(2).
bool StderrIsTerminal();
// Replaces the line under the cursor with `line`, cut to the terminal's
// width (a wrapped line could not be redrawn in place).
void DrawStatusLine(const std::string& line);
// Erases the line under the cursor.
void EraseStatusLine();

}  // namespace retention
