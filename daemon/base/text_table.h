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

// One line per row, cells padded to their column's widest cell plus two
// spaces; the last cell is not padded. Empty for no rows. Precondition:
// every row has as many cells as the first.
std::string FormatTable(const std::vector<TableRow>& rows);

}  // namespace retention
