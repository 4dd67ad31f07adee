#include "kinds/logs/logrotate_import.h"

#include <algorithm>
#include <set>
#include <sstream>

#include "config/config_value.h"
#include "kinds/logs/logrotate_settings.h"
#include "kinds/logs/logs_rule.h"
#include "os/fs_rules.h"

namespace retention {
namespace {

using Mode = LogrotateSettings::Mode;
constexpr uint64_t kMinFileSize = 4096;  // LogsKindSpec's floor

// A converted block: its keys in order and the notes that go above it.
struct ImportedPolicy {
  std::vector<std::pair<std::string, std::string>> keys;
  std::vector<std::string> notes;
  void Set(const std::string& key, const std::string& value) {
    keys.emplace_back(key, value);
  }
  void Note(const std::string& text) { notes.push_back(text); }
};

// Exact, in the largest binary unit that divides it.
std::string ExactSize(uint64_t bytes) {
  const std::pair<uint64_t, char> units[] = {
      {uint64_t{1} << 30, 'G'}, {uint64_t{1} << 20, 'M'}, {1024, 'K'}};
  for (const auto& [unit, name] : units) {
    if (bytes >= unit && bytes % unit == 0) {
      return std::to_string(bytes / unit) + name;
    }
  }
  return std::to_string(bytes);
}

std::string Join(const std::vector<std::string>& words) {
  std::string out;
  for (const std::string& w : words) out += (out.empty() ? "" : " ") + w;
  return out;
}

std::string ScriptLines(const LogrotateDirective& d) {
  return d.key + " (" + d.where + "):\n" + d.value;
}

// The patterns retentiond can take (absolute, globs only in the name, no
// blanks), the others noted.
std::vector<std::string> Paths(const LogrotateBlock& block, ImportedPolicy* p) {
  std::vector<std::string> out;
  for (const std::string& pattern : block.patterns) {
    const std::string dir = pattern.substr(0, pattern.rfind('/') + 1);
    if (pattern.empty() || pattern[0] != '/') {
      p->Note(pattern + ": not converted: paths must be absolute (no ~)");
    } else if (dir.find_first_of("*?[") != std::string::npos) {
      p->Note(pattern +
              ": not converted: retentiond allows globs only in the file "
              "name; list each directory's pattern");
    } else if (pattern.find_first_of(" \t{}") != std::string::npos) {
      p->Note(pattern + ": not converted: paths cannot hold blanks or braces");
    } else if (pattern.back() == '/') {
      p->Note(pattern + ": not converted: not a file");
    } else {
      out.push_back(pattern);
    }
  }
  return out;
}

void ConvertTrigger(const LogrotateSettings& s, ImportedPolicy* p) {
  if (s.period == "size") {
    const uint64_t size = std::max(*s.size, kMinFileSize);
    p->Set("max_file_size", ExactSize(size));
    if (size != *s.size)
      p->Note("size raised to 4K, retentiond's smallest cap");
    if (s.maxsize || s.minsize) {
      p->Note(
          "maxsize/minsize: logrotate ignores them with size; so does "
          "this policy");
    }
    p->Note(
        "size: logrotate checks it when it runs; retentiond rotates the "
        "moment the file reaches it");
    return;
  }
  std::string period = s.period;
  if (period.empty()) {
    period = "daily";
    p->Note(
        "no interval: logrotate rotates at each of its runs (daily from "
        "its timer): rotate_every = daily");
  }
  p->Set("rotate_every", period);
  p->Note(
      "rotate_every boundaries are UTC; logrotate uses local time "
      "(set rotate_timezone to this machine's zone, e.g. Europe/Paris)");
  if (s.maxsize) {
    p->Set("max_file_size", ExactSize(std::max(*s.maxsize, kMinFileSize)));
  }
  if (s.minsize) p->Set("min_size", ExactSize(*s.minsize));
  if (s.ifempty) p->Set("rotate_empty", "yes");
}

void ConvertLimits(const LogrotateSettings& s, ImportedPolicy* p) {
  if (s.rotate > 0) {
    p->Set("keep", std::to_string(s.rotate));
  } else if (s.rotate == 0) {
    p->Set("keep", "1");
    p->Note(
        "rotate 0 (logrotate's default): logrotate deletes the old log "
        "at once; retentiond keeps an archive until a limit removes it: "
        "keep = 1");
  }
  if (s.maxage && *s.maxage > 0) {
    p->Set("max_age", std::to_string(*s.maxage) + "d");
  }
}

void ConvertCompression(const LogrotateSettings& s, ImportedPolicy* p) {
  if (!s.compress) {
    p->Set("compress", "none");
    return;
  }
  std::string prog = s.compresscmd.substr(s.compresscmd.rfind('/') + 1);
  std::string codec = "gzip";
  if (prog == "zstd" || prog == "pzstd") {
    codec = "zstd";
  } else if (!prog.empty() && prog != "gzip" && prog != "pigz") {
    p->Note("compresscmd " + s.compresscmd +
            ": no equivalent: retentiond compresses in process with gzip or "
            "zstd; gzip chosen");
  }
  p->Set("compress", codec);
  if (s.compressoptions.empty()) return;
  const int max = codec == "gzip" ? 9 : 19;
  char* end = nullptr;
  const long level = s.compressoptions[0] == '-'
                         ? std::strtol(s.compressoptions.c_str() + 1, &end, 10)
                         : 0;
  if (end != nullptr && *end == '\0' && level >= 1 && level <= max) {
    p->Set("compress_level", std::to_string(level));
  } else {
    p->Note("compressoptions " + s.compressoptions +
            ": no equivalent beyond a level (-1 to -" + std::to_string(max) +
            ")");
  }
}

// method = reopen: who tells the writer (the postrotate script).
void ConvertReopen(const LogrotateSettings& s, const ProgramFinder& find,
                   ImportedPolicy* p) {
  if (s.postrotate == nullptr) {
    p->Set("method", "reopen");
    p->Set("reopen_command", "/bin/true");
    p->Note(
        "no postrotate: logrotate tells the writer nothing, so it must "
        "open the file by name for each write (as dpkg and apt do): "
        "reopen_command = /bin/true");
    return;
  }
  ScriptConversion c = ConvertScript(s.postrotate->value, find);
  if (!c.signal.empty() && !ParseSignalName(c.signal).ok()) {
    c.why_not = "it sends " + c.signal + ", which no writer can handle";
  }
  if (!c.why_not.empty()) {
    p->Set("method", "truncate");
    p->Note(ScriptLines(*s.postrotate) + "not converted: " + c.why_not +
            ". method = truncate instead (lossless for writers that append "
            "with O_APPEND). To keep the rename, save the script as an "
            "executable file and set method = reopen and reopen_command = "
            "that file");
    return;
  }
  p->Set("method", "reopen");
  if (!c.signal.empty()) {
    p->Set("reopen_signal", c.signal);
    p->Set("pid_file", c.pid_file);
  } else {
    p->Set("reopen_command", Join(c.argv));
  }
  if (!c.note.empty()) p->Note("postrotate: " + c.note);
}

void ConvertCreate(const LogrotateSettings& s, ImportedPolicy* p) {
  if (s.mode == Mode::kRename) {
    p->Note(
        "no create (or nocreate): logrotate leaves no live file after the "
        "rename; retentiond always creates one, with the old one's mode and "
        "owner");
    return;
  }
  const std::vector<std::string> words = SplitWords(s.create);
  const char* keys[] = {"create_mode", "create_owner", "create_group"};
  for (size_t i = 0; i < words.size() && i < 3; ++i) {
    if (i == 0 && !ParseFileMode(words[0]).ok()) {
      p->Note("create " + s.create + ": mode not octal; the old file's kept");
      continue;
    }
    p->Set(keys[i], words[i]);
  }
}

// A prerotate or (with truncate) postrotate script as a command key.
void ConvertHook(const LogrotateDirective* script, const char* key,
                 const ProgramFinder& find, ImportedPolicy* p) {
  if (script == nullptr) return;
  ScriptConversion c = ConvertScript(script->value, find);
  if (c.argv.empty()) {
    p->Note(ScriptLines(*script) + "not converted: " +
            (c.why_not.empty() ? "a signal needs method = reopen" : c.why_not) +
            "; save it as an executable file and set " + key + " = that file");
    return;
  }
  p->Set(key, Join(c.argv));
  if (!c.note.empty()) p->Note(script->key + ": " + c.note);
}

void ConvertMethod(const LogrotateSettings& s, const ProgramFinder& find,
                   ImportedPolicy* p) {
  if (s.mode == Mode::kCopyTruncate) {
    p->Set("method", "truncate");
    ConvertHook(s.postrotate, "post_rotate_command", find, p);
  } else {
    ConvertReopen(s, find, p);
    const bool reopen = std::find(p->keys.begin(), p->keys.end(),
                                  std::pair<std::string, std::string>{
                                      "method", "reopen"}) != p->keys.end();
    if (reopen) ConvertCreate(s, p);
  }
  ConvertHook(s.prerotate, "pre_rotate_command", find, p);
  if (!s.shared) return;
  bool shares = false;
  for (const auto& [key, value] : p->keys) {
    shares |=
        (key == "method" && value == "reopen") || key == "post_rotate_command";
  }
  if (shares) {
    p->Set("shared_reopen", "yes");
  } else {
    p->Note("sharedscripts: nothing to share (no reopen, no post command)");
  }
}

void ConvertPlace(const LogrotateSettings& s,
                  const std::vector<std::string>& paths, ImportedPolicy* p) {
  p->Set("naming", s.dateext ? "timestamp" : "numbered");
  if (s.dateext) {
    p->Note("dateext: archives are named LIVE-YYYYMMDDTHHMMSSZ (UTC)");
  }
  if (s.olddir.empty()) return;
  std::set<std::string> dirs;
  for (const std::string& path : paths) dirs.insert(SplitPath(path).dir);
  if (s.olddir[0] == '/') {
    p->Set("archive_dir", s.olddir);
  } else if (dirs.size() == 1) {
    p->Set("archive_dir", JoinPath(*dirs.begin(), s.olddir));
  } else {
    p->Note("olddir " + s.olddir +
            ": not converted: relative to each log's directory, and this "
            "block's logs are in several");
  }
}

std::string PolicyName(const LogrotateBlock& block,
                       std::set<std::string>* used) {
  std::string base = block.file.substr(block.file.rfind('/') + 1);
  for (char& c : base) {
    if (!std::isalnum(static_cast<unsigned char>(c)) && c != '_' && c != '-') {
      c = '-';
    }
  }
  if (base.empty()) base = "logrotate";
  std::string name = base;
  for (int n = 2; !used->insert(name).second; ++n) {
    name = base + "-" + std::to_string(n);
  }
  return name;
}

void Comment(const std::string& text, std::ostringstream& out) {
  std::istringstream in(text);
  for (std::string line; std::getline(in, line);) {
    out << "#" << (line.empty() ? "" : " ") << line << "\n";
  }
}

void ConvertBlock(const LogrotateBlock& block, const ProgramFinder& find,
                  std::set<std::string>* used, std::ostringstream& out) {
  const LogrotateSettings s = ApplyDirectives(block);
  ImportedPolicy p;
  const std::vector<std::string> paths = Paths(block, &p);
  const std::string name = PolicyName(block, used);
  out << "\n# From " << block.where << ": " << Join(block.patterns) << "\n";
  if (paths.empty()) {
    for (const std::string& n : p.notes) Comment(n, out);
    out << "# [logs." << name << "] not converted: no path retentiond can "
        << "take\n";
    return;
  }
  p.Set("paths", Join(paths));
  ConvertTrigger(s, &p);
  ConvertLimits(s, &p);
  ConvertCompression(s, &p);
  ConvertMethod(s, find, &p);
  ConvertPlace(s, paths, &p);
  for (const std::string& n : s.notes) Comment(n, out);
  for (const std::string& n : p.notes) Comment(n, out);
  out << "[logs." << name << "]\n";
  for (const auto& [key, value] : p.keys) out << key << " = " << value << "\n";
}

}  // namespace

std::string ImportLogrotate(const LogrotateConfig& config,
                            const ProgramFinder& find) {
  std::ostringstream out;
  out << "# retentiond drop-ins converted from logrotate by retentiond "
         "--import-logrotate.\n"
         "# Check them with: retentiond --check-config --config FILE\n";
  for (const std::string& e : config.errors) {
    out << "# logrotate error: " << e << "\n";
  }
  std::set<std::string> used;
  for (const LogrotateBlock& block : config.blocks) {
    ConvertBlock(block, find, &used, out);
  }
  return out.str();
}

}  // namespace retention
