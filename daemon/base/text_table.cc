#include "base/text_table.h"

#include <algorithm>

namespace retention {

size_t DisplayWidth(const std::string& text) {
  size_t n = 0;
  for (unsigned char c : text) n += (c & 0xC0) != 0x80;
  return n;
}

std::string Printable(std::string text) {
  for (char& c : text) {
    if (static_cast<unsigned char>(c) < 0x20 || c == 0x7f) c = '?';
  }
  return text;
}

namespace {

// The byte offset just past the first `points` code points of `text`.
size_t BytesOfPoints(const std::string& text, size_t points) {
  size_t seen = 0;
  for (size_t i = 0; i < text.size(); ++i) {
    const bool starts_point =
        (static_cast<unsigned char>(text[i]) & 0xC0) != 0x80;
    if (starts_point && seen++ == points) return i;
  }
  return text.size();
}

}  // namespace

std::string FitWidth(const std::string& line, size_t width) {
  if (DisplayWidth(line) <= width || width == 0) return line;
  return line.substr(0, BytesOfPoints(line, width - 1)) + "…";
}

std::string WrapText(const std::string& text, size_t width, size_t indent) {
  indent = std::min(indent, width / 2);
  std::string out;
  std::string rest = text;
  std::string lead;
  while (!rest.empty()) {
    const size_t room = width - lead.size();
    if (DisplayWidth(rest) <= room) {
      out += lead + rest + "\n";
      break;
    }
    const size_t limit = BytesOfPoints(rest, room);
    size_t cut = rest.rfind(' ', limit);
    const bool at_space = cut != std::string::npos && cut > 0;
    if (!at_space) cut = limit;
    out += lead + rest.substr(0, cut) + "\n";
    rest = rest.substr(at_space ? cut + 1 : cut);
    lead = std::string(indent, ' ');
  }
  return out.empty() ? "\n" : out;
}

std::string FormatTable(const std::vector<TableRow>& rows) {
  if (rows.empty()) return "";
  std::vector<size_t> widths(rows.front().size(), 0);
  for (const TableRow& row : rows) {
    for (size_t i = 0; i < row.size(); ++i) {
      widths[i] = std::max(widths[i], DisplayWidth(row[i]));
    }
  }
  std::string out;
  for (const TableRow& row : rows) {
    for (size_t i = 0; i < row.size(); ++i) {
      out += row[i];
      if (i + 1 < row.size()) {
        out += std::string(widths[i] - DisplayWidth(row[i]) + 2, ' ');
      }
    }
    out += "\n";
  }
  return out;
}

}  // namespace retention
