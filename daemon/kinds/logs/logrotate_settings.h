// LogrotateSettings: what one logrotate block asks for once its directives
// (globals first, then its own) are applied in order, the last one
// winning as in logrotate; and, for each directive retentiond has no
// equivalent for, a note saying so and why. Used by ImportLogrotate
// (logrotate_import.h). Pure; thread-safe.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "kinds/logs/logrotate_config.h"

namespace retention {

struct LogrotateSettings {
  // The rotation criterion, the last of hourly, daily, weekly, monthly,
  // yearly, minutes N and size: "hourly", ..., "30m", "size"; empty: none.
  std::string period;
  std::optional<uint64_t> size, maxsize, minsize;
  int rotate = 0;             // logrotate's default: no archive kept
  std::optional<int> maxage;  // days
  bool compress = false;
  std::string compresscmd, compressoptions;
  enum class Mode { kRename, kCreate, kCopyTruncate } mode = Mode::kRename;
  std::string create;  // create's arguments: [mode [owner [group]]]
  bool ifempty = true;
  bool dateext = false;
  std::string olddir;
  bool shared = false;
  const LogrotateDirective* prerotate = nullptr;
  const LogrotateDirective* postrotate = nullptr;
  std::vector<std::string> notes;  // one per directive without equivalent
};

// Precondition: `block` outlives the result (script pointers).
LogrotateSettings ApplyDirectives(const LogrotateBlock& block);

// logrotate's sizes: digits, optionally k/K, M or G (binary multiples).
std::optional<uint64_t> ParseLogrotateSize(const std::string& text);

}  // namespace retention
