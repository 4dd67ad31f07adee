#include "kinds/logs/logrotate_settings.h"

#include <cctype>
#include <cstdlib>

namespace retention {
namespace {

using Settings = LogrotateSettings;
using Mode = LogrotateSettings::Mode;

// Directives retentiond has no key for, with why. Their "no..." opposites
// that only restore logrotate's default (retentiond's behaviour) are
// listed with an empty reason and noted nowhere.
struct Unmapped {
  const char* key;
  const char* why;
};
constexpr Unmapped kUnmapped[] = {
    {"delaycompress",
     "not needed: retentiond compresses a reopen archive only once its "
     "writer let go of it, and a truncate archive is complete when made"},
    {"nodelaycompress", ""},
    {"shred",
     "no equivalent: rotated files are deleted with unlink (overwriting "
     "does not erase data on journaling or copy-on-write filesystems)"},
    {"shredcycles", "no equivalent (see shred)"},
    {"noshred", ""},
    {"allowhardlink", "no equivalent in retentiond"},
    {"noallowhardlink", ""},
    {"renamecopy",
     "no equivalent: archive_dir must be on the live file's filesystem"},
    {"norenamecopy", ""},
    {"copy",
     "no equivalent: retentiond always empties (truncate) or replaces "
     "(reopen) the live file; copy leaves it whole"},
    {"nocopy", ""},
    {"dateformat",
     "no equivalent: timestamp names are LIVE-YYYYMMDDTHHMMSSZ (UTC, the "
     "time of the rotation)"},
    {"dateyesterday", "no equivalent (see dateformat)"},
    {"datehourago", "no equivalent (see dateformat)"},
    {"nodateyesterday", ""},
    {"nodatehourago", ""},
    {"extension",
     "no equivalent: archives are LIVE-STAMP or LIVE.N plus the "
     "compression suffix"},
    {"addextension", "no equivalent (see extension)"},
    {"start", "no equivalent: numbered archives start at 1"},
    {"mail",
     "no equivalent: retentiond mails nothing; what it deletes is in its "
     "ledger (retentionctl report)"},
    {"mailfirst", "no equivalent (see mail)"},
    {"maillast", "no equivalent (see mail)"},
    {"nomail", ""},
    {"su",
     "no equivalent: retentiond works as its service user and runs "
     "commands as that user; give it access to the log directory"},
    {"createolddir",
     "no equivalent: archive_dir must exist; retentiond creates no "
     "directory"},
    {"nocreateolddir", ""},
    {"minage",
     "no equivalent: retentiond's min_age is a floor on deleting archives, "
     "not on rotating"},
    {"errors",
     "obsolete in logrotate; retentiond reports in its log and "
     "retentionctl status"},
    {"missingok",
     "retentiond's behaviour already: a missing live file is skipped"},
    {"nomissingok",
     "no equivalent: a missing live file is not an error in retentiond"},
    {"ignoreduplicates",
     "no equivalent: each retentiond policy names its own paths"},
    {"tabooext",
     "not applied: this import's includes skip logrotate's default taboo "
     "extensions"},
    {"taboopat", "not applied (see tabooext)"},
    {"uncompresscmd",
     "no equivalent: retentiond compresses in process (gzip or zstd)"},
    {"compressext",
     "no equivalent: archives end in .gz or .zst by their compression"},
    {"preremove", "no equivalent: retentiond runs no command per deletion"},
    {"firstaction",
     "no equivalent: no command runs once per logrotate run; with "
     "shared_reopen, pre_rotate_command runs once per run of the set"},
    {"lastaction",
     "no equivalent: with shared_reopen, post_rotate_command runs once per "
     "run of the set"},
};

bool IsScript(const std::string& key) {
  return key == "firstaction" || key == "lastaction" || key == "preremove";
}

void Note(Settings* s, const LogrotateDirective& d, const std::string& why) {
  std::string text = d.key;
  if (!d.value.empty() && !IsScript(d.key)) text += " " + d.value;
  text += " (" + d.where + "): " + why;
  // The script itself, for the operator to carry over by hand.
  if (IsScript(d.key)) text += ":\n" + d.value;
  for (const std::string& n : s->notes) {
    if (n == text) return;
  }
  s->notes.push_back(text);
}

bool ApplyPeriod(Settings* s, const LogrotateDirective& d) {
  const std::string& k = d.key;
  if (k == "hourly" || k == "daily" || k == "weekly" || k == "monthly") {
    s->period = k;
    if (!d.value.empty()) {
      Note(s, d,
           "the day is not kept: retentiond's weeks start on Monday and its "
           "months on the 1st");
    }
  } else if (k == "yearly") {
    s->period = "365d";
    Note(s, d,
         "rotate_every has no year: 365d, counted from the epoch, not from "
         "1 January");
  } else if (k == "minutes") {
    const long n = std::strtol(d.value.c_str(), nullptr, 10);
    if (n <= 0) {
      Note(s, d, "not a number of minutes; ignored");
      return true;
    }
    s->period = std::to_string(n) + "m";
  } else {
    return false;
  }
  return true;
}

bool ApplySize(Settings* s, const LogrotateDirective& d) {
  if (d.key != "size" && d.key != "maxsize" && d.key != "minsize") {
    return false;
  }
  auto bytes = ParseLogrotateSize(d.value);
  if (!bytes) {
    Note(s, d, "not a size logrotate reads; ignored");
  } else if (d.key == "size") {
    s->period = "size";
    s->size = *bytes;
  } else {
    (d.key == "maxsize" ? s->maxsize : s->minsize) = *bytes;
  }
  return true;
}

bool ApplyCount(Settings* s, const LogrotateDirective& d) {
  if (d.key != "rotate" && d.key != "maxage") return false;
  char* end = nullptr;
  const long n = std::strtol(d.value.c_str(), &end, 0);
  if (d.value.empty() || *end != '\0' || n < -1) {
    Note(s, d, "not a count logrotate reads; ignored");
  } else if (d.key == "rotate") {
    s->rotate = static_cast<int>(n);
  } else {
    s->maxage = static_cast<int>(n);
  }
  return true;
}

bool ApplyMode(Settings* s, const LogrotateDirective& d) {
  const std::string& k = d.key;
  if (k == "copytruncate") {
    s->mode = Mode::kCopyTruncate;
  } else if (k == "nocopytruncate") {
    if (s->mode == Mode::kCopyTruncate) s->mode = Mode::kRename;
  } else if (k == "create") {
    s->mode = Mode::kCreate;
    s->create = d.value;
  } else if (k == "nocreate") {
    if (s->mode == Mode::kCreate) s->mode = Mode::kRename;
  } else {
    return false;
  }
  return true;
}

bool ApplyFlag(Settings* s, const LogrotateDirective& d) {
  struct Flag {
    const char* key;
    bool Settings::*field;
    bool value;
  };
  static constexpr Flag kFlags[] = {
      {"compress", &Settings::compress, true},
      {"nocompress", &Settings::compress, false},
      {"ifempty", &Settings::ifempty, true},
      {"notifempty", &Settings::ifempty, false},
      {"dateext", &Settings::dateext, true},
      {"nodateext", &Settings::dateext, false},
      {"sharedscripts", &Settings::shared, true},
      {"nosharedscripts", &Settings::shared, false},
  };
  for (const Flag& f : kFlags) {
    if (d.key == f.key) {
      s->*f.field = f.value;
      return true;
    }
  }
  return false;
}

bool ApplyText(Settings* s, const LogrotateDirective& d) {
  if (d.key == "compresscmd") {
    s->compresscmd = d.value;
  } else if (d.key == "compressoptions") {
    s->compressoptions = d.value;
  } else if (d.key == "olddir") {
    s->olddir = d.value;
  } else if (d.key == "noolddir") {
    s->olddir.clear();
  } else if (d.key == "prerotate") {
    s->prerotate = &d;
  } else if (d.key == "postrotate") {
    s->postrotate = &d;
  } else {
    return false;
  }
  return true;
}

}  // namespace

std::optional<uint64_t> ParseLogrotateSize(const std::string& text) {
  if (text.empty()) return std::nullopt;
  uint64_t multiplier = 1;
  std::string digits = text;
  switch (text.back()) {
    case 'k':
    case 'K':
      multiplier = 1024;
      break;
    case 'M':
      multiplier = 1024 * 1024;
      break;
    case 'G':
      multiplier = 1024 * 1024 * 1024;
      break;
    default:
      if (!std::isdigit(static_cast<unsigned char>(text.back()))) {
        return std::nullopt;
      }
  }
  if (multiplier != 1) digits.pop_back();
  char* end = nullptr;
  const unsigned long long n = std::strtoull(digits.c_str(), &end, 0);
  if (digits.empty() || *end != '\0' || digits[0] == '-') return std::nullopt;
  return static_cast<uint64_t>(n) * multiplier;
}

LogrotateSettings ApplyDirectives(const LogrotateBlock& block) {
  Settings s;
  for (const LogrotateDirective& d : block.directives) {
    if (ApplyPeriod(&s, d) || ApplySize(&s, d) || ApplyCount(&s, d) ||
        ApplyMode(&s, d) || ApplyFlag(&s, d) || ApplyText(&s, d)) {
      continue;
    }
    bool known = false;
    for (const Unmapped& u : kUnmapped) {
      if (d.key != u.key) continue;
      known = true;
      if (*u.why != '\0') Note(&s, d, u.why);
    }
    if (!known) {
      Note(&s, d, "unknown to logrotate too, which ignores the line");
    }
  }
  return s;
}

}  // namespace retention
