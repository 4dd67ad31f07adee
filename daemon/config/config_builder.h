// ConfigBuilder: merges configuration files, one at a time and in order,
// into a Config, checking every section, key and value against a
// KindRegistry and collecting every error on the way. LoadConfig and
// LoadConfigFromString (config.h) are thin drivers over it; it does no I/O.
//
// Merge rules: a section may appear in several files (drop-ins override
// keys that way); a later file's value for a key replaces the earlier one
// together with its FILE:LINE. Within one file a section may appear only
// once and a key only once per section.
//
// Bounded: at most kMaxConfigLines lines are read across files, errors are
// stored escaped and cut short (EscapeText), and at most kMaxConfigErrors
// are returned, the last one counting those left out.
//
// Threading: a builder is used by one thread, once (AddFile..., Finish).
#pragma once

#include <map>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include "config/config.h"
#include "config/ini_reader.h"
#include "config/kind_registry.h"

namespace retention {

class ConfigBuilder {
 public:
  // `registry` must outlive the builder.
  explicit ConfigBuilder(const KindRegistry& registry);

  // Adds one file's text. `name` is the file as named in errors;
  // `base_dir` (absolute) resolves relative paths set in this file.
  void AddFile(const std::string& name, const std::string& base_dir,
               std::string_view text);
  // Records that `name` (a file or directory) could not be read.
  void AddFileError(const std::string& name, const std::string& message);
  // Fills defaults, checks required keys, runs each kind's validator on
  // sections without errors. With no error at all, fills *config and
  // returns true; otherwise leaves *config alone and returns false with
  // every error, ordered by file (in the order added) then line.
  bool Finish(Config* config, std::vector<ConfigError>* errors);
  // Same checks, but succeeds when [daemon] alone is sound (no error in it
  // and none outside any section, such as an unreadable file): fills
  // *daemon and returns true even if policies have errors. *errors gets
  // every error either way.
  bool FinishDaemon(Section* daemon, std::vector<ConfigError>* errors);

  // Hex SHA-256 over every file added (its name, a NUL, its text, a NUL),
  // in order; of no file, that of nothing.
  std::string Sha256() const;

 private:
  struct Merged {
    Section section;
    const KindSpec* spec = nullptr;
  };
  // Section id or key -> line where this file first set it.
  using SeenInFile = std::map<std::string, int>;

  void AddSection(const std::string& file, const std::string& base_dir,
                  const IniSection& raw, SeenInFile* seen_sections);
  const KindSpec* CheckHeader(const std::string& file, const IniSection& raw);
  bool CheckNameUnique(const std::string& file, const IniSection& raw);
  Merged* SectionFor(const std::string& file, const IniSection& raw,
                     const KindSpec* spec);
  void SetValue(const std::string& file, const std::string& base_dir,
                const IniEntry& entry, Merged* merged, SeenInFile* seen_keys);
  void FinishSection(Merged* merged);
  // The keys that name another policy (KeySpec::names_policy_of_kind).
  void CheckReferences(const Merged& merged);
  void Error(SourceLocation where, std::string section, std::string key,
             std::string message);
  std::vector<ConfigError> SortedErrors() const;

  const KindRegistry& registry_;
  std::vector<std::string> order_;  // every file named, for error order
  std::vector<std::string> files_;  // every file read
  std::vector<Merged> merged_;      // [daemon] first
  // Policy name -> the section that first used it.
  std::map<std::string, std::pair<std::string, SourceLocation>> names_;
  std::set<std::string> failed_ids_;  // sections with an error so far
  std::vector<ConfigError> errors_;   // the first kStoredErrors
  size_t errors_dropped_ = 0;         // past those
  size_t lines_left_;                 // of kMaxConfigLines
  std::string hashed_;                // names and texts, for Sha256()
};

// The absolute, normalised directory holding `file`.
std::string DirectoryOf(const std::string& file);

}  // namespace retention
