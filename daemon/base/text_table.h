// Plain-text tables for terminals: columns aligned by code points, and text
// from outside (paths, errors, names) made safe to print. Used by the text
// report and by retentionctl's tables. Pure; thread-safe.
#pragma once

#include <string>
#include <vector>

namespace retention {

using TableRow = std::vector<std::string>;

// Columns align by code points, so "✓" counts as one.
size_t DisplayWidth(const std::string& text);

// Control characters (an escape sequence in a file name) become '?', so a
// terminal shows them rather than interprets them.
std::string Printable(std::string text);

// Text output for a person fits this many columns by default.
inline constexpr size_t kTerminalColumns = 80;

// `line` cut to `width` code points, "…" marking the cut (the last of the
// `width`).
std::string FitWidth(const std::string& line, size_t width = kTerminalColumns);

// `text` (one paragraph, no newline) broken at spaces into lines of at most
// `width` code points, each ending in '\n'; lines after the first start
// with `indent` spaces. A word longer than a line (a long path) is broken
// where the line ends.
std::string WrapText(const std::string& text, size_t width = kTerminalColumns,
                     size_t indent = 4);

// One line per row, cells padded to their column's widest cell plus two
// spaces; the last cell is not padded. Empty for no rows. Precondition:
// every row has as many cells as the first.
std::string FormatTable(const std::vector<TableRow>& rows);

}  // namespace retention
