#include "config/database_url.h"

#include <filesystem>

#include "config/config_value.h"
#include "config/kind_registry.h"
#include "sql/sql_names.h"
#include "sql/sql_time.h"

namespace retention {

StatusOr<std::string> DatabasePathOf(const Section& section) {
  const ConfigValue& v = section.values.at("database");
  return SqlitePathFromUrl(
      v.raw, std::filesystem::path(v.where.file).parent_path().string());
}

StatusOr<DatabaseUrl> DatabaseUrlOf(const Section& section) {
  const ConfigValue& v = section.values.at("database");
  return ParseDatabaseUrl(
      v.raw, std::filesystem::path(v.where.file).parent_path().string());
}

void CheckTimeFormatFor(const Section& section, const DatabaseUrl& url,
                        std::vector<ConfigError>* errors) {
  const bool postgres = url.backend == DatabaseUrl::Backend::kPostgres;
  const TimeFormat format = ParseTimeFormat(section.GetString("time_format"));
  const bool native = format == TimeFormat::kNative;
  if (!postgres && native) {
    AddKeyError(section, "time_format",
                "native is for PostgreSQL time columns; an SQLite column is "
                "unix, unix_ms, iso8601 or julianday",
                errors);
  }
  if (postgres && !native && format != TimeFormat::kUnixSeconds &&
      format != TimeFormat::kUnixMillis) {
    AddKeyError(section, "time_format",
                std::string(TimeFormatName(format)) +
                    " is for SQLite; a PostgreSQL time column is native "
                    "(timestamptz, timestamp, date), unix or unix_ms",
                errors);
  }
}

}  // namespace retention
