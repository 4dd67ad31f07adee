#include "base/escape.h"

#include <algorithm>
#include <cstdio>

namespace retention {

size_t Utf8SequenceLength(std::string_view text, size_t pos) {
  const auto byte = [&](size_t i) {
    return i < text.size() ? static_cast<unsigned char>(text[i]) : 0u;
  };
  const unsigned c = byte(pos);
  if (c < 0x80) return 1;
  size_t n;
  unsigned min_second = 0x80, max_second = 0xbf;
  if (c >= 0xc2 && c <= 0xdf) {
    n = 2;
  } else if (c >= 0xe0 && c <= 0xef) {
    n = 3;
    if (c == 0xe0) min_second = 0xa0;  // overlong
    if (c == 0xed) max_second = 0x9f;  // surrogates
  } else if (c >= 0xf0 && c <= 0xf4) {
    n = 4;
    if (c == 0xf0) min_second = 0x90;  // overlong
    if (c == 0xf4) max_second = 0x8f;  // past U+10FFFF
  } else {
    return 0;
  }
  const unsigned second = byte(pos + 1);
  if (second < min_second || second > max_second) return 0;
  for (size_t i = 2; i < n; ++i) {
    const unsigned next = byte(pos + i);
    if (next < 0x80 || next > 0xbf) return 0;
  }
  return n;
}

bool IsValidUtf8(std::string_view text) {
  for (size_t pos = 0; pos < text.size();) {
    const size_t n = Utf8SequenceLength(text, pos);
    if (n == 0) return false;
    pos += n;
  }
  return true;
}

std::string EscapeText(std::string_view text, size_t max_bytes) {
  std::string out;
  size_t pos = 0;
  while (pos < text.size()) {
    const size_t n = Utf8SequenceLength(text, pos);
    if (pos + std::max<size_t>(n, 1) > max_bytes) break;
    const auto c = static_cast<unsigned char>(text[pos]);
    if (n == 0 || c < 0x20 || c == 0x7f) {
      char hex[8];
      std::snprintf(hex, sizeof hex, "\\x%02x", c);
      out += hex;
      ++pos;
      continue;
    }
    out.append(text.substr(pos, n));
    pos += n;
  }
  if (pos < text.size()) {
    out += "...(" + std::to_string(text.size() - pos) + " more bytes)";
  }
  return out;
}

std::string_view Trim(std::string_view text) {
  constexpr std::string_view kBlanks = " \t\r\n\f\v";
  const size_t begin = text.find_first_not_of(kBlanks);
  if (begin == std::string_view::npos) return {};
  const size_t end = text.find_last_not_of(kBlanks);
  return text.substr(begin, end - begin + 1);
}

}  // namespace retention
