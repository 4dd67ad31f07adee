#include "config/database_url.h"

#include <filesystem>

#include "sql/sql_names.h"

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

}  // namespace retention
