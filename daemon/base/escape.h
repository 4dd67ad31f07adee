// Text from outside (configuration values, keys, file names) made safe to
// echo in a message, a log line, the ledger or JSON: control bytes and bytes
// that are not valid UTF-8 become \xNN, valid UTF-8 is kept, and a long text
// is cut with a note of how much was left out. Pure; thread-safe.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>

namespace retention {

// Length in bytes of the valid UTF-8 sequence starting at text[pos] (1 to
// 4), or 0 when the byte there does not start one (overlong forms,
// surrogates and code points past U+10FFFF are invalid).
size_t Utf8SequenceLength(std::string_view text, size_t pos);

// True when all of `text` is valid UTF-8.
bool IsValidUtf8(std::string_view text);

// `text` with every byte below 0x20, 0x7f and every byte of an invalid
// UTF-8 sequence written as \xNN. When `text` is longer than `max_bytes`,
// only its first `max_bytes` (never splitting a sequence) are kept, followed
// by "...(N more bytes)".
std::string EscapeText(std::string_view text, size_t max_bytes = 200);

// `text` without the blanks (space, \t, \r, \n, \f, \v) around it.
std::string_view Trim(std::string_view text);

}  // namespace retention
